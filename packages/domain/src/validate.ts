import { refusalDetails } from '@nova/contracts';
import { InvalidArgumentError } from './errors.js';

/**
 * Input checks every context needs. Each failure is an InvalidArgumentError naming the field in
 * `details.field`; values are never echoed (they may be a secret pasted in the wrong place).
 * `details.reason` is a refusal code of @nova/contracts' catalogue (field-required, field-too-long,
 * …), so whoever relays the refusal to a person words it in their language; the message is for logs.
 */

/** Telegram ids have at most 52 significant bits (Bot API docs); larger values are not Telegram's. */
const MAX_TELEGRAM_ID = 2n ** 52n;

/** A Telegram user or bot id: positive, within Telegram's range. */
export function telegramId(value: bigint, field: string): bigint {
  if (value <= 0n || value >= MAX_TELEGRAM_ID) {
    throw new InvalidArgumentError(`${field} must be a positive Telegram id`, refusalDetails('field-telegram-id', { field }));
  }
  return value;
}

/** A Telegram chat id: users and bots are positive, groups and channels negative. */
export function telegramChatId(value: bigint, field: string): bigint {
  if (value === 0n || value >= MAX_TELEGRAM_ID || value <= -(2n ** 53n)) {
    throw new InvalidArgumentError(`${field} must be a Telegram chat id`, refusalDetails('field-chat-id', { field }));
  }
  return value;
}

export interface TextRule {
  /** Longest allowed, in UTF-16 code units (the unit of Telegram's limits and entity offsets). */
  readonly max: number;
  readonly required?: boolean;
  readonly pattern?: RegExp;
  /** What the pattern means, for the message. */
  readonly patternHint?: string;
}

/**
 * A text field; `undefined` when empty and not required. NUL is refused because PostgreSQL text
 * cannot hold it (it would otherwise surface as an internal error).
 */
export function text(value: string, field: string, rule: TextRule): string | undefined {
  if (value === '') {
    if (rule.required === true) throw new InvalidArgumentError(`${field} is required`, refusalDetails('field-required', { field }));
    return undefined;
  }
  if (value.includes('\u0000')) throw new InvalidArgumentError(`${field} must not contain NUL characters`, refusalDetails('field-nul', { field }));
  if (value.length > rule.max) throw new InvalidArgumentError(`${field} must be at most ${rule.max} characters`, refusalDetails('field-too-long', { field, max: String(rule.max) }));
  if (rule.pattern !== undefined && !rule.pattern.test(value)) {
    throw new InvalidArgumentError(`${field} must be ${rule.patternHint ?? `of the form ${rule.pattern.source}`}`, refusalDetails('field-malformed', { field }));
  }
  return value;
}

/** An idempotency key: optional, printable, no whitespace, bounded. */
export function effectKey(value: string, field = 'effect_key'): string | undefined {
  return text(value, field, { max: 256, pattern: /^\S+$/, patternHint: 'without whitespace' });
}
