/**
 * Records an effect that cannot be taken back: Telegram accepted a message, and only the record
 * that says so is missing (issue 21: the database restarting under the fleet). Failing at once
 * leaves the message's row leased and unsettled, and whoever takes it after the lease sends the
 * message again. So the record is retried (100 ms doubling to 2 s) while the caller still owns the
 * row, i.e. until `until` (ms since the epoch: the lease's end less a margin, or the time the
 * caller holds its bus message), and thrown as before once that has passed, or at once when
 * `stopping` aborts (the process is stopping: it must not outlive its grace period). What stays:
 * a SIGKILL between Telegram's answer and the record, or an outage longer than the time left,
 * still sends that message once more (crash-and-replay's bound: Telegram has no idempotency key).
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RecordRetryOptions {
  /** Give up after this moment (ms since the epoch); the last error is thrown. */
  readonly until: number;
  readonly stopping?: AbortSignal | undefined;
  /** Told of each failed attempt that will be retried (for a log line or a metric). */
  readonly onRetry?: (error: unknown, attempt: number) => void;
}

export const RECORD_RETRY_FIRST_MS = 100;
export const RECORD_RETRY_MAX_MS = 2_000;

export async function retryRecord<T>(record: () => Promise<T>, options: RecordRetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await record();
    } catch (error) {
      const delayMs = Math.min(RECORD_RETRY_MAX_MS, RECORD_RETRY_FIRST_MS * 2 ** Math.min(attempt, 5));
      if (options.stopping?.aborted === true || Date.now() + delayMs > options.until) throw error;
      options.onRetry?.(error, attempt + 1);
      await sleep(delayMs);
    }
  }
}
