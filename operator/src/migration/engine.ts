/**
 * The step engine: a pure function from what is stored (spec, status) and what is observed (the
 * data plane's weight, the clock, a person's approval) to the next thing to do. It never performs
 * anything itself, which is what makes its crash-safety argument checkable in unit tests:
 *
 * - `status` is the operator's memory (ARCHITECTURE.md, Decided 10). A decision to move traffic
 *   is first persisted as `status.desiredWeight`; only a decision whose desired weight is already
 *   stored may ask for the data plane write (`applyWeight`). A process killed between the two
 *   re-reads status and writes the same weight again: it never writes a weight it did not mean.
 * - A step is left only once the weight it set is confirmed in `status.weight`, and entering the
 *   next step (index, start time, its weight) is one status write: a restart can neither rewind
 *   nor skip a step. Timed pauses end at `stepStartedAt + duration`, whenever the process restarts.
 */
import type { NovaMigrationSpec, NovaMigrationStatus } from '../api/generated/novamigration.js';
import type { WeightReading } from '../providers/index.js';
import { metaTime } from '../kube/conditions.js';
import { stepKind, stepLabel, type Step } from './steps.js';

export type Phase = NonNullable<NovaMigrationStatus['phase']>;
export type AnalysisStatus = NonNullable<NovaMigrationStatus['analysis']>;

/** The status fields the engine owns; the reconciler adds observedGeneration and conditions. */
export interface Progress {
  readonly phase: Phase;
  /** UpperCamelCase why of the phase, used as the conditions' reason. */
  readonly reason: string;
  readonly message: string;
  readonly currentStep?: number;
  readonly stepLabel?: string;
  readonly stepStartedAt?: string;
  readonly desiredWeight?: number;
  readonly weight?: number;
  readonly analysis?: AnalysisStatus;
}

export interface EngineInput {
  readonly spec: NovaMigrationSpec;
  readonly status: NovaMigrationStatus;
  readonly now: number;
  /** From the approval annotation: manual pauses up to this step number (1-based) may be passed. */
  readonly approvedStep?: number;
  /** What the data plane carries now; undefined when the route is absent. */
  readonly dataPlane: WeightReading | undefined;
}

export type Effect =
  /** Progress changed: persist it, then decide again. */
  | { readonly type: 'continue' }
  /** Write this weight (already stored as status.desiredWeight) to the data plane, then decide again. */
  | { readonly type: 'applyWeight'; readonly weight: number }
  /** Nothing to do until something changes, or until `afterMs` passed (a timed pause's end). */
  | { readonly type: 'wait'; readonly afterMs?: number };

export interface EngineEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly note: string;
}

export interface Decision {
  readonly progress: Progress;
  readonly effect: Effect;
  /** To record once `progress` is stored (a refused status write must not leave an Event behind). */
  readonly events: readonly EngineEvent[];
}

/** The annotation a person sets to let a migration past a `pause: {}` (kubectl nova promote sets it too). */
export const APPROVED_STEP_ANNOTATION = 'novabot.io/approved-step';

/**
 * Analysis is a placeholder until metric analysis lands (issue 5): an analysis step passes at
 * once, and status says so (`analysis.placeholder: true`, summary "Passed (placeholder)").
 */
export const PLACEHOLDER_ANALYSIS_SUMMARY = 'Passed (placeholder)';

