/**
 * Turns the engine's progress (or a problem the reconciler met) into the status the apiserver
 * stores: the engine's fields, `observedGeneration`, and the five metav1-shaped conditions
 * `kubectl wait --for=condition=Promoted` and dashboards read.
 */
import type { NovaMigrationStatus } from '../api/generated/novamigration.js';
import { jsonEqual } from '../providers/json.js';
import { setCondition, type Condition, type ConditionStatus } from '../kube/conditions.js';
import { phaseCondition } from './decision.js';
import type { Phase, Progress } from './engine.js';

export type MigrationStatus = NovaMigrationStatus;

/** A reason the data plane could not be brought to the desired weight (route missing, provider error). */
export interface DataPlaneProblem {
  readonly reason: string;
  readonly message: string;
}

export const CONDITION_TYPES = ['Ready', 'Progressing', 'Paused', 'Promoted', 'RolledBack'] as const;

export function renderStatus(
  progress: Progress,
  previous: MigrationStatus,
  generation: number | undefined,
  now: number,
  problem?: DataPlaneProblem,
): MigrationStatus {
  const flag = (phase: Phase, whenTrue: string, whenFalse: string): { status: ConditionStatus; reason: string } =>
    progress.phase === phase ? { status: 'True', reason: whenTrue } : { status: 'False', reason: whenFalse };
  const inSync = progress.weight !== undefined && progress.weight === progress.desiredWeight;
  const ready =
    problem !== undefined
      ? { status: 'False' as const, reason: problem.reason, message: problem.message }
      : progress.database !== undefined
        ? { status: 'True' as const, reason: 'Recorded', message: 'each step of the database migration is recorded in status.database before it runs' }
        : inSync
        ? { status: 'True' as const, reason: 'InSync', message: `the data plane sends ${String(progress.weight)}% to the target, as meant` }
        : { status: 'False' as const, reason: 'WeightPending', message: `writing ${String(progress.desiredWeight ?? 0)}% to the data plane` };
  const updates = [
    { type: 'Ready', ...ready },
    { type: 'Progressing', ...flag('Progressing', progress.reason, progress.phase), message: progress.phase === 'Progressing' ? progress.message : `phase ${progress.phase}` },
    { type: 'Paused', ...flag('Paused', progress.reason, 'NotPaused'), message: progress.phase === 'Paused' ? progress.message : '' },
    { type: 'Promoted', ...flag('Promoted', 'AllStepsDone', 'StepsRemaining'), message: progress.phase === 'Promoted' ? progress.message : '' },
    { type: 'RolledBack', ...flag('RolledBack', progress.reason, 'NotRolledBack'), message: progress.phase === 'RolledBack' ? progress.message : '' },
  ];
  let conditions: Condition[] = (previous.conditions ?? []).map((condition) => ({ ...condition }));
  for (const update of updates) conditions = setCondition(conditions, { ...update, observedGeneration: generation }, now);
  const status: Record<string, unknown> = {
    phase: progress.phase,
    message: problem?.message ?? progress.message,
    conditions,
  };
  if (generation !== undefined) status.observedGeneration = generation;
  const optional = {
    currentStep: progress.currentStep,
    stepLabel: progress.stepLabel,
    stepStartedAt: progress.stepStartedAt,
    runStartedAt: progress.runStartedAt,
    desiredWeight: progress.desiredWeight,
    weightFence: nextWeightFence(previous, progress.desiredWeight),
    weight: progress.weight,
    // null stays null: the merge patch then removes the stored field.
    analysis: progress.analysis,
    waitingFor: progress.waitingFor,
    control: progress.control,
    database: progress.database === undefined ? undefined : databasePatch(progress.database, previous.database),
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) status[key] = value;
  return status;
}

/**
 * The database record as a merge patch: a field the new record no longer has (a retry starts a run
 * afresh) is sent as null, or the merge would keep the old run's backup and failure.
 */
function databasePatch(next: NonNullable<MigrationStatus['database']>, previous: MigrationStatus['database']): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...next };
  for (const key of Object.keys(previous ?? {})) if ((next as Record<string, unknown>)[key] === undefined) patch[key] = null;
  return patch;
}

/**
 * status.weightFence: one more in the status write that changes desiredWeight, else as stored.
 * The fence travels with every weight a provider writes (ProviderMigration.fence); because it is
 * written in the same status write as the decision, a process holding an older status (a stale
 * leader, a second operator) carries a lower fence than the stored weight, and the nats provider
 * refuses its write whatever revision of the key it read.
 */
export function nextWeightFence(previous: MigrationStatus, desiredWeight: number | undefined): number | undefined {
  if (desiredWeight === undefined || desiredWeight === previous.desiredWeight) return previous.weightFence;
  return (previous.weightFence ?? 0) + 1;
}

/** True when writing `next` would change what is stored (fields `next` leaves out stay as they are). */
export function statusChanged(previous: MigrationStatus, next: MigrationStatus): boolean {
  const stored = previous as Readonly<Record<string, unknown>>;
  return Object.entries(next as Readonly<Record<string, unknown>>).some(([key, value]) => !jsonEqual(stored[key], value));
}

/** The progress stored in a status, for when the reconciler reports a problem without an engine decision. */
export function storedProgress(status: MigrationStatus, fallbackPhase: Phase = 'Pending'): Progress {
  const phase = status.phase ?? fallbackPhase;
  // Reporting a data plane problem must not rename why the migration is where it is (a RolledBack
  // condition's AnalysisFailed stays AnalysisFailed, with its message).
  const held = phaseCondition(status, phase);
  return {
    phase,
    reason: held.reason ?? phase,
    message: held.message ?? status.message ?? '',
    currentStep: status.currentStep,
    stepLabel: status.stepLabel,
    stepStartedAt: status.stepStartedAt,
    runStartedAt: status.runStartedAt,
    desiredWeight: status.desiredWeight,
    weight: status.weight,
    analysis: status.analysis,
    waitingFor: status.waitingFor,
    control: status.control,
  };
}

/**
 * The progress to store with a problem the reconciler met. A fatal one (retrying cannot help until
 * the spec or the operator's configuration changes) fails a migration that is under way; a
 * finished one keeps its phase and only its Ready condition says what is wrong — reported as
 * Failed, the next decision would take a RolledBack migration for a run in progress and carry on
 * from its step at 0 %, as if it had never been rolled back.
 */
export function progressWithProblem(status: MigrationStatus, problem: { kind: 'fatal' | 'retry'; reason: string; message: string }): Progress {
  const current = storedProgress(status);
  const finished = current.phase === 'RolledBack' || current.phase === 'Promoted';
  return problem.kind === 'fatal' && !finished ? { ...current, phase: 'Failed', reason: problem.reason, message: problem.message } : current;
}
