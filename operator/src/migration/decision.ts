/**
 * The vocabulary of the step engine: the progress it persists, the effect it asks for next, the
 * Events that explain it, and the few transitions several rules share (entering a step, rolling
 * back).
 */
import type { NovaMigrationStatus } from '../api/generated/novamigration.js';
import { stepKind, stepLabel, type Step } from './steps.js';

export type Phase = NonNullable<NovaMigrationStatus['phase']>;
export type AnalysisStatus = NonNullable<NovaMigrationStatus['analysis']>;
export type ControlStatus = NonNullable<NovaMigrationStatus['control']>;

/** The status fields the engine owns; the reconciler adds observedGeneration and conditions. */
export interface Progress {
  readonly phase: Phase;
  /** UpperCamelCase why of the phase, used as the conditions' reason. */
  readonly reason: string;
  readonly message: string;
  readonly currentStep?: number;
  readonly stepLabel?: string;
  readonly stepStartedAt?: string;
  /**
   * When the last retry started the steps over. A first run has none: the window may reach back
   * before it, when the target carried none of the route (and legacy's longer record steadies
   * the comparison); after a retry it holds the failures that rolled the last run back.
   */
  readonly runStartedAt?: string;
  readonly desiredWeight?: number;
  readonly weight?: number;
  /** null clears what is stored (a retry starts the counts afresh). */
  readonly analysis?: AnalysisStatus | null;
  readonly waitingFor?: readonly string[];
  readonly control?: ControlStatus;
  /** A database migration's record (database-engine.ts); absent for traffic. */
  readonly database?: NonNullable<NovaMigrationStatus['database']>;
}

export type Effect =
  /** Progress changed: persist it, then decide again. */
  | { readonly type: 'continue' }
  /** Write this weight (already stored as status.desiredWeight) to the data plane, then decide again. */
  | { readonly type: 'applyWeight'; readonly weight: number }
  /** Nothing to do until something changes, or until `afterMs` passed (a pause's end, the next analysis). */
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

export function enterStep(steps: readonly Step[], index: number, weightBefore: number, now: number, base: Progress): Progress {
  const step = steps[index];
  const kind = step === undefined ? undefined : stepKind(step, index);
  const desiredWeight = kind?.kind === 'setWeight' ? kind.weight : weightBefore;
  const label = stepLabel(steps, index);
  return { ...base, phase: 'Progressing', reason: 'StepStarted', message: `running ${label}`, currentStep: index, stepLabel: label, stepStartedAt: preciseTime(now), desiredWeight };
}

/**
 * All of the route back on legacy, decided in one status write (phase and desired weight 0
 * together); the data plane follows in the next round. The migration then stays put until a
 * person retries it.
 */
export function rollBack(current: Progress, reason: string, message: string, extra: Partial<Progress> = {}): Decision {
  const progress: Progress = { ...current, ...extra, phase: 'RolledBack', reason, message, desiredWeight: 0 };
  return { progress, effect: { type: 'continue' }, events: [{ type: 'Warning', reason: 'RolledBack', note: message }] };
}

/** Milliseconds kept: a timed pause must not end early because its start was rounded down. */
export function preciseTime(at: number): string {
  return new Date(at).toISOString();
}

/** An Event when the phase changes into `progress.phase`, none when it already was there. */
export function transition(status: NovaMigrationStatus, progress: Progress, reason: string, note: string): EngineEvent[] {
  return status.phase === progress.phase && status.message === progress.message ? [] : [{ type: 'Normal', reason, note }];
}

/**
 * Why the migration is in its phase and what it said then, from that phase's condition. status.message
 * shows a problem while one lasts (the Ready condition too); the phase's condition keeps the
 * reason and message the phase was entered with (a rollback's AnalysisFailed and its numbers).
 */
export function phaseCondition(status: NovaMigrationStatus, phase: Phase): { reason?: string; message?: string } {
  if (phase !== 'RolledBack' && phase !== 'Paused' && phase !== 'Progressing' && phase !== 'Promoted') return {};
  const condition = status.conditions?.find((candidate) => candidate.type === phase && candidate.status === 'True');
  return condition === undefined ? {} : { reason: condition.reason, message: condition.message === '' ? undefined : condition.message };
}
