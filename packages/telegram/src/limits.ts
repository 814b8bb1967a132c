/**
 * The two pacing primitives of the send scheduler. Both work by reservation: `reserve(now)`
 * takes the next free slot and says how long to wait for it, so callers that reserve in turn are
 * served in turn without a timer per waiter.
 */

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

/** At most `limit` sends in any `windowMs` ("20 messages per minute per group", "30 per second per bot"). */
export class SlidingWindow {
  /** Start times of the sends of the last window, reserved ones included, oldest first. */
  private readonly slots: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {
    if (!(limit >= 1) || !(windowMs > 0)) throw new RangeError(`sliding window needs limit >= 1 and windowMs > 0 (got ${limit}, ${windowMs})`);
  }

  reserve(now: number): number {
    while (this.slots.length > 0 && (this.slots[0] ?? now) <= now - this.windowMs) this.slots.shift();
    const blocking = this.slots.length >= this.limit ? this.slots[this.slots.length - this.limit] : undefined;
    const slot = blocking === undefined ? now : Math.max(now, blocking + this.windowMs);
    this.slots.push(slot);
    return slot - now;
  }

  /** True when no send of the last window is remembered. */
  isEmpty(now: number): boolean {
    const last = this.slots[this.slots.length - 1];
    return last === undefined || last <= now - this.windowMs;
  }
}
