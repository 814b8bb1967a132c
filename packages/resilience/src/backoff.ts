/**
 * Exponential backoff with full jitter (AWS's "exponential backoff and jitter"): attempt n waits a
 * random time in [0, min(cap, base * 2^n)], so many clients retrying at once spread out instead of
 * hammering a recovering callee in lock-step.
 */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly capMs: number;
  /** 0..1 source of randomness; Math.random when absent (tests pass a fixed one). */
  readonly random?: () => number;
}

export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt));
  return Math.round((options.random ?? Math.random)() * ceiling);
}

/** The deterministic schedule (no jitter) for settings that take a list of delays, like JetStream's consumer `backoff`. */
export function backoffSchedule(count: number, baseMs: number, capMs: number): number[] {
  return Array.from({ length: count }, (_, attempt) => Math.min(capMs, baseMs * 2 ** attempt));
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
