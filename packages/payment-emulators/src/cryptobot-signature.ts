import { createHash, createHmac } from 'node:crypto';

/**
 * The `crypto-pay-api-signature` header of a Crypto Pay webhook, as CryptoBot documents it: hex
 * HMAC-SHA256 of the raw request body, keyed with the SHA-256 digest (32 raw bytes) of the app's
 * API token.
 */
export function cryptoPaySignature(token: string, rawBody: string | Buffer): string {
  const key = createHash('sha256').update(token, 'utf8').digest();
  return createHmac('sha256', key).update(rawBody).digest('hex');
}
