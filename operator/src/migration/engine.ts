/**
 * The step engine: a pure function from what is stored (spec, status) and what is observed (the
 * data plane's weight, the clock, a person's requests, an analysis check, the dependencies) to the
 * next thing to do. It never performs anything itself, which is what makes its crash-safety
 * argument checkable in unit tests:
 *
 * - `status` is the operator's memory (ARCHITECTURE.md, Decided 10). A decision to move traffic
 *   is first persisted as `status.desiredWeight`; only a decision whose desired weight is already
 *   stored may ask for the data plane write (`applyWeight`). A process killed between the two
 *   re-reads status and writes the same weight again: it never writes a weight it did not mean.
 * - A step is left only once the weight it set is confirmed in `status.weight`, and entering the
 *   next step (index, start time, its weight) is one status write: a restart can neither rewind
 *   nor skip a step. Timed pauses end at `stepStartedAt + duration`, whenever the process restarts.
 * - A rollback (analysis limits, a person's abort) is one status write of phase RolledBack with
 *   desired weight 0; the data plane follows like any other weight.
 */
import type { NovaMigrationStatus } from '../api/generated/novamigration.js';
import { movedThing, type TrafficSpec } from '../api/novamigration.js';
import type { AnalysisOutcome } from '../analysis/analyzer.js';
import type { WeightReading } from '../providers/index.js';
import { metaTime } from '../kube/conditions.js';
import { analysisActive, analysisDueInMs, analysisHolds, foldOutcome, passedSince } from './analysis-state.js';
import { APPROVED_STEP_ANNOTATION, applyControl, PAUSED_ANNOTATION, pendingControl, type ControlRequests } from './controls.js';
import { enterStep, phaseCondition, transition, type Decision, type EngineEvent, type Progress } from './decision.js';
import { InvalidStepError, stepKind, stepLabel, type Step } from './steps.js';

export type { AnalysisStatus, Decision, Effect, EngineEvent, Phase, Progress } from './decision.js';

export interface DependencyState {
  /** "stage-1 (Progressing)" for each dependency not Promoted (rolled-back ones included). */
  readonly unmet: readonly string[];
  /** Names of the dependencies that rolled back. */
  readonly rolledBack: readonly string[];
}

export interface EngineInput {
  readonly spec: TrafficSpec;
  readonly status: NovaMigrationStatus;
  readonly now: number;
  /** From the approval annotation: manual pauses up to this step number (1-based) may be passed. */
  readonly approvedStep?: number;
  /** What the data plane carries now; undefined when the route is absent. */
  readonly dataPlane: WeightReading | undefined;
  /** A person's promote/abort/retry annotations. */
  readonly controls?: ControlRequests;
  /** A check the reconciler just made because `analysisDueInMs` said one was due. */
  readonly analysis?: AnalysisOutcome;
  readonly dependencies?: DependencyState;
}

export { APPROVED_STEP_ANNOTATION } from './controls.js';

/** Paused reasons a migration leaves on its own once the cause is gone (an Event says it resumed). */
const RESUMABLE = new Set(['PausedBySpec', 'PausedByPerson', 'DependencyRolledBack', 'WaitingForDependencies', 'DependencyCycle']);

export function decide(input: EngineInput): Decision {
  const decision = decideNow(input);
  if (decision.effect.type !== 'wait') return decision;
  // Waiting still wakes up for the next analysis check.
  const dueIn = analysisDueInMs(input.spec, decision.progress, decision.progress.analysis, input.now);
  if (dueIn === undefined) return decision;
  const afterMs = decision.effect.afterMs === undefined ? dueIn : Math.min(decision.effect.afterMs, dueIn);
  return { ...decision, effect: { type: 'wait', afterMs } };
}

