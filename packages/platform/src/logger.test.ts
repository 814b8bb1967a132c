import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger } from './logger.js';
import { registerSecret, scrubSecrets } from './redact.js';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX';
const CHILD_TOKEN = '987654321:BBHdqTcvCH1vGWJxfSeofSAs0K5PALD_-wY';
const SECRET_HEADER = 'whsec-9f8e7d6c5b4a';
const KEY = 'q83vEjRWeJC8/fW6Pj1mQ8e5B1u2Z7d3wXc0e4LKt9s=';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(...chunk.toString().split('\n').filter(Boolean)); done(); } });
  return { logger: createLogger({ name: 'redaction', level: 'debug', destination }), text: () => lines.join('\n'), lines };
}

describe('scrubSecrets', () => {
  it('removes tokens from Bot API URLs, legacy webhook paths, URL passwords, query strings and headers', () => {
    const text = [
      `POST https://api.telegram.org/bot${TOKEN}/sendMessage failed`,
      `path /webhook/${CHILD_TOKEN} and /webhook/${encodeURIComponent(CHILD_TOKEN)}?x=1`,
      'db postgresql://nova:hunter2@db:5432/nova',
      'GET /cb?api_key=abc123def&token=zzz999 HTTP/1.1',
      `{"secret_token":"${SECRET_HEADER}","authorization":"Bearer abcdefghijkl"}`,
      `X-Telegram-Bot-Api-Secret-Token: ${SECRET_HEADER}`,
    ].join('\n');
    const out = scrubSecrets(text);
    for (const secret of ['AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX', 'BBHdqTcvCH1vGWJxfSeofSAs0K5PALD_-wY', 'hunter2', 'abc123def', 'zzz999', SECRET_HEADER, 'abcdefghijkl']) {
      expect({ secret, leaked: out.includes(secret) }).toEqual({ secret, leaked: false });
    }
    expect(out).toContain('/bot123456789:[REDACTED]/sendMessage');
    expect(out).toContain('postgresql://nova:[REDACTED]@db:5432/nova');
    expect(scrubSecrets('/webhook/main')).toBe('/webhook/main');
  });
});

describe('createLogger', () => {
  it('leaves no token in messages, fields, nested objects, errors or interpolated arguments', () => {
    registerSecret(KEY);
    const { logger, text, lines } = capture();
    logger.info(`got update on /webhook/${CHILD_TOKEN}`);
    logger.info({ url: `https://api.telegram.org/bot${TOKEN}/getMe`, botToken: CHILD_TOKEN, nested: { deep: [{ headers: { 'x-telegram-bot-api-secret-token': SECRET_HEADER } }] } }, 'calling Telegram');
    logger.error({ err: new Error(`request to /bot${TOKEN}/setWebhook failed`, { cause: new Error(`key ${KEY}`) }) }, 'setWebhook failed');
    logger.warn('token %s for %s', CHILD_TOKEN, 'user');
    logger.info({ config: { NOVA_DATABASE_URL: 'postgresql://nova:hunter2@db/nova', NOVA_TOKEN_ENCRYPTION_KEY: KEY } }, 'config');
    const all = text();
    expect(lines).toHaveLength(5);
    for (const secret of ['AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX', 'BBHdqTcvCH1vGWJxfSeofSAs0K5PALD_-wY', SECRET_HEADER, KEY, 'hunter2']) {
      expect({ secret, leaked: all.includes(secret) }).toEqual({ secret, leaked: false });
    }
    const error = JSON.parse(lines[2] ?? '{}') as { err: { type: string; message: string; stack: string; cause: { message: string } } };
    expect(error.err.type).toBe('Error');
    expect(error.err.message).toBe('request to /bot123456789:[REDACTED]/setWebhook failed');
    expect(error.err.cause.message).toBe('key [REDACTED]');
    const fields = JSON.parse(lines[1] ?? '{}') as { botToken: string; level: string; name: string };
    expect(fields).toMatchObject({ botToken: '[REDACTED]', level: 'info', name: 'redaction' });
  });
});
