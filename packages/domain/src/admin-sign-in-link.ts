/**
 * The one-time sign-in link the main bot sends an admin (`/admin`), shared by the two contexts
 * it joins: the bots context issues it, the admin panel (the service, or the monolith's copy of
 * the pages) takes it. Both hold NOVA_ADMIN_SESSION_KEY; the link's signature is an HMAC under a
 * key derived from it for this purpose only, so a link can never pass for a session cookie or a
 * CSRF token (the panel derives those under other labels). The token names the admin it was
 * made for, a random id (what makes it single-use: the panel records each id it took) and its
 * expiry. Whoever reads it learns nothing secret, and nobody without the key can make one.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readSignedJson, signJson } from './signed-json.js';

/** Where the panel takes a link (GET shows a confirmation, POST signs in). */
export const ADMIN_SIGN_IN_LINK_PATH = '/admin/auth/link';

/** The same floor as the panel's session key: it is the same key. */
export const MIN_ADMIN_LINK_KEY_BYTES = 32;

/** At most 64 characters of the admin's name travel in the link (it is shown on the panel's "Sign out" button). */
const NAME_MAX = 64;

export class AdminLinkKeyError extends Error {
  override readonly name = 'AdminLinkKeyError';
}

export interface AdminSignInToken {
  readonly adminId: bigint;
  /** How the panel names the admin (their @username or first name, as Telegram sent them). */
  readonly name: string;
  /** Random per link: the panel records it when the link is used, and refuses it after. */
  readonly tokenId: string;
  readonly expiresAt: Date;
}

interface Payload {
  readonly a: string;
  readonly n: string;
  readonly j: string;
  readonly e: number;
}

function isPayload(value: unknown): value is Payload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.a === 'string' && /^[1-9]\d{0,15}$/.test(v.a) && typeof v.n === 'string' && typeof v.j === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(v.j) && typeof v.e === 'number';
}

export class AdminSignInLinks {
  private readonly key: Buffer;

  constructor(sessionKey: Uint8Array) {
    if (sessionKey.length < MIN_ADMIN_LINK_KEY_BYTES) throw new AdminLinkKeyError(`the admin session key must be at least ${String(MIN_ADMIN_LINK_KEY_BYTES)} bytes`);
    this.key = createHmac('sha256', sessionKey).update('nova-admin:sign-in-link').digest();
  }

  /** A fresh token for this admin, valid for `ttlMs` from `now`. */
  issue(adminId: bigint, name: string, now: Date, ttlMs: number): { token: string; link: AdminSignInToken } {
    const link: AdminSignInToken = { adminId, name: name.slice(0, NAME_MAX), tokenId: randomBytes(18).toString('base64url'), expiresAt: new Date(now.getTime() + ttlMs) };
    const payload: Payload = { a: adminId.toString(), n: link.name, j: link.tokenId, e: link.expiresAt.getTime() };
    return { token: signJson(this.key, payload), link };
  }

  /** The link a token stands for, or undefined when it is forged, altered, malformed or expired. Says nothing of whether it was used. */
  read(token: string | null | undefined, now: Date): AdminSignInToken | undefined {
    const payload = readSignedJson(this.key, token, 1024);
    if (!isPayload(payload) || payload.e <= now.getTime()) return undefined;
    return { adminId: BigInt(payload.a), name: payload.n, tokenId: payload.j, expiresAt: new Date(payload.e) };
  }
}

/** The link itself: the panel's public base URL (scheme and host, any path ignored) with the token. */
export function adminSignInUrl(panelUrl: string, token: string): string {
  const url = new URL(ADMIN_SIGN_IN_LINK_PATH, panelUrl);
  url.searchParams.set('t', token);
  return url.toString();
}