function decideNow(input: EngineInput): Decision {
  const { spec, status, now } = input;
  const steps = spec.steps;
  if (status.currentStep === undefined || status.desiredWeight === undefined || status.stepStartedAt === undefined) {
    // First sight: start at step 1 with the route fully on legacy.
    const entered = enterStep(steps, 0, 0, now, { phase: 'Progressing', reason: 'Started', message: '', control: status.control });
    return { progress: { ...entered, weight: status.weight, waitingFor: [] }, effect: { type: 'continue' }, events: [{ type: 'Normal', reason: 'Started', note: `migration started at ${entered.stepLabel ?? ''}` }] };
  }
  const index = Math.min(status.currentStep, steps.length);
  const desired = status.desiredWeight;
  const current = currentProgress(status, steps, index, desired);

  // 0. A person's request acts once, before anything else; then a fresh analysis check is counted.
  const request = pendingControl(input.controls, status.control);
  if (request !== undefined) return applyControl(steps, current, request, now, input.controls?.approval);
  if (input.analysis !== undefined && analysisActive(spec, current)) return foldOutcome(spec, current, input.analysis);

  // 1. The data plane must carry what status says the operator meant.
  const plane = input.dataPlane;
  if (plane === undefined || !plane.exact || plane.weight !== desired) {
    const drift = plane !== undefined && status.weight === desired;
    const events: EngineEvent[] = drift
      ? [{ type: 'Warning', reason: 'DriftCorrected', note: `the data plane sent ${String(plane.weight)}% to the target${plane.exact ? '' : ' (weights edited by hand)'}; writing the migration's ${String(desired)}% again` }]
      : [];
    return { progress: current, effect: { type: 'applyWeight', weight: desired }, events };
  }
  if (status.weight !== desired) {
    return {
      progress: { ...current, weight: desired },
      effect: { type: 'continue' },
      events: [{ type: 'Normal', reason: 'WeightChanged', note: `${String(desired)}% of ${movedThing(spec)} goes to ${spec.target.service}:${String(spec.target.port)}, ${String(100 - desired)}% to ${spec.legacy.service}:${String(spec.legacy.port)}` }],
    };
  }

  // 2. Rolled back: all on legacy, staying put until a person retries.
  if (current.phase === 'RolledBack') return { progress: current, effect: { type: 'wait' }, events: [] };

  // 3. In sync. Held by a person (spec.paused declared, or the novabot.io/paused annotation)?
  if (spec.paused || input.controls?.paused === true) {
    const by = spec.paused ? 'spec.paused' : `the ${PAUSED_ANNOTATION} annotation (kubectl nova resume lifts it)`;
    const progress: Progress = { ...current, phase: 'Paused', reason: spec.paused ? 'PausedBySpec' : 'PausedByPerson', message: `held at ${current.stepLabel ?? ''} with ${String(desired)}% on the target by ${by}` };
    return { progress, effect: { type: 'wait' }, events: transition(status, progress, 'Paused', `paused by ${by} at ${current.stepLabel ?? ''}`) };
  }

  // 4. Held by a dependency that is no longer Promoted (a promoted migration is done: nothing to hold).
  const held = current.phase === 'Promoted' ? undefined : dependencyHold(input, current);
  if (held !== undefined) return held;
  const base: Progress = { ...current, waitingFor: [] };

  // 5. All steps done.
  const step = steps[index];
  if (step === undefined) {
    if (desired !== 100) {
      // Only a spec edited mid-flight gets here (admission demands the last setWeight be 100).
      return { progress: { ...base, desiredWeight: 100, phase: 'Progressing', reason: 'Completing', message: 'all steps done; sending the whole route to the target' }, effect: { type: 'continue' }, events: [] };
    }
    const progress: Progress = { ...base, phase: 'Promoted', reason: 'Promoted', message: `all ${String(steps.length)} steps done: ${movedThing(spec)} is served by ${spec.target.service}` };
    return { progress, effect: { type: 'wait' }, events: transition(status, progress, 'Promoted', progress.message) };
  }

  // 6. The current step.
  const kind = stepKind(step, index);
  const pausedReason = status.conditions?.find((condition) => condition.type === 'Paused')?.reason;
  const resumed = status.phase === 'Paused' && pausedReason !== undefined && RESUMABLE.has(pausedReason);
  const resumedEvents: EngineEvent[] = resumed ? [{ type: 'Normal', reason: 'Resumed', note: `resumed at ${current.stepLabel ?? ''}` }] : [];
  const running: Progress = resumed ? { ...base, phase: 'Progressing', reason: 'Resumed', message: `resumed at ${current.stepLabel ?? ''}` } : base;
  switch (kind.kind) {
    case 'setWeight':
      if (desired !== kind.weight) {
        return { progress: { ...running, phase: 'Progressing', desiredWeight: kind.weight }, effect: { type: 'continue' }, events: resumedEvents };
      }
      return advance(input, index, running, resumedEvents);
    case 'timedPause': {
      const endsAt = Date.parse(status.stepStartedAt) + kind.durationMs;
      if (now >= endsAt) return advance(input, index, running, resumedEvents);
      const progress: Progress = { ...running, phase: 'Progressing', reason: 'PauseRunning', message: `pause ${kind.duration} until ${metaTime(endsAt)}, ${String(desired)}% on the target` };
      return { progress, effect: { type: 'wait', afterMs: endsAt - now }, events: resumedEvents };
    }
    case 'manualPause': {
      if ((input.approvedStep ?? 0) >= index + 1) return advance(input, index, running, resumedEvents);
      const progress: Progress = {
        ...running,
        phase: 'Paused',
        reason: 'AwaitingApproval',
        message: `step ${String(index + 1)} waits for a person: kubectl nova resume (annotation ${APPROVED_STEP_ANNOTATION}=${String(index + 1)}) to go on`,
      };
      return { progress, effect: { type: 'wait' }, events: transition(status, progress, 'AwaitingApproval', progress.message) };
    }
    case 'analysis': {
      if (passedSince(status, status.stepStartedAt)) return advance(input, index, running, resumedEvents);
      const last = status.analysis?.summary;
      const progress: Progress = { ...running, phase: 'Progressing', reason: 'AnalysisRunning', message: `step ${String(index + 1)} waits for a passing check${last === undefined ? '' : `; last: ${last}`}` };
      return { progress, effect: { type: 'wait' }, events: resumedEvents };
    }
    case 'backup':
    case 'moveSchema':
      // Admission refuses these without spec.database, and a database migration never reaches this engine.
      throw new InvalidStepError(index, `${kind.kind} needs spec.database; a traffic migration moves no tables`);
  }
}

