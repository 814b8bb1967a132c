import { describe, expect, it } from '@jest/globals';
import type { Progress } from './engine.js';
import { nextWeightFence, progressWithProblem, renderStatus, storedProgress, type MigrationStatus } from './status.js';

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
    // status.message shows the problem while it lasts; the rollback's own message is read back from its condition.
    expect(withProblem.message).toBe('1 process still routes by 50%');
    expect(storedProgress(withProblem)).toMatchObject({ phase: 'RolledBack', reason: 'AnalysisFailed', message: 'rolled back after 2 failed checks' });
  });
});

describe('progressWithProblem', () => {
  const fatal = { kind: 'fatal' as const, reason: 'ProviderUnavailable', message: 'this operator runs without NATS (set NOVA_NATS_URL)' };
  const at = (phase: 'Progressing' | 'Paused' | 'RolledBack' | 'Promoted', desiredWeight: number): MigrationStatus =>
    renderStatus({ phase, reason: phase === 'RolledBack' ? 'AnalysisFailed' : 'StepStarted', message: `${phase} at step 8`, desiredWeight, weight: desiredWeight, currentStep: 7 }, {}, 1, 0);

  it('fails a migration under way on a fatal problem, and leaves its phase alone on a transient one', () => {
    expect(progressWithProblem(at('Paused', 50), fatal)).toMatchObject({ phase: 'Failed', reason: 'ProviderUnavailable', desiredWeight: 50 });
    expect(progressWithProblem(at('Progressing', 25), { ...fatal, kind: 'retry' })).toMatchObject({ phase: 'Progressing', desiredWeight: 25 });
  });

  it('never turns a rolled-back or promoted migration into a failed one the next decision would carry on', () => {
    expect(progressWithProblem(at('RolledBack', 0), fatal)).toMatchObject({ phase: 'RolledBack', reason: 'AnalysisFailed', message: 'RolledBack at step 8', desiredWeight: 0 });
    expect(progressWithProblem(at('Promoted', 100), fatal)).toMatchObject({ phase: 'Promoted', desiredWeight: 100 });
  });
});
