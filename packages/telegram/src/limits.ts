/**
 * The pacing primitives of the send scheduler: a token bucket per chat (by reservation:
 * `reserve(now)` takes the next free token and says how long to wait for it) and a window of
 * sends in flight per group and per bot (`acquire()` waits for a slot, its release marks the
 * answer).
 */
import { sleep } from '@nova/resilience';

/** `burst` sends at once, then one more every `intervalMs` (Telegram's "1 per second per chat, short bursts allowed"). */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly burst: number,
    private readonly intervalMs: number,
    now: number,
  ) {
    if (!(burst >= 1) || !(intervalMs > 0)) throw new RangeError(`token bucket needs burst >= 1 and intervalMs > 0 (got ${burst}, ${intervalMs})`);
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Takes a token; returns the milliseconds until it is really there (0 when it is now). */
  reserve(now: number): number {
    this.refill(now);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil(-this.tokens * this.intervalMs);
  }

  /**
   * The send that took the last token was in flight for `ms`: the bucket refills only from its
   * answer. Telegram counts a message when it arrives, which may be as late as the answer; a next
   * send paced from the reservation could arrive less than an interval after it (seen here: 983 ms
   * on a loaded machine). Paced from the answer, the next one cannot.
   */
  hold(ms: number): void {
    if (ms > 0) this.tokens -= ms / this.intervalMs;
  }

  /** True when the bucket is full again, so forgetting it changes nothing. */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.burst, this.tokens + elapsed / this.intervalMs);
    this.updatedAt = now;
  }
}

/** Starts an evenly spread window lets through at once to make up for late timers. */
const SPREAD_CATCH_UP = 2;

/** Gives back a slot of an InFlightWindow when its send was answered (idempotent). */
export type ReleaseSlot = () => void;

/**
 * At most `limit` sends in any `windowMs` as Telegram counts them: by when a message arrives
 * there, which this side never sees. A send arrives somewhere between its start and its answer,
 * so each one occupies the window from its start until `windowMs` after its answer, and a send
 * starts only while fewer than `limit` occupy it. Then no `limit + 1` arrivals can fall in one
 * window, whatever the network and the machine's load do to the timing: their occupancy
 * intervals would pairwise overlap (s_q <= a_q < a_p + W <= e_p + W), so by Helly's theorem all
 * `limit + 1` would occupy at one instant, which admission never allows. Pacing from the start
 * alone (the old SlidingWindow) let a late first arrival and an early next one land in one
 * window: 22 x 429 at 0.77x the limit on a loaded machine.
 *
 * The price is the answer's latency per slot: the rate is limit / (windowMs + latency), about
 * 0.99x on loopback, and it never overshoots. Slots are handed out first come, first served.
 *
 * `spacingMs` spreads the starts (at least that long between two): a burst of `limit` sends at
 * once queues at the server, and the last one's answer, a burst's worth later, is what frees
 * its slot. Spread evenly (windowMs / limit apart), each send meets an idle server and its
 * slot is back after one request's latency, not a burst's (the per-bot window: 0.88x -> see
 * bench/README.md).
 */
export class InFlightWindow {
  private inFlight = 0;
  /** Answer times of finished sends still inside the window, oldest first. */
  private readonly answered: number[] = [];
  /** The end of the queue of acquirers: each waits for the one before it (FIFO). */
  private tail: Promise<unknown> = Promise.resolve();
  private wakeOnRelease: (() => void) | undefined;
  /** When the next start is due on an evenly spread schedule (GCRA's theoretical arrival time). */
  private dueAt = Number.NEGATIVE_INFINITY;

  constructor(
    private limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void> = sleep,
    private spacingMs = 0,
  ) {
    if (!(limit >= 1) || !(windowMs > 0)) throw new RangeError(`in-flight window needs limit >= 1 and windowMs > 0 (got ${String(limit)}, ${String(windowMs)})`);
  }

  /**
   * A new limit (and spacing) from the next start on. Lowered, it holds every start until fewer
   * than the new limit occupy the window (sends already out keep their slots); raised, a start
   * waiting for an answer is woken at once (one waiting for the oldest answer to age out of the
   * window learns it then).
   */
  resize(limit: number, spacingMs = this.spacingMs): void {
    if (!(limit >= 1)) throw new RangeError(`in-flight window needs limit >= 1 (got ${String(limit)})`);
    const raised = limit > this.limit;
    this.limit = limit;
    this.spacingMs = spacingMs;
    if (!raised) return;
    const wake = this.wakeOnRelease;
    this.wakeOnRelease = undefined;
    wake?.();
  }

  /** Sends in flight or answered within the last window. */
  occupied(now: number = this.now()): number {
    this.forgetOld(now);
    return this.inFlight + this.answered.length;
  }

  /** True when nothing is in flight or answered within the last window: forgetting it changes nothing. */
  isEmpty(now: number): boolean {
    return this.occupied(now) === 0;
  }

  /**
   * Waits for a slot (in turn); call the answer when the send was answered, failed or not. An
   * abort rejects at once, even while others are ahead in the queue (a caller with a deadline
   * must not wait for the queue to reach it to learn that its time is up).
   */
  acquire(signal?: AbortSignal): Promise<ReleaseSlot> {
    const turn = this.tail.then(() => this.waitForRoom(signal));
    this.tail = turn.catch(() => undefined);
    return signal === undefined ? turn : untilAborted(turn, signal);
  }

  private async waitForRoom(signal: AbortSignal | undefined): Promise<ReleaseSlot> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.now();
      // A timer that fired late is made up for by the next starts (up to SPREAD_CATCH_UP at once).
      const spaced = this.dueAt - SPREAD_CATCH_UP * this.spacingMs;
      if (now < spaced) {
        await this.wait(spaced - now, signal);
        continue;
      }
      if (this.occupied(now) < this.limit) {
        this.dueAt = Math.max(this.dueAt, now) + this.spacingMs;
        return this.take();
      }
      const oldest = this.answered[0];
      if (oldest !== undefined) await this.wait(oldest + this.windowMs - now, signal);
      else await this.nextRelease(signal);
    }
  }

  /** Every slot is in flight: nothing frees one before an answer comes. */
  private nextRelease(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => { reject(signal?.reason as Error); };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.wakeOnRelease = () => { signal?.removeEventListener('abort', onAbort); resolve(); };
    });
  }

  private take(): ReleaseSlot {
    this.inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      // Clocks may step back: keep the list ordered so the oldest is first.
      this.answered.push(Math.max(this.now(), this.answered[this.answered.length - 1] ?? 0));
      const wake = this.wakeOnRelease;
      this.wakeOnRelease = undefined;
      wake?.();
    };
  }

  private forgetOld(now: number): void {
    while (this.answered.length > 0 && (this.answered[0] ?? now) + this.windowMs <= now) this.answered.shift();
  }
}

/**
 * `turn`, or its signal's reason as soon as it aborts. The turn itself sees the abort when the
 * queue reaches it and takes no slot then; one it took in the same instant is given back.
 */
function untilAborted(turn: Promise<ReleaseSlot>, signal: AbortSignal): Promise<ReleaseSlot> {
  const giveBack = (): void => { void turn.then((release) => { release(); }, () => undefined); };
  if (signal.aborted) {
    giveBack();
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<ReleaseSlot>((resolve, reject) => {
    const onAbort = (): void => {
      giveBack();
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    turn.finally(() => { signal.removeEventListener('abort', onAbort); }).then(resolve, reject);
  });
}
