/**
 * Per-key exponential backoff, like client-go's ItemExponentialFailureRateLimiter: the n-th
 * consecutive failure of a key waits base * 2^(n-1), capped; `forget` starts the key over.
 */
export interface RateLimiter {
  /** How long to wait before retrying `key`; counts one more failure for it. */
  when(key: string): number;
  forget(key: string): void;
  numRequeues(key: string): number;
}

export interface BackoffOptions {
  readonly baseMs?: number;
  readonly maxMs?: number;
}

export const DEFAULT_BASE_DELAY_MS = 5;
/**
 * 30 s, not client-go's minutes: a migration whose reconciles failed for a while (the apiserver
 * throttling or refusing the operator under load) is looked at again within half a minute of the
 * cause going away. With a 5 min cap, about 16 quick failures in a row (5 ms doubling) left a
 * migration untouched for minutes after the apiserver had recovered (issue 21, the fuzzer's
 * migrations without a status). Each retry is one reconcile: cheap at this rate.
 */
export const DEFAULT_MAX_DELAY_MS = 30_000;

export class ExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? DEFAULT_BASE_DELAY_MS;
    this.maxMs = options.maxMs ?? DEFAULT_MAX_DELAY_MS;
    if (!(this.baseMs > 0) || !(this.maxMs >= this.baseMs)) {
      throw new RangeError(`backoff needs 0 < baseMs <= maxMs, got baseMs=${this.baseMs} maxMs=${this.maxMs}`);
    }
  }

  when(key: string): number {
    const previous = this.failures.get(key) ?? 0;
    this.failures.set(key, previous + 1);
    return backoffDelay(previous, this.baseMs, this.maxMs);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/** base * 2^attempt capped at max; `attempt` counts from 0. Safe for huge attempts (no Infinity math). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  if (attempt >= 52) return maxMs;
  return Math.min(maxMs, baseMs * 2 ** attempt);
}
