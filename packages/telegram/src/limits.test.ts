import { describe, expect, it } from '@jest/globals';
import { InFlightWindow, TokenBucket } from './limits.js';

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

describe('InFlightWindow', () => {
  /** Waits move the clock: only the head of the window's queue ever waits on a timer. */
  function manualClock(): { now: () => number; set: (at: number) => void; wait: (ms: number) => Promise<void> } {
    let at = 0;
    return { now: () => at, set: (to) => { at = to; }, wait: (ms) => { at += ms; return Promise.resolve(); } };
  }

  it('counts a send from its start until a window after its answer', async () => {
    const clock = manualClock();
    const window = new InFlightWindow(3, 1000, clock.now, clock.wait);
    const [first, second, third] = await Promise.all([window.acquire(), window.acquire(), window.acquire()]);
    let fourthAt: number | undefined;
    const fourth = window.acquire().then((release) => { fourthAt = clock.now(); return release; });
    await new Promise((resolve) => setImmediate(resolve));
    expect(fourthAt).toBeUndefined(); // all three in flight: nothing frees a slot but an answer
    clock.set(200);
    first(); // answered at 200: it may have arrived at 200, so its slot is free at 1200
    (await fourth)();
    expect(fourthAt).toBe(1200);
    expect(window.occupied(1200)).toBe(3);
    expect(window.isEmpty(2200)).toBe(false); // two still in flight
    second();
    third();
    expect(window.isEmpty(2200 + 1000)).toBe(true);
  });

  it('gives a release once, however often it is called', async () => {
    const window = new InFlightWindow(1, 1000, () => 0);
    const release = await window.acquire();
    release();
    release();
    expect(window.occupied(0)).toBe(1);
  });

  it('lets an aborted waiter go without taking a slot', async () => {
    const window = new InFlightWindow(1, 1000, () => 0);
    await window.acquire();
    const controller = new AbortController();
    const waiting = window.acquire(controller.signal);
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    expect(window.occupied(0)).toBe(1);
  });

  it('lets an aborted waiter go at once, though others wait ahead of it, and serves them in turn', async () => {
    const clock = manualClock();
    const window = new InFlightWindow(1, 1000, clock.now, clock.wait);
    const first = await window.acquire();
    const ahead = window.acquire();
    const controller = new AbortController();
    const behind = window.acquire(controller.signal);
    controller.abort(new Error('time is up'));
    await expect(behind).rejects.toThrow('time is up');
    first();
    (await ahead)();
    await new Promise((resolve) => setImmediate(resolve)); // the aborted one's turn comes, and takes nothing
    expect(window.occupied(clock.now())).toBe(1); // the one ahead, answered just now
  });

  it('holds starts at a lowered limit until fewer than it occupy the window, and wakes a waiter when raised', async () => {
    const clock = manualClock();
    const window = new InFlightWindow(3, 1000, clock.now, clock.wait);
    const [first, second] = await Promise.all([window.acquire(), window.acquire()]);
    window.resize(1); // another process joined: this one's share is one now
    let thirdAt: number | undefined;
    const third = window.acquire().then((release) => { thirdAt = clock.now(); return release; });
    await new Promise((resolve) => setImmediate(resolve));
    expect(thirdAt).toBeUndefined(); // two in flight, the limit is one
    clock.set(100);
    first();
    second(); // both answered at 100: the window holds two until 1100
    await third; // not answered yet: it stays in flight
    expect(thirdAt).toBe(1100);

    let fourthAt: number | undefined;
    const fourth = window.acquire().then((release) => { fourthAt = clock.now(); return release; });
    await new Promise((resolve) => setImmediate(resolve));
    expect(fourthAt).toBeUndefined(); // the third is in flight, alone at the limit
    window.resize(2); // the other process left: no answer needed to start
    (await fourth)();
    expect(fourthAt).toBe(1100);
  });

  it('refuses nonsense settings', () => {
    expect(() => new InFlightWindow(0, 1000)).toThrow(RangeError);
    expect(() => new InFlightWindow(1, 0)).toThrow(RangeError);
    expect(() => { new InFlightWindow(1, 1000).resize(0); }).toThrow(RangeError);
  });
});
