import { describe, expect, it } from '@jest/globals';
import { childWebhookUrl } from './deps.js';

describe('childWebhookUrl', () => {
  it('puts the bot id, never a token, under the public URL, keeping its path', () => {
    expect(childWebhookUrl('https://bot.example.com')(42n)).toBe('https://bot.example.com/webhook/bot/42');
    expect(childWebhookUrl('https://example.com/nova/')(42n)).toBe('https://example.com/nova/webhook/bot/42');
  });

  it('refuses a non-HTTPS base, which Telegram would refuse, but on a loopback host (an emulator)', () => {
    expect(() => childWebhookUrl('http://bot.example.com')).toThrow(/https/);
    expect(() => childWebhookUrl('http://10.0.0.1:8100')).toThrow(/https/);
    expect(() => childWebhookUrl('ftp://127.0.0.1')).toThrow(/https/);
    expect(childWebhookUrl('http://127.0.0.1:8100')(7n)).toBe('http://127.0.0.1:8100/webhook/bot/7');
    expect(childWebhookUrl('http://localhost:8100/')(7n)).toBe('http://localhost:8100/webhook/bot/7');
    expect(childWebhookUrl('http://[::1]:8100')(7n)).toBe('http://[::1]:8100/webhook/bot/7');
  });
});
