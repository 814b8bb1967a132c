import { describe, expect, it } from '@jest/globals';
import type { NovaMigrationStatus } from '../api/generated/novamigration.js';
import { boundariesRecorded, parseCrashPoints } from './crash-points.js';

describe('boundariesRecorded', () => {
  it('names what a status write newly records: backup, contexts, step and phase', () => {
    const before: NovaMigrationStatus = { phase: 'Progressing', currentStep: 0, database: { run: 0, backup: { state: 'Running' } } };
    const after: NovaMigrationStatus = { phase: 'Progressing', currentStep: 1, database: { run: 0, backup: { state: 'Done' }, contexts: [{ name: 'user', state: 'Moving' }] } };
    expect(boundariesRecorded(before, after)).toEqual(['backup:Done', 'user:Moving', 'step:1']);
  });

  it('names a context whose state changed, and the restore and phase of a rollback', () => {
    const before: NovaMigrationStatus = { phase: 'Progressing', currentStep: 4, database: { run: 0, contexts: [{ name: 'user', state: 'Moved' }, { name: 'bot', state: 'Moved' }] } };
    const after: NovaMigrationStatus = { phase: 'RolledBack', currentStep: 4, database: { run: 0, restore: { state: 'Running' }, contexts: [{ name: 'user', state: 'Moved' }, { name: 'bot', state: 'Reversing' }] } };
    expect(boundariesRecorded(before, after)).toEqual(['restore:Running', 'bot:Reversing', 'phase:RolledBack']);
  });

  it('names nothing for a write that records no new boundary (an analysis result, a message)', () => {
    const status: NovaMigrationStatus = { phase: 'Progressing', currentStep: 2, database: { run: 0, contexts: [{ name: 'user', state: 'Moved' }] } };
    expect(boundariesRecorded(status, { ...status, message: 'pause 1s' })).toEqual([]);
  });
});

describe('parseCrashPoints', () => {
  it('reads a comma-separated list, empty when unset', () => {
    expect([...parseCrashPoints(' backup:Running, user:Moved ,,step:3')]).toEqual(['backup:Running', 'user:Moved', 'step:3']);
    expect(parseCrashPoints(undefined).size).toBe(0);
  });
});
