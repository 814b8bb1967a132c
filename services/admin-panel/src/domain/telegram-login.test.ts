import { describe, expect, it } from '@jest/globals';
import { createHash, createHmac } from 'node:crypto';
import { LoginRefusedError, signTelegramLogin, verifyTelegramLogin } from './telegram-login.js';

const token = '123456:AAE-test-token';
const now = new Date('2026-12-10T12:00:00Z');
const fresh = String(Math.floor(now.getTime() / 1000) - 30);

function query(fields: Record<string, string>, hash = signTelegramLogin(fields, token)): URLSearchParams {
  return new URLSearchParams({ ...fields, hash });
}

function refusal(q: URLSearchParams): string {
  try {
    verifyTelegramLogin(q, { botToken: token, now, maxAgeMs: 300_000 });
  } catch (error) {
    if (error instanceof LoginRefusedError) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe('verifyTelegramLogin', () => {
  it('accepts data signed as Telegram documents it (HMAC-SHA-256 of the sorted key=value lines, key SHA-256(token))', () => {
    const fields = { id: '42', first_name: 'Anna', username: 'anna', auth_date: fresh, photo_url: 'https://t.me/i/userpic/1.jpg' };
    // Written out independently of the module's helper, from the documented algorithm.
    const check = ['auth_date=' + fresh, 'first_name=Anna', 'id=42', 'photo_url=https://t.me/i/userpic/1.jpg', 'username=anna'].join('\n');
    const hash = createHmac('sha256', createHash('sha256').update(token).digest()).update(check).digest('hex');
    expect(hash).toBe(signTelegramLogin(fields, token));
    const login = verifyTelegramLogin(new URLSearchParams({ ...fields, hash, next: '/admin/users/7' }), { botToken: token, now, maxAgeMs: 300_000 });
    expect(login).toMatchObject({ telegramId: 42n, firstName: 'Anna', username: 'anna' });
  });

  it('refuses a changed field, another bot\'s signature, stale or future data, and missing fields', () => {
    const fields = { id: '42', first_name: 'Anna', auth_date: fresh };
    const good = query(fields);
    const changed = new URLSearchParams(good);
    changed.set('id', '43');
    expect(refusal(changed)).toBe('bad-signature');
    expect(refusal(query(fields, signTelegramLogin(fields, '999:other')))).toBe('bad-signature');
    expect(refusal(query({ ...fields, auth_date: String(Math.floor(now.getTime() / 1000) - 301) }))).toBe('stale');
    expect(refusal(query({ ...fields, auth_date: String(Math.floor(now.getTime() / 1000) + 3600) }))).toBe('from-the-future');
    expect(refusal(new URLSearchParams({ id: '42', auth_date: fresh }))).toBe('incomplete');
    expect(refusal(new URLSearchParams(`${good.toString()}&id=42`))).toBe('incomplete');
    expect(refusal(good)).toBe('accepted');
  });
});
