import { randomBytes, randomInt } from 'node:crypto';

/** `<bot id>:<35 characters of A-Za-z0-9_->`, the shape of BotFather's tokens. */
export const TOKEN_PATTERN = /^(\d{1,20}):([A-Za-z0-9_-]{35})$/u;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** A fresh, well-formed token; its secret starts with "AA" like BotFather's. */
export function generateToken(botId: number = randomInt(100_000_000, 9_999_999_999)): string {
  const bytes = randomBytes(33);
  const secret = Array.from(bytes, (byte) => ALPHABET[byte % ALPHABET.length] ?? 'A').join('');
  return `${String(botId)}:AA${secret}`;
}

/** The id part of a token-shaped string, or undefined. */
export function botIdOfToken(token: string): number | undefined {
  const match = TOKEN_PATTERN.exec(token);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
