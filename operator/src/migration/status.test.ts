import { describe, expect, it } from '@jest/globals';
import type { Progress } from './engine.js';
import { nextWeightFence, renderStatus, storedProgress, type MigrationStatus } from './status.js';

const progress = (desiredWeight: number | undefined): Progress => ({ phase: 'Progressing', reason: 'Progressing', message: '', desiredWeight, currentStep: 0 });

describe('status.weightFence', () => {
  it('grows by one in the status write that changes desiredWeight, and only then', () => {
    expect(nextWeightFence({}, undefined)).toBeUndefined();
    expect(nextWeightFence({}, 0)).toBe(1);
    expect(nextWeightFence({ desiredWeight: 0, weightFence: 1 }, 0)).toBe(1);
    expect(nextWeightFence({ desiredWeight: 0, weightFence: 1 }, 10)).toBe(2);
    // A migration started before fences existed: counting starts where it stands.
    expect(nextWeightFence({ desiredWeight: 30 }, 30)).toBeUndefined();
    expect(nextWeightFence({ desiredWeight: 30 }, 0)).toBe(1);
  });

  it('is written in the same status write as the decision it fences', () => {
    let status: MigrationStatus = {};
    const fences: (number | undefined)[] = [];
    // A migration's life: start at 0, 10, confirm, 50, roll back to 0, retry from 0, 10.
    for (const desired of [0, 10, 10, 50, 0, 0, 10]) {
      status = { ...status, ...renderStatus(progress(desired), status, 1, 0) };
      fences.push(status.weightFence);
    }
    expect(fences).toEqual([1, 2, 2, 3, 4, 4, 5]);
  });
});

describe('storedProgress', () => {
  it('keeps the reason the phase was entered with when a problem is reported on top', () => {
    const rolledBack = renderStatus({ phase: 'RolledBack', reason: 'AnalysisFailed', message: 'rolled back after 2 failed checks', desiredWeight: 0, currentStep: 2 }, {}, 1, 0);
    const progressNow = storedProgress(rolledBack);
    expect(progressNow).toMatchObject({ phase: 'RolledBack', reason: 'AnalysisFailed' });
    const withProblem = renderStatus(progressNow, rolledBack, 1, 0, { reason: 'WeightNotApplied', message: '1 process still routes by 50%' });
    expect(withProblem.conditions?.find((condition) => condition.type === 'RolledBack')).toMatchObject({ status: 'True', reason: 'AnalysisFailed' });
    expect(withProblem.conditions?.find((condition) => condition.type === 'Ready')).toMatchObject({ status: 'False', reason: 'WeightNotApplied' });
  });
});
