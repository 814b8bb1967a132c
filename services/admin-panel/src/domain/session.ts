/**
 * Admin sessions in a signed cookie (no server-side store): the admin's Telegram id and name,
 * a random session id, and its expiry, HMAC-SHA-256-signed under a key derived from
 * NOVA_ADMIN_SESSION_KEY. The same key on the monolith and the admin panel makes a session valid
 * on both sides of the stage-8 canary. CSRF tokens are bound to the session id (synchronizer
 * token, derived rather than stored) and checked on every POST.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readSignedJson, signJson } from '@nova/domain';

export interface AdminSession {
  readonly adminId: bigint;
  readonly name: string;
  /** Random per sign-in: CSRF tokens are bound to it. */
  readonly sid: string;
  readonly expiresAt: Date;
}

export const SESSION_COOKIE = 'nova_admin_session';

/** At least 32 bytes: it is all that stands between a forger and the panel. */
export const MIN_SESSION_KEY_BYTES = 32;

export class SessionKeyError extends Error {
  override readonly name = 'SessionKeyError';
}

interface Payload {
  readonly a: string;
  readonly n: string;
  readonly s: string;
  readonly e: number;
}

function isPayload(value: unknown): value is Payload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.a === 'string' && /^\d{1,16}$/.test(v.a) && typeof v.n === 'string' && typeof v.s === 'string' && typeof v.e === 'number';
}

export class SessionSigner {
  private readonly sessionKey: Buffer;
  private readonly csrfKey: Buffer;

  constructor(key: Uint8Array, private readonly ttlMs: number) {
    if (key.length < MIN_SESSION_KEY_BYTES) throw new SessionKeyError(`the session key must be at least ${String(MIN_SESSION_KEY_BYTES)} bytes`);
    // One key per purpose, so a CSRF token can never pass for a cookie's signature or back.
    this.sessionKey = createHmac('sha256', key).update('nova-admin:session').digest();
    this.csrfKey = createHmac('sha256', key).update('nova-admin:csrf').digest();
  }

  /** A new session for an admin who has just signed in, and its cookie value. */
  issue(adminId: bigint, name: string, now: Date): { session: AdminSession; value: string } {
    const session: AdminSession = { adminId, name, sid: randomBytes(16).toString('base64url'), expiresAt: new Date(now.getTime() + this.ttlMs) };
    const payload: Payload = { a: adminId.toString(), n: name, s: session.sid, e: session.expiresAt.getTime() };
    return { session, value: signJson(this.sessionKey, payload) };
  }

  /** The session in a cookie value, or undefined when it is forged, malformed or expired. */
  read(value: string | undefined, now: Date): AdminSession | undefined {
    const payload = readSignedJson(this.sessionKey, value, 4096);
    if (!isPayload(payload) || payload.e <= now.getTime()) return undefined;
    return { adminId: BigInt(payload.a), name: payload.n, sid: payload.s, expiresAt: new Date(payload.e) };
  }

  csrfToken(session: AdminSession): string {
    return createHmac('sha256', this.csrfKey).update(session.sid).digest('base64url');
  }

  checkCsrf(session: AdminSession, token: string | null | undefined): boolean {
    if (typeof token !== 'string') return false;
    const expected = Buffer.from(this.csrfToken(session), 'base64url');
    const given = Buffer.from(token, 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

export interface CookieOptions {
  /** Secure (HTTPS only). Off only for plain-HTTP loopback use (tests, the one-machine demo). */
  readonly secure: boolean;
}

/**
 * HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site POSTs; Lax rather than
 * Strict so the redirect back from Telegram's login carries it), Path=/admin/.
 */
export function sessionCookie(value: string, maxAgeSeconds: number, options: CookieOptions): string {
  return [`${SESSION_COOKIE}=${value}`, 'Path=/admin/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${String(maxAgeSeconds)}`, ...(options.secure ? ['Secure'] : [])].join('; ');
}

export function clearedSessionCookie(options: CookieOptions): string {
  return sessionCookie('', 0, options);
}

/** One cookie's value from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}
