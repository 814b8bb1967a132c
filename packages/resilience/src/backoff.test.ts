import { describe, expect, it } from '@jest/globals';
import { backoffDelay, backoffSchedule, sleep } from './backoff.js';

describe('backoff', () => {
  it('grows exponentially up to the cap, jittered below the ceiling', () => {
    expect(backoffDelay(0, { baseMs: 100, capMs: 1000, random: () => 1 })).toBe(100);
    expect(backoffDelay(3, { baseMs: 100, capMs: 1000, random: () => 1 })).toBe(800);
    expect(backoffDelay(10, { baseMs: 100, capMs: 1000, random: () => 1 })).toBe(1000);
    expect(backoffDelay(10, { baseMs: 100, capMs: 1000, random: () => 0.25 })).toBe(250);
  });

  it('gives a capped schedule for JetStream-style backoff lists', () => {
    expect(backoffSchedule(5, 1000, 5000)).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('sleep rejects with the abort reason', async () => {
    const controller = new AbortController();
    const waiting = sleep(10_000, controller.signal);
    controller.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
  });
});
