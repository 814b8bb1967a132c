/**
 * The step engine in isolation. The simulation below plays the reconciler's part with an
 * in-memory status and data plane, and can "kill the process" after any number of effects: the
 * crash-safety claims (never rewinds, never skips, never writes a weight it did not mean) are
 * checked for every possible crash point of a whole migration.
 */
import { describe, expect, it } from '@jest/globals';
import { decide } from './engine.js';
import { ANALYSIS, reconcile, runToEnd, spec, world } from './simulation.test-support.js';
import { parseDuration, stepLabel } from './steps.js';

const STAGE = spec([
  { setWeight: 10 },
  { pause: { duration: '5m' } },
  { analysis: {} },
  { setWeight: 50 },
  { pause: {} },
  { setWeight: 100 },
], { analysis: ANALYSIS });

/** The same stage without metric analysis: the step mechanics alone, waits not cut by check intervals. */
const PLAIN = spec(STAGE.steps.filter((step) => step.analysis === undefined));

describe('parseDuration and stepLabel', () => {
  it('reads the durations the CRD admits, and refuses the rest', () => {
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('48h')).toBe(172_800_000);
    expect(parseDuration('10')).toBeUndefined();
    expect(parseDuration('5 m')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });

  it('labels steps from 1, and the end as done', () => {
    expect(stepLabel(STAGE.steps, 0)).toBe('1/6 setWeight 10');
    expect(stepLabel(STAGE.steps, 1)).toBe('2/6 pause 5m');
    expect(stepLabel(STAGE.steps, 2)).toBe('3/6 analysis');
    expect(stepLabel(STAGE.steps, 4)).toBe('5/6 pause (approval)');
    expect(stepLabel(STAGE.steps, 6)).toBe('6/6 done');
  });
});

