import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { parseOptions } from './options.js';
import { adaptStage, isDatabaseStage, loadStage, promotedOnTheWay, STAGE_FILES } from './stage.js';

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

describe('promotedOnTheWay', () => {
  it('takes a traffic stage in one step, and stage 7 with its backup and moves only (its CRD refuses setWeight)', () => {
    expect(promotedOnTheWay(loadStage(REPO_ROOT, STAGE_FILES[6][0])).stage.spec.steps).toEqual([{ setWeight: 100 }]);
    expect(promotedOnTheWay(loadStage(REPO_ROOT, STAGE_FILES[7][0])).stage.spec.steps).toEqual([
      { backup: {} }, { moveSchema: { context: 'user' } }, { moveSchema: { context: 'bot' } }, { moveSchema: { context: 'publisher' } }, { moveSchema: { context: 'payment' } },
    ]);
  });
});
