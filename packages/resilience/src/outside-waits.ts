/**
 * A handler's own time, apart from the time it waited on a limit the outside world sets.
 *
 * Telegram allows about one message a second in a chat: a handler that answers a person whose
 * second and fourth message arrived together waits about a second for Telegram's turn, on
 * either side of a migration, however fast the side is. Counted in the handler's duration, that
 * wait decides a stage's p95 whenever an analysis window holds a burst or only a few requests,
 * and the analysis would judge Telegram's rule instead of the side. So a handler runs inside a
 * WaitLedger, the Telegram client's pacing writes its waits into the ledger of whoever asked
 * for the send (captured when it asked), and the bus records the handler's duration without
 * them, with the waits in a histogram of their own beside it.
 *
 * Waits are counted by their union in time: two sends paced at once for one handler are one
 * wait, not two. A wait a callee reports back (a bus request whose handler was paced) is added
 * as it is. The own time never goes below zero.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export class WaitLedger {
  private open = 0;
  private openedAt = 0;
  private closedMs = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A wait starts; call the answer when it ends (once; a second call does nothing). */
  begin(): () => void {
    if (this.open++ === 0) this.openedAt = this.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.open === 0) this.closedMs += this.now() - this.openedAt;
    };
  }

  /** A wait measured elsewhere (a callee's, reported with its answer). */
  add(ms: number): void {
    if (Number.isFinite(ms) && ms > 0) this.closedMs += ms;
  }

  /** Milliseconds waited so far, a wait still open counted up to now. */
  waitedMs(): number {
    return this.closedMs + (this.open > 0 ? this.now() - this.openedAt : 0);
  }
}

const ledgers = new AsyncLocalStorage<WaitLedger>();

/** The time of one piece of work: all of it, and the part that waited on outside limits. */
export interface TimedWork<T> {
  readonly value: T;
  /** The whole duration less the outside waits, in seconds (never negative). */
  readonly ownSeconds: number;
  /** The outside waits, in seconds (at most the whole duration). */
  readonly waitedSeconds: number;
}

export interface TimeOwnWorkOptions {
  /** Told the times when the work throws (a failed message is measured alike); the error is rethrown unchanged. */
  readonly failed?: (ownSeconds: number, waitedSeconds: number) => void;
  /** Milliseconds; a test's virtual clock, else performance.now. */
  readonly now?: () => number;
}

/** Runs `work` inside a new ledger and answers its value with its own time and its waits. */
export async function timeOwnWork<T>(work: () => Promise<T>, options: TimeOwnWorkOptions = {}): Promise<TimedWork<T>> {
  const now = options.now ?? (() => performance.now());
  const ledger = new WaitLedger(now);
  const started = now();
  const times = (): { ownSeconds: number; waitedSeconds: number } => {
    const total = Math.max(0, now() - started);
    const waited = Math.min(total, ledger.waitedMs());
    return { ownSeconds: (total - waited) / 1000, waitedSeconds: waited / 1000 };
  };
  try {
    const value = await ledgers.run(ledger, work);
    return { value, ...times() };
  } catch (error) {
    const { ownSeconds, waitedSeconds } = times();
    options.failed?.(ownSeconds, waitedSeconds);
    throw error;
  }
}

/** The ledger of the work running now (undefined outside timeOwnWork): capture it where a wait is asked for. */
export function currentWaitLedger(): WaitLedger | undefined {
  return ledgers.getStore();
}
