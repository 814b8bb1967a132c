import { describe, expect, it } from '@jest/globals';
import { webhookTarget } from './paths.js';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX';

describe('webhookTarget', () => {
  it('reads the main bot, a child bot by id, and the legacy token path', () => {
    expect(webhookTarget('/webhook/main')).toEqual({ kind: 'main' });
    expect(webhookTarget('/webhook/bot/7001')).toEqual({ kind: 'bot', botId: 7001n });
    expect(webhookTarget(`/webhook/${TOKEN}`)).toEqual({ kind: 'legacy', botId: 123456789n, token: TOKEN });
    expect(webhookTarget(`/webhook/${encodeURIComponent(TOKEN)}`)).toEqual({ kind: 'legacy', botId: 123456789n, token: TOKEN });
  });

  it('names no target for anything else', () => {
    for (const path of ['/webhook/', '/webhook/mainx', '/webhook/bot/', '/webhook/bot/0', '/webhook/bot/-5', '/webhook/bot/12a', '/webhook/bot/1/2', '/webhook/123:short', '/webhook/%E0%A4%A', `/webhook/${TOKEN}/more`, '/other/main', '/webhook/bot/99999999999999999']) {
      expect({ path, target: webhookTarget(path) }).toEqual({ path, target: undefined });
    }
  });
});
