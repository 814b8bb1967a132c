/**
 * Plays the reconciler's part for engine tests: an in-memory status and data plane, analysis
 * checks made when the engine says one is due, and a process that can be "killed" after any
 * number of effects (status writes + data plane writes).
 */
import type { NovaMigrationStatus } from '../api/generated/novamigration.js';
import type { TrafficSpec } from '../api/novamigration.js';

type NovaMigrationSpec = TrafficSpec;
import type { AnalysisOutcome } from '../analysis/analyzer.js';
import type { Verdict } from '../analysis/verdict.js';
import type { WeightReading } from '../providers/index.js';
import { analysisDueInMs } from './analysis-state.js';
import type { ControlRequests } from './controls.js';
import { decide, type Decision, type DependencyState, type EngineEvent, type Progress } from './engine.js';

export const T0 = Date.parse('2026-11-25T10:00:00.000Z');

export function spec(steps: NovaMigrationSpec['steps'], extra: Partial<NovaMigrationSpec> = {}): NovaMigrationSpec {
  return {
    route: { pathPrefix: '/webhook/' },
    legacy: { service: 'nova-monolith', port: 8099 },
    target: { service: 'webhook-gateway', port: 8100 },
    trafficProvider: { istio: { virtualService: 'nova' } },
    steps,
    paused: false,
    onDelete: 'restoreLegacy',
    ...extra,
  };
}

export const ANALYSIS: NonNullable<NovaMigrationSpec['analysis']> = {
  interval: '30s',
  failureLimit: 2,
  errorLimit: 3,
  thresholds: { errorRateRatio: 1.5, maxErrorRate: 0.001, p95LatencyMs: 200, minRequests: 50 },
};

/** What a status write stores: the progress's fields over the previous status; null removes a field (merge patch). */
export function stored(previous: NovaMigrationStatus, progress: Progress): NovaMigrationStatus {
  const cleared = new Set(Object.entries(progress).filter(([, value]) => value === null).map(([key]) => key));
  const next: Record<string, unknown> = Object.fromEntries(Object.entries(previous).filter(([key]) => !cleared.has(key)));
  for (const [key, value] of Object.entries(progress)) {
    if (key !== 'reason' && value !== undefined && value !== null) next[key] = value;
  }
  // The reconciler stores the reason in the conditions; the engine reads held reasons back from them.
  if (progress.phase === 'Paused' || progress.phase === 'RolledBack') next.conditions = [{ type: progress.phase, status: 'True', reason: progress.reason, message: progress.message, lastTransitionTime: '2026-11-25T10:00:00Z' }];
  else next.conditions = [];
  return next;
}

export function verdictOf(result: Verdict['result']): Verdict {
  return { result, failed: result === 'Fail' ? ['error rate 2.00% > 1.5 × legacy 1.00% (×2.00)'] : [], notes: [], summary: result };
}

/** A check outcome as Prometheus would give it; `errors` target errors out of 1000. */
export function outcome(at: number, result: Verdict['result'] | 'error'): AnalysisOutcome {
  if (result === 'error') return { kind: 'error', at, message: 'Prometheus at http://prometheus:9090 is unavailable: connect ECONNREFUSED' };
  return { kind: 'check', at, verdict: verdictOf(result), target: { requests: 1000, errors: result === 'Fail' ? 20 : 0, p95LatencyMs: 40 }, legacy: { requests: 1000, errors: 10, p95LatencyMs: 40 } };
}

export interface World {
  status: NovaMigrationStatus;
  plane: WeightReading | undefined;
  now: number;
  approvedStep?: number;
  controls?: ControlRequests;
  dependencies?: DependencyState;
  /** The result every analysis check gives (Pass when absent). */
  check: (at: number) => AnalysisOutcome;
  /** Every weight written to the data plane, with the desired weight stored at that moment. */
  readonly writes: { weight: number; storedDesired: number | undefined }[];
  /** Every step index entered, in order. */
  readonly entered: number[];
  readonly events: EngineEvent[];
  checks: number;
  effects: number;
}

export function world(): World {
  return { status: {}, plane: { weight: 0, exact: true }, now: T0, check: (at) => outcome(at, 'Pass'), writes: [], entered: [], events: [], checks: 0, effects: 0 };
}

/**
 * One reconcile, like the reconciler's: a check first when one is due, then decisions carried out
 * until the engine waits. `budget` is how many effects happen before the process dies.
 */
export function reconcile(s: NovaMigrationSpec, w: World, budget: { left: number } = { left: Number.POSITIVE_INFINITY }): { alive: boolean; last?: Decision } {
  const due = analysisDueInMs(s, { phase: w.status.phase ?? 'Pending', currentStep: w.status.currentStep, desiredWeight: w.status.desiredWeight, stepStartedAt: w.status.stepStartedAt }, w.status.analysis, w.now);
  let analysis = due === 0 ? w.check(w.now) : undefined;
  if (analysis !== undefined) w.checks++;
  for (let round = 0; round < 200; round++) {
    const decision = decide({ spec: s, status: w.status, now: w.now, approvedStep: w.approvedStep, dataPlane: w.plane, controls: w.controls, analysis, dependencies: w.dependencies });
    analysis = undefined;
    const next = stored(w.status, decision.progress);
    if (JSON.stringify(next) !== JSON.stringify(w.status)) {
      if (budget.left-- <= 0) return { alive: false };
      if (next.currentStep !== w.status.currentStep && next.currentStep !== undefined) w.entered.push(next.currentStep);
      w.status = next;
      w.effects++;
    }
    w.events.push(...decision.events);
    if (decision.effect.type === 'wait') return { alive: true, last: decision };
    if (decision.effect.type === 'applyWeight') {
      if (budget.left-- <= 0) return { alive: false };
      w.writes.push({ weight: decision.effect.weight, storedDesired: w.status.desiredWeight });
      w.plane = { weight: decision.effect.weight, exact: true };
      w.effects++;
    }
  }
  throw new Error('engine did not settle');
}

/** Drives a migration until it ends (Promoted or RolledBack): time jumps to each wake-up, every manual pause is approved. */
export function runToEnd(s: NovaMigrationSpec, w: World, crashAt?: number): void {
  const budget = { left: crashAt ?? Number.POSITIVE_INFINITY };
  for (let guard = 0; guard < 1000; guard++) {
    const { alive, last } = reconcile(s, w, budget);
    if (!alive) {
      budget.left = Number.POSITIVE_INFINITY; // the process died; a new one starts from the stored status
      continue;
    }
    if (w.status.phase === 'Promoted' || w.status.phase === 'RolledBack') return;
    const awaitingApproval = w.status.phase === 'Paused' && w.status.conditions?.some((condition) => condition.reason === 'AwaitingApproval') === true;
    if (awaitingApproval) w.approvedStep = (w.status.currentStep ?? 0) + 1;
    else if (last?.effect.type === 'wait' && last.effect.afterMs !== undefined) w.now += Math.max(1, last.effect.afterMs);
    else throw new Error(`stuck: ${JSON.stringify(w.status)}`);
  }
  throw new Error(`migration did not finish: ${JSON.stringify(w.status)}`);
}
