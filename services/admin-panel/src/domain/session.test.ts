import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { cookieValue, SessionKeyError, SessionSigner, sessionCookie } from './session.js';

const now = new Date('2026-12-10T12:00:00Z');

describe('SessionSigner', () => {
  it('reads back what it issued until it expires, and nothing forged or signed with another key', () => {
    const key = randomBytes(32);
    const signer = new SessionSigner(key, 3_600_000);
    const { session, value } = signer.issue(42n, 'Anna', now);
    expect(signer.read(value, now)).toEqual(session);
    expect(signer.read(value, new Date(now.getTime() + 3_600_000))).toBeUndefined();
    expect(new SessionSigner(randomBytes(32), 3_600_000).read(value, now)).toBeUndefined();
    const [body = '', signature = ''] = value.split('.');
    const forged = Buffer.from(JSON.stringify({ a: '1', n: 'Eve', s: 'x', e: now.getTime() + 9e9 })).toString('base64url');
    expect(signer.read(`${forged}.${signature}`, now)).toBeUndefined();
    expect(signer.read(`${body}.${signature}.x`, now)).toBeUndefined();
    expect(signer.read('garbage', now)).toBeUndefined();
    expect(() => new SessionSigner(randomBytes(16), 1)).toThrow(SessionKeyError);
  });

  it('binds CSRF tokens to the session', () => {
    const signer = new SessionSigner(randomBytes(32), 3_600_000);
    const a = signer.issue(42n, 'Anna', now).session;
    const b = signer.issue(42n, 'Anna', now).session;
    expect(signer.checkCsrf(a, signer.csrfToken(a))).toBe(true);
    expect(signer.checkCsrf(a, signer.csrfToken(b))).toBe(false);
    expect(signer.checkCsrf(a, '')).toBe(false);
    expect(signer.checkCsrf(a, null)).toBe(false);
  });

  it('writes HttpOnly, SameSite, Path-scoped cookies and finds one in a Cookie header', () => {
    expect(sessionCookie('v', 60, { secure: true })).toBe('nova_admin_session=v; Path=/admin/; HttpOnly; SameSite=Lax; Max-Age=60; Secure');
    expect(cookieValue('a=1; nova_admin_session=abc.def; b=2', 'nova_admin_session')).toBe('abc.def');
    expect(cookieValue(undefined, 'x')).toBeUndefined();
  });
});
