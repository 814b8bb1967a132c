import { describe, expect, it } from '@jest/globals';
import { currentWaitLedger, timeOwnWork, WaitLedger } from './outside-waits.js';

// A virtual clock: the arithmetic of own time and waits is checked exactly, without racing timers.
function clock(): { now: () => number; advance: (ms: number) => void } {
  let at = 5_000;
  return { now: () => at, advance: (ms) => { at += ms; } };
}

describe('WaitLedger', () => {
  it('counts overlapping waits once (their union in time) and a wait still open up to now', () => {
    const time = clock();
    const ledger = new WaitLedger(time.now);
    const first = ledger.begin();
    time.advance(300);
    const second = ledger.begin();
    time.advance(200);
    first();
    time.advance(100);
    expect(ledger.waitedMs()).toBe(600);
    second();
    second(); // a second end changes nothing
    time.advance(1_000);
    expect(ledger.waitedMs()).toBe(600);
    const third = ledger.begin();
    time.advance(50);
    expect(ledger.waitedMs()).toBe(650);
    third();
  });

  it('adds a wait a callee reported, and ignores one that is not a positive number', () => {
    const ledger = new WaitLedger(() => 0);
    ledger.add(120);
    ledger.add(-5);
    ledger.add(Number.NaN);
    expect(ledger.waitedMs()).toBe(120);
  });
});

describe('timeOwnWork', () => {
  it('answers the work\'s value, its time less the waits written into its ledger, and the waits', async () => {
    const time = clock();
    const timed = await timeOwnWork(async () => {
      time.advance(40);
      const end = currentWaitLedger()?.begin();
      time.advance(1_000);
      end?.();
      time.advance(10);
      await Promise.resolve();
      return 'sent';
    }, { now: time.now });
    expect(timed).toEqual({ value: 'sent', ownSeconds: 0.05, waitedSeconds: 1 });
  });

  it('keeps each piece of work\'s ledger to itself, even when they interleave', async () => {
    const time = clock();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const waiting = timeOwnWork(async () => {
      const end = currentWaitLedger()?.begin();
      await gate;
      end?.();
    }, { now: time.now });
    const other = timeOwnWork(() => { time.advance(200); return Promise.resolve(); }, { now: time.now });
    release();
    expect((await other).waitedSeconds).toBe(0);
    expect((await waiting).waitedSeconds).toBeCloseTo(0.2);
    expect(currentWaitLedger()).toBeUndefined();
  });

  it('never answers an own time below zero: a reported wait longer than the work is cut to the work', async () => {
    const time = clock();
    const timed = await timeOwnWork(() => { time.advance(100); currentWaitLedger()?.add(250); return Promise.resolve(); }, { now: time.now });
    expect(timed.ownSeconds).toBe(0);
    expect(timed.waitedSeconds).toBeCloseTo(0.1);
  });

  it('tells a failure its times and rethrows the work\'s own error', async () => {
    const time = clock();
    const told: number[][] = [];
    const boom = new Error('boom');
    await expect(timeOwnWork(() => {
      time.advance(30);
      currentWaitLedger()?.add(10);
      return Promise.reject(boom);
    }, { now: time.now, failed: (own, waited) => told.push([own, waited]) })).rejects.toBe(boom);
    expect(told).toEqual([[0.02, 0.01]]);
  });
});
