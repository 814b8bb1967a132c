/**
 * Constant-time checks of what a webhook call presents. Both sides are hashed first, so the
 * comparison takes the same time whatever the lengths, and only hashes of the bots' secrets
 * ever reach this process (svc.bot.webhook_auth).
 */
import { hash, timingSafeEqual } from 'node:crypto';

// crypto.hash is the one-shot form: a webhook hashes one short string per call, and a Hash object
// per call was most of this module's cost in the gateway's profile (bench/README.md, webhook).
export function sha256(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}

/** `presented` hashes to `expectedSha256` (false when nothing was presented). */
export function matchesHash(presented: string | undefined, expectedSha256: Uint8Array): boolean {
  if (presented === undefined) return false;
  const digest = sha256(presented);
  return expectedSha256.length === digest.length && timingSafeEqual(digest, expectedSha256);
}

/** The secret a process holds (the main bot's), compared with what was presented. */
export function sameSecret(presented: string | undefined, expected: string): boolean {
  return matchesHash(presented, sha256(expected));
}

/** The X-Telegram-Bot-Api-Secret-Token header, when sent exactly once. */
export function secretHeader(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const value = headers['x-telegram-bot-api-secret-token'];
  return typeof value === 'string' ? value : undefined;
}