export function decide(input: EngineInput): Decision {
  const { spec, status, now } = input;
  const steps = spec.steps;
  if (status.currentStep === undefined || status.desiredWeight === undefined || status.stepStartedAt === undefined) {
    // First sight: start at step 1 with the route fully on legacy.
    const entered = enterStep(steps, 0, 0, now, { phase: 'Progressing', reason: 'Started', message: '' });
    return { progress: { ...entered, weight: status.weight }, effect: { type: 'continue' }, events: [{ type: 'Normal', reason: 'Started', note: `migration started at ${entered.stepLabel ?? ''}` }] };
  }
  const index = Math.min(status.currentStep, steps.length);
  const desired = status.desiredWeight;
  const current = currentProgress(status, steps, index, desired);

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
      events: [{ type: 'Normal', reason: 'WeightChanged', note: `${String(desired)}% of ${spec.route.pathPrefix} goes to ${spec.target.service}:${String(spec.target.port)}, ${String(100 - desired)}% to ${spec.legacy.service}:${String(spec.legacy.port)}` }],
    };
  }

  // 2. In sync. Held by a person?
  if (spec.paused) {
    const progress: Progress = { ...current, phase: 'Paused', reason: 'PausedBySpec', message: `held at ${current.stepLabel ?? ''} with ${String(desired)}% on the target (spec.paused)` };
    return { progress, effect: { type: 'wait' }, events: transition(status, progress, 'Paused', `paused by spec.paused at ${current.stepLabel ?? ''}`) };
  }

  // 3. All steps done.
  const step = steps[index];
  if (step === undefined) {
    if (desired !== 100) {
      // Only a spec edited mid-flight gets here (admission demands the last setWeight be 100).
      return { progress: { ...current, desiredWeight: 100, phase: 'Progressing', reason: 'Completing', message: 'all steps done; sending the whole route to the target' }, effect: { type: 'continue' }, events: [] };
    }
    const progress: Progress = { ...current, phase: 'Promoted', reason: 'Promoted', message: `all ${String(steps.length)} steps done: ${spec.route.pathPrefix} is served by ${spec.target.service}` };
    return { progress, effect: { type: 'wait' }, events: transition(status, progress, 'Promoted', progress.message) };
  }

  // 4. The current step.
  const kind = stepKind(step, index);
  const resumed = status.phase === 'Paused' && status.conditions?.find((condition) => condition.type === 'Paused')?.reason === 'PausedBySpec';
  const resumedEvents: EngineEvent[] = resumed ? [{ type: 'Normal', reason: 'Resumed', note: `resumed at ${current.stepLabel ?? ''}` }] : [];
  switch (kind.kind) {
    case 'setWeight':
      if (desired !== kind.weight) {
        return { progress: { ...current, desiredWeight: kind.weight }, effect: { type: 'continue' }, events: resumedEvents };
      }
      return advance(input, index, current, [...resumedEvents]);
    case 'timedPause': {
      const endsAt = Date.parse(status.stepStartedAt) + kind.durationMs;
      if (now >= endsAt) return advance(input, index, current, resumedEvents);
      const progress: Progress = { ...current, phase: 'Progressing', reason: 'PauseRunning', message: `pause ${kind.duration} until ${metaTime(endsAt)}, ${String(desired)}% on the target` };
      return { progress, effect: { type: 'wait', afterMs: endsAt - now }, events: resumedEvents };
    }
    case 'manualPause': {
      if ((input.approvedStep ?? 0) >= index + 1) return advance(input, index, current, resumedEvents);
      const progress: Progress = {
        ...current,
        phase: 'Paused',
        reason: 'AwaitingApproval',
        message: `step ${String(index + 1)} waits for a person: annotate ${APPROVED_STEP_ANNOTATION}=${String(index + 1)} (kubectl nova promote) to go on`,
      };
      return { progress, effect: { type: 'wait' }, events: [...resumedEvents, ...transition(status, progress, 'AwaitingApproval', progress.message)] };
    }
    case 'analysis':
      // PLACEHOLDER (issue 5 replaces it with metric analysis against Prometheus): passes at once.
      return advance(input, index, { ...current, analysis: { summary: PLACEHOLDER_ANALYSIS_SUMMARY, placeholder: true, failures: 0, lastRun: metaTime(now) } }, resumedEvents);
  }
}

/** The stored progress, with the label recomputed (the steps may have been edited). */
function currentProgress(status: NovaMigrationStatus, steps: readonly Step[], index: number, desired: number): Progress {
  return {
    phase: status.phase ?? 'Progressing',
    reason: 'Progressing',
    message: status.message ?? '',
    currentStep: index,
    stepLabel: stepLabel(steps, index),
    stepStartedAt: status.stepStartedAt,
    desiredWeight: desired,
    weight: status.weight,
    analysis: status.analysis,
  };
}

/** Completes step `index` and enters the next in one status write. */
function advance(input: EngineInput, index: number, current: Progress, events: readonly EngineEvent[]): Decision {
  const steps = input.spec.steps;
  const next = enterStep(steps, index + 1, current.desiredWeight ?? 0, input.now, current);
  return {
    progress: next,
    effect: { type: 'continue' },
    events: [...events, { type: 'Normal', reason: 'StepCompleted', note: `step ${stepLabel(steps, index)} completed; now ${next.stepLabel ?? ''}` }],
  };
}

function enterStep(steps: readonly Step[], index: number, weightBefore: number, now: number, base: Progress): Progress {
  const step = steps[index];
  const kind = step === undefined ? undefined : stepKind(step, index);
  const desiredWeight = kind?.kind === 'setWeight' ? kind.weight : weightBefore;
  const label = stepLabel(steps, index);
  return { ...base, phase: 'Progressing', reason: 'StepStarted', message: `running ${label}`, currentStep: index, stepLabel: label, stepStartedAt: preciseTime(now), desiredWeight };
}

/** Milliseconds kept: a timed pause must not end early because its start was rounded down. */
function preciseTime(at: number): string {
  return new Date(at).toISOString();
}

/** An Event when the phase changes into `progress.phase`, none when it already was there. */
function transition(status: NovaMigrationStatus, progress: Progress, reason: string, note: string): EngineEvent[] {
  return status.phase === progress.phase && status.message === progress.message ? [] : [{ type: 'Normal', reason, note }];
}
