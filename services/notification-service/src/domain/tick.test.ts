import { describe, expect, it } from '@jest/globals';
import { tickIdAt, tickStart } from './tick.js';

describe('tick ids', () => {
  it('name the interval, the same on every replica whatever its start time', () => {
    expect(tickIdAt(new Date(59_999), 30_000)).toBe(1);
    expect(tickIdAt(new Date(60_000), 30_000)).toBe(2);
    expect(tickStart(2, 30_000)).toBe(60_000);
  });

  it('refuse an interval that is not a positive whole number of ms', () => {
    expect(() => tickIdAt(new Date(0), 0)).toThrow(RangeError);
    expect(() => tickIdAt(new Date(0), 1.5)).toThrow(RangeError);
  });
});
