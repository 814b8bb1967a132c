/**
 * sendWindow: how long a request may start sends. A full run caught create_post throwing
 * RangeError for a deadline an odd number of milliseconds away (AbortSignal.timeout takes whole
 * milliseconds only), so every parity and the short and long ends are checked here.
 */
import { describe, expect, it } from '@jest/globals';
import { sendWindow } from './publish.js';

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
});
