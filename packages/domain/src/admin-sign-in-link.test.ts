import { describe, expect, it } from '@jest/globals';
import { createHmac, randomBytes } from 'node:crypto';
import { AdminLinkKeyError, AdminSignInLinks, adminSignInUrl } from './admin-sign-in-link.js';

const key = randomBytes(32);
const now = new Date('2026-12-03T12:00:00Z');
const FIVE_MINUTES = 5 * 60_000;

describe('the one-time sign-in link token', () => {
  it('reads back the admin, name, id and expiry it was made for, under the same key only', () => {
    const { token, link } = new AdminSignInLinks(key).issue(70_001n, '@boss', now, FIVE_MINUTES);
    expect(new AdminSignInLinks(key).read(token, new Date(now.getTime() + 60_000))).toEqual(link);
    expect(link).toMatchObject({ adminId: 70_001n, name: '@boss', expiresAt: new Date(now.getTime() + FIVE_MINUTES) });
    expect(new AdminSignInLinks(randomBytes(32)).read(token, now)).toBeUndefined();
  });

  it('makes every link different, so each can be used once', () => {
    const links = new AdminSignInLinks(key);
    const first = links.issue(1n, 'a', now, FIVE_MINUTES);
    const second = links.issue(1n, 'a', now, FIVE_MINUTES);
    expect(first.link.tokenId).not.toBe(second.link.tokenId);
    expect(first.token).not.toBe(second.token);
  });

  it('refuses an expired, altered, re-signed-for-another-admin or malformed token', () => {
    const links = new AdminSignInLinks(key);
    const { token } = links.issue(70_001n, 'boss', now, FIVE_MINUTES);
    expect(links.read(token, new Date(now.getTime() + FIVE_MINUTES))).toBeUndefined();
    const [body = '', signature = ''] = token.split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    const otherAdmin = Buffer.from(JSON.stringify({ ...payload, a: '70002' })).toString('base64url');
    expect(links.read(`${otherAdmin}.${signature}`, now)).toBeUndefined();
    // Signed with the session key itself rather than the link's derived key: refused.
    expect(links.read(`${otherAdmin}.${createHmac('sha256', key).update(otherAdmin).digest('base64url')}`, now)).toBeUndefined();
    for (const bad of [undefined, null, '', 'x', `${token}.x`, `${body}.`, 'a'.repeat(2000)]) expect(links.read(bad, now)).toBeUndefined();
  });

  it('needs a key of at least 32 bytes', () => {
    expect(() => new AdminSignInLinks(randomBytes(16))).toThrow(AdminLinkKeyError);
  });

  it('puts the token on the panel\'s sign-in path, whatever path the base URL has', () => {
    expect(adminSignInUrl('https://admin.bot.example.com/some/where', 'abc.def')).toBe('https://admin.bot.example.com/admin/auth/link?t=abc.def');
  });
});
