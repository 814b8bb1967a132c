/** A person's requests (abort, retry, promote annotations; spec.paused) and dependencies, in the step engine. */
import { describe, expect, it } from '@jest/globals';
import { approvedStep, readControls } from './controls.js';
import { ANALYSIS, outcome, reconcile, runToEnd, spec, T0, world } from './simulation.test-support.js';

const STAGE = spec([{ setWeight: 10 }, { pause: { duration: '5m' } }, { setWeight: 50 }, { pause: {} }, { setWeight: 100 }], { analysis: ANALYSIS });

describe('controls', () => {
  it('reads only the nova annotations that carry a token', () => {
    const migration = { metadata: { annotations: { 'novabot.io/abort': '2026-11-25T10:00:00Z', 'novabot.io/promote': '', other: 'x' } } };
    expect(readControls(migration as never)).toEqual({ abort: '2026-11-25T10:00:00Z' });
  });

  it('the paused annotation holds like spec.paused, and lifting it resumes', () => {
    expect(readControls({ metadata: { annotations: { 'novabot.io/paused': 'true' } } } as never)).toEqual({ paused: true });
    const w = world();
    reconcile(STAGE, w);
    w.controls = { paused: true };
    w.now += 600_000;
    reconcile(STAGE, w);
    expect(w.status).toMatchObject({ phase: 'Paused', currentStep: 1, weight: 10 });
    expect(w.status.message).toContain('novabot.io/paused');
    w.controls = {};
    reconcile(STAGE, w);
    expect(w.events.map((event) => event.reason)).toContain('Resumed');
    expect(w.status).toMatchObject({ currentStep: 3, weight: 50 });
  });

  it('abort rolls back at once, and the same token never acts twice', () => {
    const w = world();
    reconcile(STAGE, w);
    w.controls = { abort: 't1' };
    reconcile(STAGE, w);
    expect(w.status).toMatchObject({ phase: 'RolledBack', weight: 0, control: { abort: 't1' } });
    expect(w.status.message).toContain('aborted by a person at 2/5 pause 5m with 10% on the target');
    expect(w.events.map((event) => event.reason)).toContain('RolledBack');
    w.controls = { abort: 't1', retry: 'r1' };
    reconcile(STAGE, w);
    expect(w.status).toMatchObject({ phase: 'Progressing', currentStep: 1, weight: 10, control: { abort: 't1', retry: 'r1' } });
    expect(w.status.analysis?.failures ?? 0).toBe(0);
  });

  it('reads an approval as a step number, with or without a token, and discounts the one from before a retry', () => {
    expect(approvedStep('4', undefined)).toBe(4);
    expect(approvedStep('4@2026-11-25T10:00:00.000Z', undefined)).toBe(4);
    expect(approvedStep('four', undefined)).toBeUndefined();
    expect(approvedStep('4; rm -rf', undefined)).toBeUndefined();
    expect(approvedStep('4', '4')).toBeUndefined();
    expect(approvedStep('4@b', '4@a')).toBe(4);
  });

  it('a retry remembers the standing approval as stale, so the new run stops at its manual pauses again', () => {
    const w = world();
    w.controls = { abort: 'a1', approval: '4' };
    reconcile(STAGE, w);
    w.controls = { abort: 'a1', retry: 'r1', approval: '4' };
    reconcile(STAGE, w);
    expect(w.status.control).toMatchObject({ retry: 'r1', staleApproval: '4' });
  });

  it('retry starts again from the first step with fresh analysis counts', () => {
    const w = world();
    w.check = (at) => outcome(at, 'Fail');
    runToEnd(STAGE, w);
    expect(w.status.phase).toBe('RolledBack');
    w.check = (at) => outcome(at, 'Pass');
    w.controls = { retry: 'r1' };
    runToEnd(STAGE, w);
    expect(w.status).toMatchObject({ phase: 'Promoted', weight: 100 });
    expect(w.status.analysis).toMatchObject({ failures: 0 });
    expect(w.events.map((event) => event.reason)).toContain('Retried');
    // The new run's analysis looks back no further than the retry.
    expect(Date.parse(w.status.runStartedAt ?? '')).toBeGreaterThan(T0);
  });

  it('a request that does not fit the phase is recorded as handled with a warning, so it cannot fire later', () => {
    const w = world();
    reconcile(STAGE, w);
    w.controls = { retry: 'early' };
    reconcile(STAGE, w);
    expect(w.status).toMatchObject({ phase: 'Progressing', control: { retry: 'early' } });
    expect(w.events).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'ControlIgnored' }));
    w.check = (at) => outcome(at, 'Fail');
    runToEnd(STAGE, w);
    expect(w.status.phase).toBe('RolledBack'); // the stale retry did not restart it
  });

  it('promote skips the remaining steps and ends Promoted at 100 %', () => {
    const w = world();
    reconcile(STAGE, w);
    w.controls = { promote: 'p1' };
    reconcile(STAGE, w);
    expect(w.status).toMatchObject({ phase: 'Promoted', weight: 100, currentStep: 5 });
    expect(w.writes.map((write) => write.weight)).toEqual([10, 100]);
  });

  it('abort wins over promote asked at the same time', () => {
    const w = world();
    reconcile(STAGE, w);
    w.controls = { promote: 'p1', abort: 'a1' };
    reconcile(STAGE, w);
    expect(w.status.phase).toBe('RolledBack');
    reconcile(STAGE, w);
    // promote of a rolled-back migration is refused and recorded
    expect(w.status.phase).toBe('RolledBack');
    expect(w.status.control).toMatchObject({ promote: 'p1', abort: 'a1' });
  });
});

describe('dependencies mid-flight', () => {
  it('a dependency rolled back pauses the dependant where it is; Promoted again, it resumes', () => {
    const w = world();
    reconcile(STAGE, w);
    w.dependencies = { unmet: ['stage-1 (RolledBack)'], rolledBack: ['stage-1'] };
    w.now += 300_000;
    reconcile(STAGE, w);
    expect(w.status).toMatchObject({ phase: 'Paused', currentStep: 1, weight: 10, waitingFor: ['stage-1 (RolledBack)'] });
    expect(w.status.message).toContain('stage-1 rolled back');
    expect(w.events).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'DependencyRolledBack' }));
    w.dependencies = { unmet: [], rolledBack: [] };
    reconcile(STAGE, w);
    expect(w.status).toMatchObject({ phase: 'Paused', currentStep: 3, weight: 50, waitingFor: [] }); // now at the manual pause
    expect(w.events.map((event) => event.reason)).toContain('Resumed');
  });

  it('a Promoted migration is done: a dependency rolling back later does not touch it', () => {
    const w = world();
    runToEnd(STAGE, w);
    w.dependencies = { unmet: ['stage-1 (RolledBack)'], rolledBack: ['stage-1'] };
    reconcile(STAGE, w);
    expect(w.status).toMatchObject({ phase: 'Promoted', weight: 100 });
  });
});
