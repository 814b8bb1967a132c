import { describe, expect, it } from '@jest/globals';
import { DemoUsageError, parseOptions } from './options.js';

describe('parseOptions', () => {
  it('takes every stage the demo rehearses, 1 to 8', () => {
    for (const stage of [1, 2, 3, 4, 5, 6, 7, 8]) expect(parseOptions(['--stage', String(stage)], false).stage).toBe(stage);
    expect(parseOptions(['--stage', '1'], false)).toMatchObject({ stage: 1, rate: 10, users: 20, pauseMs: 15_000, intervalMs: 5_000, fail: false, live: false });
  });

  it('rehearses the whole plan with no --stage, with its shorter pauses and checks, and --fail N names the stage that breaks', () => {
    const whole = parseOptions([], false);
    expect(whole).toMatchObject({ rate: 10, users: 20, pauseMs: 3_000, intervalMs: 2_000, fail: false });
    expect(whole.stage).toBeUndefined();
    expect(whole.failStage).toBeUndefined();
    expect(parseOptions(['--fail', '4'], false)).toMatchObject({ failStage: 4, fail: false });
    expect(parseOptions(['--fail', '7', '--no-live'], false).failStage).toBe(7);
    expect(parseOptions(['--pause', '10s'], false).pauseMs).toBe(10_000);
    expect(() => parseOptions(['--fail'], false)).toThrow(/say which stage of the whole plan breaks/);
    expect(() => parseOptions(['--fail', '3'], false)).toThrow(/--fail 3: not yet.*A gap in stage 3/);
    expect(() => parseOptions(['--fail', '9'], false)).toThrow(/the plan's stages are 1 to 8/);
    // --stage N keeps its meaning: plain --fail, or --fail with its own number.
    expect(parseOptions(['--stage', '5', '--fail'], false)).toMatchObject({ stage: 5, fail: true, pauseMs: 15_000 });
    expect(parseOptions(['--stage', '5', '--fail', '5'], false)).toMatchObject({ stage: 5, fail: true });
    expect(parseOptions(['--stage', '5', '--fail', '5'], false).failStage).toBeUndefined();
    expect(() => parseOptions(['--stage', '5', '--fail', '4'], false)).toThrow(/a single-stage run breaks its own stage/);
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
    expect(() => parseOptions(['--p95-limit', 'slow'], false)).toThrow(/--p95-limit slow: expected a duration/);
  });

  it('leaves each stage its own p95 limit unless --p95-limit raises the floor', () => {
    expect(parseOptions([], false).p95FloorMs).toBeUndefined();
    expect(parseOptions(['--p95-limit', '30s'], false).p95FloorMs).toBe(30_000);
  });

  it('--cluster is stage 2 on the one-node cluster, plain or with --fail; another stage with it is refused', () => {
    expect(parseOptions(['--cluster'], false)).toMatchObject({ cluster: true, stage: 2, fail: false, pauseMs: 15_000, intervalMs: 5_000 });
    expect(parseOptions(['--cluster', '--fail'], false)).toMatchObject({ cluster: true, stage: 2, fail: true });
    expect(parseOptions(['--cluster', '--stage', '2', '--fail', '2'], false)).toMatchObject({ cluster: true, stage: 2, fail: true });
    expect(parseOptions(['--stage', '2'], false).cluster).toBe(false);
    expect(() => parseOptions(['--cluster', '--stage', '5'], false)).toThrow(/the cluster run shows stage 2/);
    expect(() => parseOptions(['--cluster', '--fail', '4'], false)).toThrow(/a single-stage run breaks its own stage/);
  });
});
