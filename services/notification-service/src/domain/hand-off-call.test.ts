import { describe, expect, it } from '@jest/globals';
import { reported } from './hand-off-call.js';

describe('reported', () => {
  it('tells a call that answered as its items handed, and one that threw as its failed items', async () => {
    const calls: [boolean, number][] = [];
    const report = (ok: boolean, _seconds: number, items: number): void => { calls.push([ok, items]); };
    expect(await reported(report, () => Promise.resolve('answer'), 20)).toBe('answer');
    await expect(reported(report, () => Promise.reject(new Error('timeout')), 20)).rejects.toThrow('timeout');
    // A listing: nothing handed when it answers, one failed item when it does not.
    await reported(report, () => Promise.resolve([]), 0, 1);
    await expect(reported(report, () => Promise.reject(new Error('no responders')), 0, 1)).rejects.toThrow('no responders');
    expect(calls).toEqual([[true, 20], [false, 20], [false, 1]]);
  });
});