describe('the step engine', () => {
  it('runs a whole stage in order and ends Promoted at 100 %', () => {
    const w = world();
    runToEnd(STAGE, w);
    expect(w.entered).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(w.writes.map((write) => write.weight)).toEqual([10, 50, 100]);
    expect(w.status).toMatchObject({ phase: 'Promoted', currentStep: 6, weight: 100, desiredWeight: 100, stepLabel: '6/6 done' });
    expect(w.status.analysis).toMatchObject({ lastResult: 'Pass', failures: 0, errors: 0 });
    expect(w.checks).toBeGreaterThan(10); // every 30 s while the target carried traffic
  });

  it('stores the desired weight before asking for the data plane write', () => {
    const w = world();
    const first = reconcile(STAGE, w, { left: 1 });
    expect(first.alive).toBe(false);
    expect(w.status).toMatchObject({ currentStep: 0, desiredWeight: 10, phase: 'Progressing' });
    expect(w.writes).toEqual([]);
    const decision = decide({ spec: STAGE, status: w.status, now: w.now, dataPlane: w.plane });
    expect(decision.effect).toEqual({ type: 'applyWeight', weight: 10 });
    expect(decision.progress.desiredWeight).toBe(10);
  });

  it('waits out a timed pause from its stored start, across restarts', () => {
    const w = world();
    const { last } = reconcile(PLAIN, w);
    expect(w.status.currentStep).toBe(1);
    expect(last?.effect).toEqual({ type: 'wait', afterMs: 300_000 });
    w.now += 120_000; // a new process two minutes later
    expect(reconcile(PLAIN, w).last?.effect).toEqual({ type: 'wait', afterMs: 180_000 });
    w.now += 180_000;
    reconcile(PLAIN, w);
    expect(w.status.currentStep).toBe(3); // at 50 %, waiting for a person
    expect(w.status.phase).toBe('Paused');
    expect(w.status.message).toContain('novabot.io/approved-step=4');
  });

  it('passes a manual pause only for an approval of that step or a later one', () => {
    const w = world();
    reconcile(PLAIN, w);
    w.now += 10 * 60_000;
    reconcile(PLAIN, w);
    expect(w.status.currentStep).toBe(3);
    w.approvedStep = 3;
    reconcile(PLAIN, w);
    expect(w.status.currentStep).toBe(3);
    w.approvedStep = 4;
    reconcile(PLAIN, w);
    expect(w.status).toMatchObject({ phase: 'Promoted', weight: 100 });
  });

  it('holds at the current step and weight while spec.paused, then resumes', () => {
    const w = world();
    reconcile(PLAIN, w);
    const held = spec(PLAIN.steps, { paused: true });
    w.now += 3_600_000;
    const paused = reconcile(held, w).last;
    expect(w.status).toMatchObject({ phase: 'Paused', currentStep: 1, weight: 10 });
    expect(paused?.events.map((event) => event.reason)).toContain('Paused');
    const resumed = reconcile(PLAIN, w);
    expect(resumed.alive).toBe(true);
    expect(w.events.map((event) => event.reason)).toContain('Resumed');
    expect(w.status.currentStep).toBe(3);
  });

  it('holds past a timed pause\'s end while a person paused it (kubectl nova pause), then resumes', () => {
    const w = world();
    reconcile(PLAIN, w);
    expect(w.status).toMatchObject({ currentStep: 1, weight: 10 }); // in the 5 m pause
    w.controls = { paused: true };
    reconcile(PLAIN, w);
    w.now += 3_600_000; // the timed pause ended long ago
    reconcile(PLAIN, w);
    expect(w.status).toMatchObject({ phase: 'Paused', currentStep: 1, weight: 10 });
    expect(w.status.conditions?.find((condition) => condition.type === 'Paused')?.reason).toBe('PausedByPerson');
    w.controls = {};
    reconcile(PLAIN, w);
    expect(w.status.currentStep).toBe(3); // past the elapsed pause, at the manual one
  });

  it('corrects drift: a hand-edited weight is written back to the stored one, with a warning', () => {
    const w = world();
    reconcile(STAGE, w);
    w.plane = { weight: 70, exact: false };
    const decision = decide({ spec: STAGE, status: w.status, now: w.now, dataPlane: w.plane });
    expect(decision.effect).toEqual({ type: 'applyWeight', weight: 10 });
    expect(decision.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'DriftCorrected' })]);
    reconcile(STAGE, w);
    expect(w.plane).toEqual({ weight: 10, exact: true });
  });

  it('writes the stored weight again when the route vanished (undefined reading)', () => {
    const w = world();
    reconcile(STAGE, w);
    const decision = decide({ spec: STAGE, status: w.status, now: w.now, dataPlane: undefined });
    expect(decision.effect).toEqual({ type: 'applyWeight', weight: 10 });
  });

  it('finishes a migration whose steps were shortened under it', () => {
    const w = world();
    runToEnd(STAGE, w);
    const shorter = spec([{ setWeight: 100 }], { analysis: ANALYSIS });
    reconcile(shorter, w);
    expect(w.status).toMatchObject({ phase: 'Promoted', currentStep: 1, weight: 100 });
  });

  // Every crash point of a whole migration: the effects made before the crash, then a fresh process.
  const clean = world();
  runToEnd(STAGE, clean);
  const effectCount = clean.effects;
  it.each(Array.from({ length: effectCount }, (_, index) => index))('killed after %i effects: no rewind, no skip, no unmeant weight', (crashAt) => {
    const w = world();
    runToEnd(STAGE, w, crashAt);
    expect(w.status).toMatchObject({ phase: 'Promoted', weight: 100 });
    // Steps entered in order, each once.
    expect(w.entered).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // Every data plane write was of the weight stored as desired at that moment, in the planned order.
    for (const write of w.writes) expect(write.weight).toBe(write.storedDesired);
    const distinct = w.writes.map((write) => write.weight).filter((weight, index, all) => index === 0 || all[index - 1] !== weight);
    expect(distinct).toEqual([10, 50, 100]);
  });
});
