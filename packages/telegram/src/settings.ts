import type { BackoffOptions } from '@nova/resilience';

/**
 * Telegram's documented limits (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
 * about one message per second in one chat (short bursts allowed), at most 20 messages per minute
 * in one group, about 30 messages per second overall for bulk notifications.
 */
export const TELEGRAM_DOCUMENTED_LIMITS = {
  perChatPerSecond: 1,
  perGroupPerMinute: 20,
  perBotPerSecond: 30,
} as const;

export interface RateLimitSettings {
  /** Every chat: `burst` messages at once, then one every `intervalMs`. */
  readonly perChat: { readonly burst: number; readonly intervalMs: number };
  /** Groups and channels (negative chat ids, @usernames): at most `limit` in any `windowMs`. */
  readonly perGroup: { readonly limit: number; readonly windowMs: number };
  /** The whole bot: at most `limit` messages in any `windowMs`. */
  readonly perBot: { readonly limit: number; readonly windowMs: number };
  /** Messages waiting for one chat before TelegramQueueFullError. */
  readonly maxQueuedPerChat: number;
  /** Messages waiting for the whole bot before TelegramQueueFullError. */
  readonly maxQueued: number;
}

/**
 * The documented limits, without a margin: every limit is paced from the answers, so a message
 * counts here no earlier than it can have arrived at Telegram, and network or machine jitter
 * cannot turn a send that was on time here into a 429 there. (The old 5 % margin on start times
 * did not hold: jitter on a loaded machine exceeded it, 22 x 429 in one run.)
 */
export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  perChat: { burst: 3, intervalMs: 1_000 },
  perGroup: { limit: 20, windowMs: 60_000 },
  perBot: { limit: 30, windowMs: 1_000 },
  maxQueuedPerChat: 100,
  maxQueued: 5_000,
};

export interface RetrySettings {
  /** 429s answered by waiting `retry_after` and sending again, per call. */
  readonly maxRateLimitRetries: number;
  /** A 429 asking for a longer wait is thrown to the caller instead (TelegramRateLimitError). */
  readonly maxRetryAfterSeconds: number;
  /** Retries after a 5xx, a timeout or a refused connection, per call. */
  readonly maxServerRetries: number;
  /** Jittered exponential backoff between those retries. */
  readonly backoff: BackoffOptions;
}

export const DEFAULT_RETRY: RetrySettings = {
  maxRateLimitRetries: 3,
  maxRetryAfterSeconds: 60,
  maxServerRetries: 3,
  backoff: { baseMs: 250, capMs: 5_000 },
};

export function withDefaults<T extends object>(defaults: T, overrides: Partial<T> | undefined): T {
  return { ...defaults, ...(overrides ?? {}) };
}
