import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { BotKeyring, InvalidEncryptionKeyError, TokenDecryptionError, TokenKeyMismatchError, matchesSha256, sha256 } from './keyring.js';

const KEY = randomBytes(32).toString('base64');
const OTHER_KEY = randomBytes(32).toString('base64');
const TOKEN = '7000000123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const BOT = 7_000_000_123n;

function errorOf(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected an Error to be thrown');
}

describe('BotKeyring', () => {
  it('seals a token so that it opens again, with a fresh IV each time and no clear text inside', () => {
    const keyring = BotKeyring.fromBase64(KEY);
    const first = keyring.seal(BOT, TOKEN);
    const second = keyring.seal(BOT, TOKEN);
    expect(keyring.open(BOT, first)).toBe(TOKEN);
    expect(keyring.open(BOT, second)).toBe(TOKEN);
    expect(Buffer.from(first.ciphertext).equals(Buffer.from(second.ciphertext))).toBe(false);
    const bytes = Buffer.from(first.ciphertext);
    expect(bytes.includes(Buffer.from(TOKEN))).toBe(false);
    expect(bytes.includes(Buffer.from(TOKEN.split(':')[1] ?? ''))).toBe(false);
    expect(first.keyId).toBe(keyring.keyId);
    expect(keyring.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(BotKeyring.fromBase64(KEY).keyId).toBe(keyring.keyId);
  });

  it('a wrong key fails clearly, naming both key ids and neither key nor token', () => {
    const sealed = BotKeyring.fromBase64(KEY).seal(BOT, TOKEN);
    const other = BotKeyring.fromBase64(OTHER_KEY);
    const error = errorOf(() => other.open(BOT, sealed));
    expect(error).toBeInstanceOf(TokenKeyMismatchError);
    expect(error.message).toContain(sealed.keyId);
    expect(error.message).toContain(other.keyId);
    expect(error.message).toContain('NOVA_TOKEN_ENCRYPTION_KEY');
    for (const secret of [TOKEN, KEY, OTHER_KEY]) expect(error.message).not.toContain(secret);
  });

  it('a wrong key that claims the right key id still does not open (GCM authentication)', () => {
    const sealed = BotKeyring.fromBase64(KEY).seal(BOT, TOKEN);
    const other = BotKeyring.fromBase64(OTHER_KEY);
    expect(() => other.open(BOT, { ...sealed, keyId: other.keyId })).toThrow(TokenDecryptionError);
  });

  it('refuses a tampered ciphertext, an unknown layout, and a token moved to another bot', () => {
    const keyring = BotKeyring.fromBase64(KEY);
    const sealed = keyring.seal(BOT, TOKEN);
    const tampered = new Uint8Array(sealed.ciphertext);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(() => keyring.open(BOT, { ...sealed, ciphertext: tampered })).toThrow(/authentication failed/);
    expect(() => keyring.open(BOT, { ...sealed, ciphertext: new Uint8Array([9, 1, 2]) })).toThrow(/unknown layout/);
    const error = errorOf(() => keyring.open(BOT + 1n, sealed));
    expect(error).toBeInstanceOf(TokenDecryptionError);
    expect(error.message).not.toContain(TOKEN);
  });

  it('refuses a key that is not 32 bytes of base64, naming the variable and not the value', () => {
    for (const bad of ['', 'short', randomBytes(16).toString('base64'), randomBytes(33).toString('base64'), `${KEY.slice(0, -2)}!=`]) {
      const error = errorOf(() => BotKeyring.fromBase64(bad, 'NOVA_TOKEN_ENCRYPTION_KEY'));
      expect(error).toBeInstanceOf(InvalidEncryptionKeyError);
      expect(error.message).toMatch(/^NOVA_TOKEN_ENCRYPTION_KEY must be 32 random bytes in base64/);
      if (bad.length > 4) expect(error.message).not.toContain(bad);
    }
  });

  it('derives a stable webhook secret per bot and token, in Telegram\'s alphabet, that depends on the key', () => {
    const keyring = BotKeyring.fromBase64(KEY);
    const secret = keyring.webhookSecret(BOT, TOKEN);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(keyring.webhookSecret(BOT, TOKEN)).toBe(secret);
    expect(keyring.webhookSecret(BOT, `${TOKEN}x`)).not.toBe(secret);
    expect(BotKeyring.fromBase64(OTHER_KEY).webhookSecret(BOT, TOKEN)).not.toBe(secret);
    expect(secret).not.toContain(TOKEN.split(':')[1]);
  });

  it('compares a presented secret with a stored hash', () => {
    const stored = sha256('s3cret');
    expect(matchesSha256('s3cret', stored)).toBe(true);
    expect(matchesSha256('s3cres', stored)).toBe(false);
    expect(matchesSha256('s3cret', stored.subarray(0, 16))).toBe(false);
  });
});
