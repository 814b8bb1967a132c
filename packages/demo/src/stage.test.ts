import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { parseOptions } from './options.js';
import { adaptStage, demoFailureLimit, isDatabaseStage, loadStage, promotedOnTheWay, STAGE_FILES } from './stage.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ENDPOINTS = { legacy: { host: '127.0.0.1', port: 1 }, target: { host: '127.0.0.1', port: 2 }, prometheusUrl: 'http://127.0.0.1:3' };

describe('adaptStage', () => {
  it('keeps every dependency as written: stage 8 waits for stage 7, which the demo now runs', () => {
    const stage = loadStage(REPO_ROOT, STAGE_FILES[8][0]);
    expect(stage.spec.dependsOn).toEqual(['stage-7-database']);
    expect(adaptStage(stage, ENDPOINTS, parseOptions([], false)).spec.dependsOn).toEqual(['stage-7-database']);
    const stage7 = loadStage(REPO_ROOT, STAGE_FILES[7][0]);
    expect(adaptStage(stage7, ENDPOINTS, parseOptions([], false)).spec.dependsOn).toEqual(['stage-6-notifications']);
  });

  it('adapts stage 7 (tables, no traffic provider) for time and Prometheus only: no address, its steps and contexts as written', () => {
    const stage = loadStage(REPO_ROOT, STAGE_FILES[7][0]);
    expect(isDatabaseStage(stage)).toBe(true);
    const adapted = adaptStage(stage, ENDPOINTS, parseOptions(['--pause', '2s'], false));
    expect(adapted.spec.legacy).toBeUndefined();
    expect(adapted.spec.database).toEqual(stage.spec.database);
    expect(adapted.spec.steps.filter((step) => 'moveSchema' in step)).toEqual(stage.spec.steps.filter((step) => 'moveSchema' in step));
    expect(adapted.spec.steps).toContainEqual({ pause: { duration: '2s' } });
    expect(adapted.spec.analysis).toMatchObject({ prometheus: { address: 'http://127.0.0.1:3' } });
  });

  it('judges p95 against the stage file\'s own limit (the plan\'s 200 ms), which --p95-limit can only raise', () => {
    const stage = loadStage(REPO_ROOT, STAGE_FILES[3][0]);
    const p95 = (argv: string[]): unknown => adaptStage(stage, ENDPOINTS, parseOptions(argv, false), 1).spec.analysis?.thresholds?.p95LatencyMs;
    expect(stage.spec.analysis?.thresholds?.p95LatencyMs).toBe(200);
    expect(p95([])).toBe(200);
    expect(p95(['--p95-limit', '30s'])).toBe(30_000);
    expect(p95(['--p95-limit', '100ms'])).toBe(200);
  });
});

describe('demoFailureLimit', () => {
  const stage3 = loadStage(REPO_ROOT, STAGE_FILES[3][0]);

  it('asks for the evidence the file asks for: its checks see disjoint windows, the demo\'s see each request four times', () => {
    expect(stage3.spec.analysis).toMatchObject({ interval: '1m', failureLimit: 2 });
    expect(stage3.spec.analysis?.window).toBeUndefined();
    // The whole plan's 2-s interval and single stages' 5 s alike: a window of four intervals.
    expect(demoFailureLimit(stage3, parseOptions([], false))).toBe(8);
    expect(demoFailureLimit(stage3, parseOptions(['--stage', '3'], false))).toBe(8);
    expect(adaptStage(stage3, ENDPOINTS, parseOptions([], false)).spec.analysis).toMatchObject({ interval: '2s', window: '8s', failureLimit: 8 });
  });

  it('counts only the overlap the file does not have: a file whose window already spans two intervals is doubled, not quadrupled', () => {
    const withWindow = { ...stage3, spec: { ...stage3.spec, analysis: { ...stage3.spec.analysis, interval: '30s', window: '1m', failureLimit: 3 } } };
    expect(demoFailureLimit(withWindow, parseOptions([], false))).toBe(6);
    const unreadable = { ...stage3, spec: { ...stage3.spec, analysis: { ...stage3.spec.analysis, interval: '1h', failureLimit: 3 } } };
    expect(demoFailureLimit(unreadable, parseOptions([], false))).toBe(12);
    // The CRD refuses a failureLimit over 100 at admission: the demo's stays inside it.
    const many = { ...stage3, spec: { ...stage3.spec, analysis: { ...stage3.spec.analysis, failureLimit: 40 } } };
    expect(demoFailureLimit(many, parseOptions([], false))).toBe(100);
  });
});

describe('promotedOnTheWay', () => {
  it('takes a traffic stage in one step, and stage 7 with its backup and moves only (its CRD refuses setWeight)', () => {
    expect(promotedOnTheWay(loadStage(REPO_ROOT, STAGE_FILES[6][0])).stage.spec.steps).toEqual([{ setWeight: 100 }]);
    expect(promotedOnTheWay(loadStage(REPO_ROOT, STAGE_FILES[7][0])).stage.spec.steps).toEqual([
      { backup: {} }, { moveSchema: { context: 'user' } }, { moveSchema: { context: 'bot' } }, { moveSchema: { context: 'publisher' } }, { moveSchema: { context: 'payment' } },
    ]);
  });
});
