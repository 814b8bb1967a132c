import { describe, expect, it } from '@jest/globals';
import { MAX_TIMER_MS, readDeadline } from './deadline.js';

describe('readDeadline', () => {
  const now = 1_800_000_000_000;

  it('takes a timestamp a caller writes', () => {
    expect(readDeadline(String(now + 5_000), now)).toBe(now + 5_000);
    // Already passed: the handler's signal aborts at once, as it should.
    expect(readDeadline(String(now - 5_000), now)).toBe(now - 5_000);
  });

  it('ignores what is not a positive whole number of milliseconds', () => {
    for (const header of [undefined, '', 'abc', '-1', '0', '1.5', '1e12', ' 12', '0x10']) expect(readDeadline(header, now)).toBeUndefined();
  });

  it('brings a deadline beyond a timer\'s reach within it (the fuzz case: 99999999999999999999)', () => {
    expect(readDeadline('99999999999999999999', now)).toBe(now + MAX_TIMER_MS);
    const deadline = readDeadline('99999999999999999999', now) ?? 0;
    // What serve-context does with it: must not throw.
    expect(() => AbortSignal.timeout(deadline - now)).not.toThrow();
  });
});
