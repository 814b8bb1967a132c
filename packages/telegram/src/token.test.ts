import { describe, expect, it } from '@jest/globals';
import { InvalidBotTokenError } from './errors.js';
import { botIdOf, isBotToken, redactToken } from './token.js';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1';

describe('bot tokens', () => {
  it('names a bot by the number before the colon', () => {
    expect(botIdOf(TOKEN)).toBe('123456789');
    expect(isBotToken(TOKEN)).toBe(true);
  });

  it('refuses what is not a token without repeating it', () => {
    for (const bad of ['', 'abc', '123456789:short', ':AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1', `${TOKEN} `]) {
      expect(() => botIdOf(bad)).toThrow(InvalidBotTokenError);
      try {
        botIdOf(bad);
      } catch (error) {
        if (bad.length > 0) expect((error as Error).message).not.toContain(bad);
      }
    }
  });

  it('redacts tokens in free text and URLs, keeping the bot id', () => {
    expect(redactToken(`GET https://api.telegram.org/bot${TOKEN}/getMe failed`)).toBe('GET https://api.telegram.org/bot123456789:***/getMe failed');
    expect(redactToken(`a ${TOKEN} and 987:AAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb`)).toBe('a 123456789:*** and 987:***');
    expect(redactToken('nothing secret here 12:30')).toBe('nothing secret here 12:30');
    expect(redactToken('custom s3cr3t value', 's3cr3t')).toBe('custom *** value');
  });
});
