/**
 * Is a callback really from the provider? Both checks are constant-time and read only what they
 * must; neither the secrets nor what was presented ever reach a log or an error.
 *
 * CryptoBot signs: `crypto-pay-api-signature` is the hex HMAC-SHA256 of the raw body (the bytes
 * as received, before any parsing) keyed with SHA-256(API token).
 * Platega does not sign: its callback carries the merchant's own X-MerchantId and X-Secret.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const SIGNATURE_HEX = /^[0-9a-f]{64}$/i;

/** The one value of a header sent exactly once; undefined when missing or repeated. */
export function singleHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}

export function cryptoPaySignatureValid(token: string, rawBody: Buffer, presented: string | undefined): boolean {
  if (presented === undefined || !SIGNATURE_HEX.test(presented)) return false;
  const key = createHash('sha256').update(token, 'utf8').digest();
  const expected = createHmac('sha256', key).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(presented, 'hex'));
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Both headers match, compared as hashes so the time taken says nothing about lengths or prefixes. */
export function plategaCredentialsValid(expected: { merchantId: string; secret: string }, headers: IncomingHttpHeaders): boolean {
  const merchantId = singleHeader(headers, 'x-merchantid');
  const secret = singleHeader(headers, 'x-secret');
  if (merchantId === undefined || secret === undefined) return false;
  // Both compared always (no early exit), so a right merchant id with a wrong secret takes as long as neither.
  const idMatches = timingSafeEqual(sha256(merchantId), sha256(expected.merchantId));
  const secretMatches = timingSafeEqual(sha256(secret), sha256(expected.secret));
  return idMatches && secretMatches;
}
