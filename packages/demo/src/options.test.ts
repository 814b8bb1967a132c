import { describe, expect, it } from '@jest/globals';
import { DemoUsageError, parseOptions } from './options.js';

describe('parseOptions', () => {
  it('takes every stage the demo rehearses, 1 to 8', () => {
    for (const stage of [1, 2, 3, 4, 5, 6, 7, 8]) expect(parseOptions(['--stage', String(stage)], false).stage).toBe(stage);
    expect(parseOptions([], false)).toMatchObject({ stage: 1, rate: 10, users: 20, pauseMs: 15_000, intervalMs: 5_000, fail: false, live: false });
  });

  it('refuses a stage it does not rehearse, and the --fail it cannot show yet, with the reason', () => {
    expect(() => parseOptions(['--stage', '9'], false)).toThrow(/the demo rehearses stage 1, 2, 3, 4, 5, 6, 7 or 8/);
    expect(() => parseOptions(['--stage', '3', '--fail'], false)).toThrow(/A gap in stage 3/);
    expect(() => parseOptions(['--stage', '3', '--fail'], false)).toThrow(DemoUsageError);
    expect(parseOptions(['--stage', '6', '--fail'], false)).toMatchObject({ stage: 6, fail: true });
    expect(parseOptions(['--stage', '7', '--fail'], false)).toMatchObject({ stage: 7, fail: true });
    expect(parseOptions(['--stage', '8', '--fail'], false)).toMatchObject({ stage: 8, fail: true });
  });

  it('refuses unknown options and malformed values', () => {
    expect(() => parseOptions(['--fast'], false)).toThrow(/unknown option --fast/);
    expect(() => parseOptions(['--pause', '15'], false)).toThrow(/expected a duration like 15s/);
    expect(() => parseOptions(['--rate', '-1'], false)).toThrow(/expected a positive number/);
  });
});
