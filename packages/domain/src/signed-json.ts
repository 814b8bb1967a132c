/**
 * A JSON payload signed with HMAC-SHA256: `<base64url JSON>.<base64url signature>`. The admin
 * panel's session cookies and the main bot's one-time sign-in links are both this shape, each with
 * its own key; readable by anyone, made or altered by nobody without the key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signJson(key: Uint8Array, payload: unknown): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${hmac(key, body)}`;
}

/** The payload of a token signed with `key`, or undefined when it is longer than `maxLength`, malformed, altered or forged. */
export function readSignedJson(key: Uint8Array, token: string | null | undefined, maxLength: number): unknown {
  if (typeof token !== 'string' || token.length > maxLength) return undefined;
  const [body, signature, extra] = token.split('.');
  if (body === undefined || signature === undefined || extra !== undefined) return undefined;
  const expected = Buffer.from(hmac(key, body), 'base64url');
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function hmac(key: Uint8Array, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}
