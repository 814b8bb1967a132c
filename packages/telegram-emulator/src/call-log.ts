/**
 * A record of every Bot API call the emulator answered, for assertions, and waits for calls that
 * have not come yet. Tokens are never recorded: calls name the bot by id.
 */
import type { Params } from './params.js';

export interface RecordedCall {
  /** 1, 2, 3... in the order answered. */
  readonly seq: number;
  /** ms since the epoch when the call arrived. */
  readonly at: number;
  /**
   * The arrival on the `preciseNow` clock (sub-millisecond, monotonic: it may drift from `at`'s wall
   * clock), for intervals measured in this process where whole milliseconds are too coarse:
   * bench/'s update → reply latency is a few of them.
   */
  readonly preciseAt: number;
  /** The bot's id (the number before ':'), also for unknown tokens of the right shape. */
  readonly botId: number | undefined;
  readonly method: string;
  readonly params: Params;
  /** The HTTP status answered; 0 while a hang fault holds the call. */
  readonly status: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly errorCode?: number;
  readonly description?: string;
  /** `webhook-reply`: a method the bot answered a webhook delivery with. */
  readonly via: 'http' | 'webhook-reply';
}

/**
 * ms since the epoch with sub-millisecond precision, on the clock OpenTelemetry stamps spans with:
 * what `preciseAt` is read from, and what a caller in this process compares it with.
 */
export const preciseNow = (): number => performance.timeOrigin + performance.now();

export type CallPredicate = (call: RecordedCall) => boolean;

interface Waiter {
  readonly predicate: CallPredicate;
  readonly resolve: (call: RecordedCall) => void;
}

export class CallLog {
  private readonly calls: RecordedCall[] = [];
  private waiters: Waiter[] = [];

  get lastSeq(): number {
    return this.calls.length;
  }

  record(call: Omit<RecordedCall, 'seq'>): RecordedCall {
    const recorded = { ...call, seq: this.calls.length + 1 };
    this.calls.push(recorded);
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) {
      if (waiter.predicate(recorded)) waiter.resolve(recorded);
      else this.waiters.push(waiter);
    }
    return recorded;
  }

  all(predicate: CallPredicate = () => true): RecordedCall[] {
    return this.calls.filter(predicate);
  }

  /** The first call after `afterSeq` that matches; waits up to `timeoutMs` for it. */
  waitFor(predicate: CallPredicate, afterSeq: number, timeoutMs: number, what: string): Promise<RecordedCall> {
    const seen = this.calls.slice(afterSeq).find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== entry);
        reject(new Error(`telegram emulator: no ${what} within ${String(timeoutMs)} ms`));
      }, timeoutMs);
      const entry: Waiter = { predicate, resolve: (call) => { clearTimeout(timer); resolve(call); } };
      this.waiters.push(entry);
    });
  }
}
