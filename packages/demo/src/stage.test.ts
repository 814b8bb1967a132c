import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { parseOptions } from './options.js';
import { adaptStage, loadStage, STAGE_FILES } from './stage.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('adaptStage', () => {
  it('has stage 8 wait for stage 6, as the demo does not run stage 7 (the file\'s only dependency change)', () => {
    const stage = loadStage(REPO_ROOT, STAGE_FILES[8][0]);
    expect(stage.spec.dependsOn).toEqual(['stage-7-database']);
    const endpoints = { legacy: { host: '127.0.0.1', port: 1 }, target: { host: '127.0.0.1', port: 2 }, prometheusUrl: 'http://127.0.0.1:3' };
    expect(adaptStage(stage, endpoints, parseOptions([], false)).spec.dependsOn).toEqual(['stage-6-notifications']);
    const stage6 = loadStage(REPO_ROOT, STAGE_FILES[6][0]);
    expect(adaptStage(stage6, endpoints, parseOptions([], false)).spec.dependsOn).toEqual(stage6.spec.dependsOn);
  });
});
