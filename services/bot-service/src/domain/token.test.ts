import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from '@nova/domain';
import { InvalidBotTokenError, REDACTED_TOKEN, looksLikeBotToken, parseBotToken, redactBotTokens } from './token.js';

const TOKEN = '7000000123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

describe('bot token shape', () => {
  it('parses <bot id>:<secret>, trimming blanks around it', () => {
    expect(parseBotToken(`  ${TOKEN}\n`)).toEqual({ botId: 7_000_000_123n, token: TOKEN });
    expect(looksLikeBotToken(TOKEN)).toBe(true);
  });

  it('refuses what is not a token with a typed error that never repeats the text', () => {
    const candidates = [
      '',
      'hello',
      '7000000123:short',
      'abc:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
      '0123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
      `${TOKEN} extra`,
      '7000000123:AAHdqTcvCH1vGWJxfSeofSAs0K5PAL$saw',
      '99999999999999999:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
    ];
    for (const candidate of candidates) {
      let error: unknown;
      try {
        parseBotToken(candidate);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(InvalidBotTokenError);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).toMatchObject({ details: { field: 'token' } });
      if (candidate !== '') expect((error as Error).message).not.toContain(candidate);
      expect(looksLikeBotToken(candidate)).toBe(false);
    }
  });

  it('redacts tokens anywhere in a text, and given tokens whatever their shape', () => {
    expect(redactBotTokens(`POST https://api.telegram.org/bot${TOKEN}/getMe failed`)).toBe(`POST https://api.telegram.org/bot${REDACTED_TOKEN}/getMe failed`);
    expect(redactBotTokens('secret odd-token here', 'odd-token')).toBe(`secret ${REDACTED_TOKEN} here`);
    expect(redactBotTokens('nothing to hide: 12:34')).toBe('nothing to hide: 12:34');
  });
});