/** The stored progress, with the label recomputed (the steps may have been edited). */
function currentProgress(status: NovaMigrationStatus, steps: readonly Step[], index: number, desired: number): Progress {
  const phase = status.phase ?? 'Progressing';
  // A held phase keeps the reason and message it was entered with, not a problem reported since.
  const held = phase === 'RolledBack' || phase === 'Paused' ? phaseCondition(status, phase) : {};
  return {
    phase,
    reason: held.reason ?? 'Progressing',
    message: held.message ?? status.message ?? '',
    currentStep: index,
    stepLabel: stepLabel(steps, index),
    stepStartedAt: status.stepStartedAt,
    runStartedAt: status.runStartedAt,
    desiredWeight: desired,
    weight: status.weight,
    analysis: status.analysis,
    waitingFor: status.waitingFor,
    control: status.control,
  };
}

function dependencyHold(input: EngineInput, current: Progress): Decision | undefined {
  const dependencies = input.dependencies;
  if (dependencies === undefined || dependencies.unmet.length === 0) return undefined;
  const rolledBack = dependencies.rolledBack.length > 0;
  const reason = rolledBack ? 'DependencyRolledBack' : 'WaitingForDependencies';
  const cause = rolledBack ? `${dependencies.rolledBack.join(', ')} rolled back` : `waits for ${dependencies.unmet.join(', ')} to be Promoted`;
  const progress: Progress = {
    ...current,
    phase: 'Paused',
    reason,
    message: `held at ${current.stepLabel ?? ''} with ${String(current.desiredWeight ?? 0)}% on the target: ${cause}`,
    waitingFor: [...dependencies.unmet],
  };
  return { progress, effect: { type: 'wait' }, events: transition(input.status, progress, reason, progress.message).map((event) => ({ ...event, type: rolledBack ? 'Warning' : 'Normal' })) };
}

/** Completes step `index` and enters the next in one status write — unless the last check failed. */
function advance(input: EngineInput, index: number, current: Progress, events: readonly EngineEvent[]): Decision {
  const steps = input.spec.steps;
  if (analysisHolds(input.spec, input.status)) {
    const progress: Progress = { ...current, phase: 'Progressing', reason: 'AnalysisHolding', message: `step ${stepLabel(steps, index)} is done but the last check did not pass (${input.status.analysis?.summary ?? ''}); waiting for the next` };
    return { progress, effect: { type: 'wait' }, events };
  }
  const next = enterStep(steps, index + 1, current.desiredWeight ?? 0, input.now, current);
  return {
    progress: next,
    effect: { type: 'continue' },
    events: [...events, { type: 'Normal', reason: 'StepCompleted', note: `step ${stepLabel(steps, index)} completed; now ${next.stepLabel ?? ''}` }],
  };
}
