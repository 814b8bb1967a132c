import { describe, expect, it } from '@jest/globals';
import { childWebhookUrl } from './deps.js';

describe('childWebhookUrl', () => {
  it('puts the bot id, never a token, under the public URL, keeping its path', () => {
    expect(childWebhookUrl('https://bot.example.com')(42n)).toBe('https://bot.example.com/webhook/bot/42');
    expect(childWebhookUrl('https://example.com/nova/')(42n)).toBe('https://example.com/nova/webhook/bot/42');
  });

  it('refuses a non-HTTPS base, which Telegram would refuse', () => {
    expect(() => childWebhookUrl('http://bot.example.com')).toThrow(/https/);
  });
});
