/**
 * Telegram Login Widget data (core.telegram.org/widgets/login, "Checking authorization"): the
 * widget redirects to our auth URL with id, first_name, last_name, username, photo_url,
 * auth_date and hash. hash is the hex HMAC-SHA-256 of the data-check-string (every received
 * field but hash, sorted by name, as key=value lines joined by "\n") under the key SHA-256(bot
 * token). auth_date must be fresh: signed data replayed later is refused.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface TelegramLogin {
  readonly telegramId: bigint;
  readonly firstName: string;
  readonly username: string | undefined;
  readonly authDate: Date;
}

export type LoginRefusal = 'incomplete' | 'bad-signature' | 'stale' | 'from-the-future';

/** The data is not a genuine, fresh Telegram login. `reason` is safe to log; the data is not. */
export class LoginRefusedError extends Error {
  override readonly name = 'LoginRefusedError';
  constructor(readonly reason: LoginRefusal, message: string) {
    super(message);
  }
}

/** Our own parameters on the auth URL, not Telegram's: kept out of the data-check-string. */
export const OWN_LOGIN_PARAMETERS: ReadonlySet<string> = new Set(['next']);

/** How far auth_date may be ahead of our clock (clock skew), not more. */
const FUTURE_SKEW_MS = 60_000;

function dataCheckString(fields: ReadonlyMap<string, string>): string {
  return [...fields.entries()]
    .filter(([name]) => name !== 'hash' && !OWN_LOGIN_PARAMETERS.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('\n');
}

function signatureOf(fields: ReadonlyMap<string, string>, botToken: string): Buffer {
  const key = createHash('sha256').update(botToken).digest();
  return createHmac('sha256', key).update(dataCheckString(fields)).digest();
}

/** What Telegram does: the hash for these fields (tests, and the operator's login-link tool). */
export function signTelegramLogin(fields: Readonly<Record<string, string>>, botToken: string): string {
  return signatureOf(new Map(Object.entries(fields)), botToken).toString('hex');
}

export interface VerifyOptions {
  readonly botToken: string;
  readonly now: Date;
  /** How old auth_date may be. */
  readonly maxAgeMs: number;
}

/** Checks the signature in constant time, then freshness; throws LoginRefusedError. */
export function verifyTelegramLogin(query: URLSearchParams, options: VerifyOptions): TelegramLogin {
  const fields = new Map<string, string>();
  for (const [name, value] of query) {
    if (fields.has(name)) throw new LoginRefusedError('incomplete', `the login data repeats ${name}`);
    fields.set(name, value);
  }
  const hash = fields.get('hash') ?? '';
  const id = fields.get('id') ?? '';
  const authDate = fields.get('auth_date') ?? '';
  if (!/^[0-9a-f]{64}$/.test(hash) || !/^\d{1,16}$/.test(id) || !/^\d{1,12}$/.test(authDate)) {
    throw new LoginRefusedError('incomplete', 'the login data lacks id, auth_date or hash');
  }
  const expected = signatureOf(fields, options.botToken);
  if (!timingSafeEqual(expected, Buffer.from(hash, 'hex'))) throw new LoginRefusedError('bad-signature', 'the login data is not signed by the bot');
  const signedAt = new Date(Number(authDate) * 1000);
  const age = options.now.getTime() - signedAt.getTime();
  if (age > options.maxAgeMs) throw new LoginRefusedError('stale', 'the login is too old: sign in again');
  if (age < -FUTURE_SKEW_MS) throw new LoginRefusedError('from-the-future', 'the login is dated in the future');
  return { telegramId: BigInt(id), firstName: fields.get('first_name') ?? '', username: fields.get('username'), authDate: signedAt };
}
