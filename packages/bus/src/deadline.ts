/**
 * A request's `Nova-Deadline` header (ms since the epoch, written by the caller's bus) as the
 * handler sees it. The header comes off the wire: anything may be in it.
 */

/** The longest a Node timer can wait (2^31 - 1 ms, about 24.8 days); Node's documentation: a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Undefined when the header is absent or not a positive whole number of milliseconds; else the
 * deadline, brought within MAX_TIMER_MS of `now`. A caller that would wait longer than that is
 * served as one that waits that long: the handler's `AbortSignal.timeout(deadline - now)` must
 * not throw (a RangeError answered as INTERNAL, found by test/fuzz/bus.test.ts) nor fire at once.
 */
export function readDeadline(header: string | undefined, now: number): number | undefined {
  if (header === undefined || !/^\d+$/u.test(header)) return undefined;
  const deadline = Number(header);
  if (deadline <= 0) return undefined;
  return Math.min(deadline, now + MAX_TIMER_MS);
}
