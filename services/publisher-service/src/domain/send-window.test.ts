/**
 * sendWindow: how long a request may start sends. A full run caught create_post throwing
 * RangeError for a deadline an odd number of milliseconds away (AbortSignal.timeout takes whole
 * milliseconds only), so every parity and the short and long ends are checked here.
 */
import { describe, expect, it } from '@jest/globals';
import { REQUEST_START_MS, sendWindow, sendWindowMs } from './publish.js';

describe('sendWindow', () => {
  it('accepts a deadline an odd or fractional number of milliseconds away', () => {
    for (const left of [1, 3, 999, 1_001, 2_993, 2_993.5, 3_000]) {
      expect(() => sendWindow({ deadline: 10_000 + left }, () => 10_000)).not.toThrow();
    }
  });

  it('is undefined without a deadline or a signal, the caller\'s signal without a deadline, and already over for a past deadline', async () => {
    expect(sendWindow({})).toBeUndefined();
    const caller = new AbortController();
    expect(sendWindow({ signal: caller.signal })).toBe(caller.signal);
    // A past deadline gives a window of 0 ms: its abort comes, the state is waited on, not a timer.
    const past = sendWindow({ deadline: 5_000 }, () => 10_000);
    if (past?.aborted === false) await new Promise((resolve) => { past.addEventListener('abort', resolve, { once: true }); });
    expect(past?.aborted).toBe(true);
  });

  it('starts sends for REQUEST_START_MS at most however far the deadline, less when the deadline is near', () => {
    expect(sendWindowMs(10_000 + 30_000, 10_000)).toBe(REQUEST_START_MS);
    expect(sendWindowMs(10_000 + 2_500, 10_000)).toBe(REQUEST_START_MS);
    // The answer's reserve is at most half the time left: 1.2 s left, 600 ms to start sends.
    expect(sendWindowMs(10_000 + 1_200, 10_000)).toBe(600);
    expect(sendWindowMs(10_000 + 1_201, 10_000)).toBe(600);
    expect(sendWindowMs(5_000, 10_000)).toBe(0);
  });
});
