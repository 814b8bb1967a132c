import { describe, expect, it } from '@jest/globals';
import { SlidingWindow, TokenBucket } from './limits.js';

describe('TokenBucket', () => {
  it('lets a burst through, then one per interval, by reservation', () => {
    const bucket = new TokenBucket(3, 1000, 0);
    expect([bucket.reserve(0), bucket.reserve(0), bucket.reserve(0)]).toEqual([0, 0, 0]);
    expect(bucket.reserve(0)).toBe(1000);
    expect(bucket.reserve(0)).toBe(2000); // reserved after the previous one
    expect(bucket.reserve(2500)).toBe(500);
    expect(bucket.isFull(2500)).toBe(false);
    expect(bucket.isFull(6000)).toBe(true);
  });

  it('held for a send\'s time in flight, refills only from its answer: the next one goes an interval after that', () => {
    const bucket = new TokenBucket(1, 1000, 0);
    expect(bucket.reserve(0)).toBe(0);
    bucket.hold(250); // sent at 0, answered at 250: it may have arrived at 250
    expect(bucket.reserve(250)).toBe(1000); // not 750: at 1250, an interval after the answer
    bucket.hold(0);
    expect(bucket.reserve(2250)).toBe(0);
  });

  it('refuses nonsense settings', () => {
    expect(() => new TokenBucket(0, 1000, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0, 0)).toThrow(RangeError);
  });
});

describe('SlidingWindow', () => {
  it('allows limit sends in any window, reserving the slots after', () => {
    const window = new SlidingWindow(3, 1000);
    expect([0, 0, 0].map((at) => window.reserve(at))).toEqual([0, 0, 0]);
    expect(window.reserve(100)).toBe(900); // slot at 1000
    expect(window.reserve(100)).toBe(900);
    expect(window.reserve(100)).toBe(900);
    expect(window.reserve(100)).toBe(1900); // slot at 2000
    expect(window.isEmpty(2500)).toBe(false);
    expect(window.isEmpty(3001)).toBe(true);
  });

  it('never puts more than limit sends in any window', () => {
    const window = new SlidingWindow(5, 1000);
    const slots: number[] = [];
    let now = 0;
    for (let i = 0; i < 40; i++) {
      now += Math.floor(Math.random() * 120);
      slots.push(now + window.reserve(now));
    }
    for (const start of slots) expect(slots.filter((slot) => slot >= start && slot < start + 1000).length).toBeLessThanOrEqual(5);
  });
});
