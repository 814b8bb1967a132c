/**
 * When a migration is analysed, and what a check's outcome does to it. The engine stays pure: the
 * reconciler makes the check (I/O) when `analysisDueInMs` says so and hands the outcome in; this
 * folds it into status — counts, the numbers of both sides, a rollback once a limit is reached.
 */
import type { NovaMigrationSpec, NovaMigrationStatus } from '../api/generated/novamigration.js';
import type { AnalysisOutcome } from '../analysis/analyzer.js';
import { errorRate, percent } from '../analysis/verdict.js';
import { preciseTime, rollBack, type AnalysisStatus, type Decision, type EngineEvent, type Progress } from './decision.js';
import { parseDuration } from './steps.js';

type Shape = Pick<Progress, 'phase' | 'currentStep' | 'desiredWeight'>;

/**
 * Analysis runs while the target carries traffic and the migration is not finished: Progressing,
 * and Paused too (a pause holds the steps, not the safety net), and at an analysis step even at 0%.
 */
export function analysisActive(spec: NovaMigrationSpec, progress: Shape): boolean {
  if (spec.analysis === undefined || progress.currentStep === undefined) return false;
  if (progress.phase !== 'Progressing' && progress.phase !== 'Paused') return false;
  return (progress.desiredWeight ?? 0) > 0 || spec.steps[progress.currentStep]?.analysis !== undefined;
}

export function intervalMs(spec: NovaMigrationSpec): number {
  return parseDuration(spec.analysis?.interval ?? '30s') ?? 30_000;
}

/**
 * Milliseconds until the next check is due (0: now), or undefined when none is. An analysis step
 * wants a check made after it began, so it is due at once when the last one is older.
 */
export function analysisDueInMs(spec: NovaMigrationSpec, progress: Shape & Pick<Progress, 'stepStartedAt'>, analysis: AnalysisStatus | null | undefined, now: number): number | undefined {
  if (!analysisActive(spec, progress)) return undefined;
  const lastRun = analysis?.lastRun === undefined ? undefined : Date.parse(analysis.lastRun);
  if (lastRun === undefined || Number.isNaN(lastRun)) return 0;
  const atAnalysisStep = progress.currentStep !== undefined && spec.steps[progress.currentStep]?.analysis !== undefined;
  if (atAnalysisStep && progress.stepStartedAt !== undefined && lastRun < Date.parse(progress.stepStartedAt)) return 0;
  return Math.max(0, lastRun + intervalMs(spec) - now);
}

/** A failed or impossible last check holds the steps where they are until a check passes (or is inconclusive). */
export function analysisHolds(spec: NovaMigrationSpec, status: NovaMigrationStatus): boolean {
  const result = status.analysis?.lastResult;
  return spec.analysis !== undefined && (result === 'Fail' || result === 'Error');
}

/** True when the last check passed and was made after `since` (an analysis step's start). */
export function passedSince(status: NovaMigrationStatus, since: string | undefined): boolean {
  const analysis = status.analysis;
  if (analysis?.lastResult !== 'Pass' || analysis.lastRun === undefined || since === undefined) return false;
  return Date.parse(analysis.lastRun) >= Date.parse(since);
}

export function foldOutcome(spec: NovaMigrationSpec, current: Progress, outcome: AnalysisOutcome): Decision {
  const limits = { failures: spec.analysis?.failureLimit ?? 2, errors: spec.analysis?.errorLimit ?? 3 };
  const previous = current.analysis ?? {};
  const base = {
    failures: previous.failures ?? 0,
    errors: previous.errors ?? 0,
    passes: previous.passes ?? 0,
    inconclusive: previous.inconclusive ?? 0,
    lastRun: preciseTime(outcome.at),
  };
  if (outcome.kind === 'error') {
    const errors = base.errors + 1;
    const analysis: AnalysisStatus = { ...previous, ...base, errors, lastResult: 'Error', summary: `Unavailable (${String(errors)}/${String(limits.errors)}): ${outcome.message}` };
    const events: EngineEvent[] = [{ type: 'Warning', reason: 'AnalysisUnavailable', note: `check ${String(errors)}/${String(limits.errors)} in a row could not be made: ${outcome.message}` }];
    if (errors >= limits.errors) {
      const decision = rollBack(current, 'AnalysisUnavailable', `rolled back: ${String(errors)} checks in a row could not be made (errorLimit ${String(limits.errors)}); last: ${outcome.message}`, { analysis });
      return { ...decision, events: [...events, ...decision.events] };
    }
    return { progress: { ...current, analysis }, effect: { type: 'continue' }, events };
  }
  const { verdict, target, legacy } = outcome;
  const failures = base.failures + (verdict.result === 'Fail' ? 1 : 0);
  const analysis: AnalysisStatus = {
    ...base,
    errors: 0,
    failures,
    passes: base.passes + (verdict.result === 'Pass' ? 1 : 0),
    inconclusive: base.inconclusive + (verdict.result === 'Inconclusive' ? 1 : 0),
    lastResult: verdict.result,
    summary: verdict.result === 'Fail' ? `Failed (${String(failures)}/${String(limits.failures)}): ${verdict.failed.join('; ')}` : verdict.summary,
    failedChecks: [...verdict.failed],
    target: stored(target),
    legacy: stored(legacy),
  };
  if (verdict.result !== 'Fail') return { progress: { ...current, analysis }, effect: { type: 'continue' }, events: [] };
  const events: EngineEvent[] = [{ type: 'Warning', reason: 'AnalysisFailed', note: `check failed (${String(failures)}/${String(limits.failures)}): ${verdict.failed.join('; ')}; ${String(Math.round(target.requests))} target requests, legacy error rate ${percent(errorRate(legacy))}` }];
  if (failures >= limits.failures) {
    const decision = rollBack(current, 'AnalysisFailed', `rolled back after ${String(failures)} failed checks (failureLimit ${String(limits.failures)}): ${verdict.failed.join('; ')}`, { analysis });
    return { ...decision, events: [...events, ...decision.events] };
  }
  return { progress: { ...current, analysis }, effect: { type: 'continue' }, events };
}

function stored(measurement: { requests: number; errors: number; p95LatencyMs: number | undefined }): NonNullable<AnalysisStatus['target']> {
  const result: { requests: number; errorRate: number; p95LatencyMs?: number } = {
    requests: Math.round(measurement.requests),
    errorRate: Number(errorRate(measurement).toFixed(6)),
  };
  if (measurement.p95LatencyMs !== undefined) result.p95LatencyMs = Number(measurement.p95LatencyMs.toFixed(1));
  return result;
}
