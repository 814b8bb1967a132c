/**
 * Metric analysis inside the step engine: what checks do to a migration (hold, roll back, let it
 * go on), with the simulation playing the reconciler and Prometheus answering as each test says.
 */
import { describe, expect, it } from '@jest/globals';
import { ANALYSIS, outcome, reconcile, runToEnd, spec, world } from './simulation.test-support.js';

const STAGE = spec([{ setWeight: 10 }, { pause: { duration: '5m' } }, { analysis: {} }, { setWeight: 50 }, { pause: { duration: '5m' } }, { setWeight: 100 }], { analysis: ANALYSIS });

describe('analysis in the step engine', () => {
  it('rolls a failing target back after failureLimit failed checks, all of the route to legacy, and stays put', () => {
    const w = world();
    w.check = (at) => outcome(at, 'Fail');
    runToEnd(STAGE, w);
    expect(w.status).toMatchObject({ phase: 'RolledBack', desiredWeight: 0, weight: 0 });
    expect(w.status.analysis).toMatchObject({ failures: 2, lastResult: 'Fail' });
    expect(w.status.message).toContain('rolled back after 2 failed checks (failureLimit 2)');
    expect(w.writes.map((write) => write.weight)).toEqual([10, 0]);
    expect(w.events.filter((event) => event.reason === 'AnalysisFailed')).toHaveLength(2);
    expect(w.events.filter((event) => event.reason === 'RolledBack')).toEqual([expect.objectContaining({ type: 'Warning' })]);
    expect(w.checks).toBe(2);
    // Rolled back is final until a person retries: no more checks, no more writes, whatever the time.
    w.now += 24 * 3_600_000;
    const after = reconcile(STAGE, w);
    expect(after.last?.effect).toEqual({ type: 'wait' });
    expect(w.checks).toBe(2);
    expect(w.writes).toHaveLength(2);
  });

  it('counts a failed check without rolling back below failureLimit, and promotes when the rest pass', () => {
    const w = world();
    let made = 0;
    w.check = (at) => outcome(at, made++ === 3 ? 'Fail' : 'Pass');
    runToEnd(STAGE, w);
    expect(w.status).toMatchObject({ phase: 'Promoted', weight: 100 });
    expect(w.status.analysis).toMatchObject({ failures: 1, lastResult: 'Pass' });
    expect(w.events.filter((event) => event.reason === 'AnalysisFailed')).toHaveLength(1);
  });

  it('does not leave a step whose pause is over while the last check failed', () => {
    const w = world();
    const plan: ('Pass' | 'Fail')[] = [];
    w.check = (at) => outcome(at, plan.shift() ?? 'Pass');
    reconcile(STAGE, w);
    w.now += 300_000 - 1;
    plan.push('Fail');
    reconcile(STAGE, w); // a check due since long: fails
    expect(w.status).toMatchObject({ currentStep: 1, phase: 'Progressing' });
    w.now += 1; // the pause is over, but the last check failed
    reconcile(STAGE, w);
    expect(w.status.currentStep).toBe(1);
    expect(w.status.message).toContain('the last check did not pass');
    w.now += 30_000; // the next check passes
    reconcile(STAGE, w);
    expect(w.status.currentStep).toBeGreaterThan(1);
  });

  it('treats checks that cannot be made as errors: never a pass, rollback after errorLimit in a row', () => {
    const w = world();
    w.check = (at) => outcome(at, 'error');
    runToEnd(STAGE, w);
    expect(w.status).toMatchObject({ phase: 'RolledBack', weight: 0 });
    expect(w.status.analysis).toMatchObject({ errors: 3, lastResult: 'Error' });
    expect(w.status.message).toContain('3 checks in a row could not be made (errorLimit 3)');
    expect(w.entered).toEqual([0, 1]); // the pause never ended into the analysis step
    expect(w.events.filter((event) => event.reason === 'AnalysisUnavailable')).toHaveLength(3);
    expect(w.events.filter((event) => event.reason === 'RolledBack')).toHaveLength(1);
  });

  it('counts errors in a row only: a check that can be made resets them', () => {
    const w = world();
    const plan = ['error', 'error', 'Pass', 'error', 'error'] as const;
    let made = 0;
    w.check = (at) => outcome(at, plan[made++] ?? 'Pass');
    runToEnd(STAGE, w);
    expect(w.status.phase).toBe('Promoted');
  });

  it('keeps an analysis step waiting while checks are inconclusive (too little traffic), without failing it', () => {
    const w = world();
    w.check = (at) => outcome(at, 'Inconclusive');
    reconcile(STAGE, w);
    for (let i = 0; i < 40; i++) { w.now += 30_000; reconcile(STAGE, w); }
    expect(w.status).toMatchObject({ phase: 'Progressing', currentStep: 2, weight: 10 });
    expect(w.status.analysis).toMatchObject({ failures: 0, lastResult: 'Inconclusive' });
    expect(w.status.analysis?.inconclusive).toBeGreaterThan(30);
    expect(w.status.message).toContain('waits for a passing check');
  });

  it('at an analysis step, wants a check made after the step began, at once', () => {
    const short = spec([{ setWeight: 10 }, { pause: { duration: '45s' } }, { analysis: {} }, { setWeight: 100 }], { analysis: ANALYSIS });
    const w = world();
    expect(reconcile(short, w).last?.effect).toEqual({ type: 'wait', afterMs: 0 }); // 10 % stored: a check is due at once
    reconcile(short, w); // check at 0 s
    w.now += 30_000;
    reconcile(short, w); // check at 30 s
    w.now += 15_000;
    const entered = reconcile(short, w); // the pause ends at 45 s; the next interval check would be at 60 s
    expect(w.status.currentStep).toBe(2);
    expect(w.checks).toBe(2);
    expect(entered.last?.effect).toEqual({ type: 'wait', afterMs: 0 });
    reconcile(short, w);
    expect(w.checks).toBe(3);
    expect(w.status).toMatchObject({ currentStep: 4, phase: 'Promoted' });
  });

  // Every crash point of a migration that fails its checks: it still ends rolled back, with only meant weights written.
  const clean = world();
  clean.check = (at) => outcome(at, 'Fail');
  runToEnd(STAGE, clean);
  it.each(Array.from({ length: clean.effects }, (_, index) => index))('failing, killed after %i effects: rolled back, every write meant', (crashAt) => {
    const w = world();
    w.check = (at) => outcome(at, 'Fail');
    runToEnd(STAGE, w, crashAt);
    expect(w.status).toMatchObject({ phase: 'RolledBack', weight: 0, desiredWeight: 0 });
    expect(w.plane).toEqual({ weight: 0, exact: true });
    for (const write of w.writes) expect(write.weight).toBe(write.storedDesired);
  });
});
