import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { FailedPreconditionError } from '@nova/domain';

/**
 * Everything derived from NOVA_TOKEN_ENCRYPTION_KEY (32 random bytes, base64), each through HKDF
 * with its own label so no key serves two purposes:
 *  - the AES-256-GCM key that seals child bot tokens at rest (bound to the bot id as AAD, so a
 *    sealed token copied onto another bot's row does not open);
 *  - the HMAC key that derives each bot's webhook secret_token from its id and token, so every
 *    attempt to add the same bot sets the same secret (two racing adds cannot leave Telegram
 *    with a secret the database does not know) and no secret is stored, only its sha256;
 *  - a key id (a fingerprint that reveals nothing of the key) recorded beside each sealed token.
 */

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** First byte of a sealed token: the layout version (IV, tag, ciphertext). */
const SEAL_VERSION = 1;
const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;

/** The configured key is not 32 bytes of base64. Names the variable, never echoes the value. */
export class InvalidEncryptionKeyError extends Error {
  override readonly name = 'InvalidEncryptionKeyError';
  constructor(readonly variable: string) {
    super(`${variable} must be 32 random bytes in base64 (44 characters ending in "="), e.g. from \`openssl rand -base64 32\``);
  }
}

/** A stored token was sealed under another key than the configured one. */
export class TokenKeyMismatchError extends FailedPreconditionError {
  override readonly name = 'TokenKeyMismatchError';
  constructor(botId: bigint, storedKeyId: string, configuredKeyId: string) {
    super(
      `the token of bot ${botId} was encrypted with key ${storedKeyId}, but the configured NOVA_TOKEN_ENCRYPTION_KEY is key ${configuredKeyId}; ` +
        'configure the key it was stored with',
      { bot_id: botId.toString(), stored_key_id: storedKeyId, configured_key_id: configuredKeyId },
    );
  }
}

/** A sealed token that does not open under its own key: damaged or tampered with. */
export class TokenDecryptionError extends FailedPreconditionError {
  override readonly name = 'TokenDecryptionError';
  constructor(botId: bigint, reason: string) {
    super(`the stored token of bot ${botId} cannot be decrypted (${reason}); it was damaged or altered`, { bot_id: botId.toString() });
  }
}

export interface SealedToken {
  readonly ciphertext: Uint8Array<ArrayBuffer>;
  readonly keyId: string;
}

export function sha256(value: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(value, 'utf8').digest());
}

/** Constant-time comparison of a presented secret with a stored sha256. */
export function matchesSha256(presented: string, expected: Uint8Array): boolean {
  const digest = sha256(presented);
  return digest.length === expected.length && timingSafeEqual(digest, expected);
}

function derive(key: Buffer, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `nova/bot-service/${label}`, KEY_BYTES));
}

function aad(botId: bigint): Buffer {
  return Buffer.from(`nova bot token ${botId}`, 'utf8');
}

export class BotKeyring {
  /** A fingerprint of the key, stored beside each sealed token. */
  readonly keyId: string;
  readonly #sealKey: Buffer;
  readonly #webhookKey: Buffer;

  private constructor(key: Buffer) {
    this.#sealKey = derive(key, 'token-seal');
    this.#webhookKey = derive(key, 'webhook-secret');
    this.keyId = derive(key, 'key-id').subarray(0, 8).toString('hex');
  }

  /** From the configuration value; `variable` names it in the error. */
  static fromBase64(value: string, variable = 'NOVA_TOKEN_ENCRYPTION_KEY'): BotKeyring {
    if (!BASE64_32_BYTES.test(value)) throw new InvalidEncryptionKeyError(variable);
    return new BotKeyring(Buffer.from(value, 'base64'));
  }

  seal(botId: bigint, token: string): SealedToken {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#sealKey, iv);
    cipher.setAAD(aad(botId));
    const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    const sealed = Buffer.concat([Buffer.of(SEAL_VERSION), iv, cipher.getAuthTag(), body]);
    return { ciphertext: new Uint8Array(sealed), keyId: this.keyId };
  }

  open(botId: bigint, sealed: SealedToken): string {
    if (sealed.keyId !== this.keyId) throw new TokenKeyMismatchError(botId, sealed.keyId, this.keyId);
    const bytes = Buffer.from(sealed.ciphertext);
    if (bytes.length < 1 + IV_BYTES + TAG_BYTES || bytes[0] !== SEAL_VERSION) {
      throw new TokenDecryptionError(botId, 'unknown layout');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#sealKey, bytes.subarray(1, 1 + IV_BYTES));
    decipher.setAAD(aad(botId));
    decipher.setAuthTag(bytes.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new TokenDecryptionError(botId, 'authentication failed');
    }
  }

  /**
   * The secret_token for a bot's webhook: 43 characters of [A-Za-z0-9_-] (Telegram allows 1-256
   * of A-Z, a-z, 0-9, _ and -), the same for the same bot and token.
   */
  webhookSecret(botId: bigint, token: string): string {
    return createHmac('sha256', this.#webhookKey).update(`${botId}\n${token}`, 'utf8').digest('base64url');
  }
}
