/**
 * The step engine of a database migration (spec.database, stage 7): a pure function from what is
 * stored (spec, status.database) and what just happened (a step's result, an analysis check, a
 * person's request) to the next thing to do. Like the weights' engine it performs nothing itself,
 * and it keeps the same crash rule:
 *
 * - every step's intent is in status before its effect: the backup is recorded `Running`, a context
 *   `Moving` (or `Reversing`, or the restore `Running`) in one status write, and only a decision made
 *   from that stored record asks a runner to act (`run`). A process killed in between re-reads status
 *   and runs the same step again; each step of nova-schema-move reads the catalogue first and
 *   converges (docs/database-split.md), so a second run of a step that had finished changes nothing.
 * - its result is folded into status (`Done`, `Moved` with the time, the locks' hold and the rows
 *   checked) before the next step is entered.
 * - a failed verification, a failed move or a failed analysis rolls back: phase RolledBack in one
 *   write, then each context still Moving or Moved is reversed newest first, each recorded
 *   `Reversing` before it runs. Only when a reverse fails is the backup restored (recorded
 *   `Running` first), with a Warning Event that says rows written since the backup are lost.
 */
import type { NovaMigrationStatus } from '../api/generated/novamigration.js';
import type { DatabaseSpec } from '../api/novamigration.js';
import type { AnalysisOutcome } from '../analysis/analyzer.js';
import type { OperationResult, SchemaOperation } from '../database/operation.js';
import { metaTime } from '../kube/conditions.js';
import { analysisActive, analysisDueInMs, analysisHolds, foldOutcome, passedSince } from './analysis-state.js';
import { APPROVED_STEP_ANNOTATION, PAUSED_ANNOTATION, pendingControl, CONTROL_ANNOTATIONS, type ControlRequests } from './controls.js';
import { enterStep, phaseCondition, preciseTime, transition, type EngineEvent, type Progress } from './decision.js';
import type { DependencyState } from './engine.js';
import { InvalidStepError, stepKind, stepLabel, type Step } from './steps.js';

export type DatabaseRecord = NonNullable<NovaMigrationStatus['database']>;
export type ContextRecord = NonNullable<DatabaseRecord['contexts']>[number];

export type DatabaseEffect =
  | { readonly type: 'continue' }
  | { readonly type: 'wait'; readonly afterMs?: number }
  /** Run this step now: its intent is already stored in status.database. */
  | { readonly type: 'run'; readonly operation: SchemaOperation; readonly id: string };

export interface DatabaseProgress extends Progress {
  readonly database: DatabaseRecord;
}

export interface DatabaseDecision {
  readonly progress: DatabaseProgress;
  readonly effect: DatabaseEffect;
  readonly events: readonly EngineEvent[];
}

export interface DatabaseEngineInput {
  readonly spec: DatabaseSpec;
  readonly status: NovaMigrationStatus;
  readonly now: number;
  readonly approvedStep?: number;
  readonly controls?: ControlRequests;
  readonly analysis?: AnalysisOutcome;
  readonly dependencies?: DependencyState;
  /** The result of the step the last decision ran (`run`), to fold in. */
  readonly result?: { readonly operation: SchemaOperation; readonly result: OperationResult };
}

/** A move that found the locks taken (a long transaction) changed nothing: it is tried again after this. */
export const LOCKED_RETRY_MS = 15_000;

/**
 * A move or reverse that lost the database (restarting, unreachable: the CLI's DatabaseUnavailableError)
 * keeps its intent and runs again after this: its transaction was rolled back by the server, or it
 * committed and the re-run finds it done. Neither is a reason to roll back, let alone to restore.
 */
export const UNAVAILABLE_RETRY_MS = 5_000;

const DATABASE_UNAVAILABLE = 'DatabaseUnavailableError';

/** The step's record kept as it is (Moving or Reversing), with a new attempt (a new Job name): the step runs again later. */
function runAgainLater(current: DatabaseProgress, context: string, state: 'Moving' | 'Reversing', message: string): DatabaseDecision {
  const database = withContext(current.database, context, (c) => ({ ...(c ?? { name: context, state }), attempt: (c?.attempt ?? 0) + 1 }));
  const note = `${context}: ${message}; trying again in ${secondsText(UNAVAILABLE_RETRY_MS)}`;
  return { progress: { ...current, database, reason: 'DatabaseUnavailable', message: note }, effect: { type: 'wait', afterMs: UNAVAILABLE_RETRY_MS }, events: [{ type: 'Warning', reason: 'DatabaseUnavailable', note }] };
}

const RESUMABLE = new Set(['PausedBySpec', 'PausedByPerson', 'DependencyRolledBack', 'WaitingForDependencies']);

/** The shape analysis-state.ts reads: a database migration is "carrying traffic" once any context is moved. */
function analysisShape(progress: DatabaseProgress): Pick<Progress, 'phase' | 'currentStep' | 'desiredWeight' | 'stepStartedAt'> {
  const moved = (progress.database.contexts ?? []).some((c) => c.state === 'Moved' || c.state === 'Moving');
  return { phase: progress.phase, currentStep: progress.currentStep, stepStartedAt: progress.stepStartedAt, desiredWeight: moved ? 1 : 0 };
}

/**
 * When the next check is due: at analysis steps, and (as for traffic, where the target carries a
 * share) all the time while any context is moved and the migration is not finished.
 */
export function databaseAnalysisDueInMs(spec: DatabaseSpec, status: NovaMigrationStatus, now: number): number | undefined {
  const progress = storedDatabaseProgress(status, spec.steps);
  return analysisDueInMs(spec, analysisShape(progress), status.analysis, now);
}

function storedDatabaseProgress(status: NovaMigrationStatus, steps: readonly Step[]): DatabaseProgress {
  const phase = status.phase ?? 'Progressing';
  const held = phase === 'RolledBack' || phase === 'Paused' || phase === 'Failed' ? phaseCondition(status, phase) : {};
  const index = Math.min(status.currentStep ?? 0, steps.length);
  return {
    phase,
    reason: held.reason ?? 'Progressing',
    message: held.message ?? status.message ?? '',
    currentStep: index,
    stepLabel: stepLabel(steps, index),
    stepStartedAt: status.stepStartedAt,
    runStartedAt: status.runStartedAt,
    analysis: status.analysis,
    waitingFor: status.waitingFor,
    control: status.control,
    database: status.database ?? { run: 0 },
  };
}

function schemaOf(spec: DatabaseSpec, name: string): string {
  return spec.database.contexts.find((c) => c.name === name)?.schema ?? name;
}

/**
 * The step's id (a Job's name): the same after a restart, so a Job still running is found again; a
 * new one for a move tried again after its locks were taken (the finished Job keeps its old result).
 */
function stepId(record: DatabaseRecord, operation: SchemaOperation): string {
  const run = `r${String(record.run ?? 0)}`;
  if (operation.kind === 'backup' || operation.kind === 'restore') return `${run}-${operation.kind}`;
  const attempt = (record.contexts ?? []).find((c) => c.name === operation.context)?.attempt ?? 0;
  return `${run}-${operation.kind}-${operation.context}${attempt > 0 ? `-a${String(attempt)}` : ''}`;
}

function run(progress: DatabaseProgress, operation: SchemaOperation, events: readonly EngineEvent[] = []): DatabaseDecision {
  return { progress, effect: { type: 'run', operation, id: stepId(progress.database, operation) }, events };
}

function withContext(record: DatabaseRecord, name: string, update: (previous: ContextRecord | undefined) => ContextRecord): DatabaseRecord {
  const contexts = [...(record.contexts ?? [])];
  const index = contexts.findIndex((c) => c.name === name);
  if (index < 0) contexts.push(update(undefined));
  else contexts[index] = update(contexts[index]);
  return { ...record, contexts };
}

function tookMs(startedAt: string | undefined, now: number): number {
  const started = startedAt === undefined ? Number.NaN : Date.parse(startedAt);
  return Number.isNaN(started) ? 0 : Math.max(0, Math.round(now - started));
}

function secondsText(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Phase RolledBack: what failed is kept; the unwinding (reverses, a restore) follows in the next rounds. */
function rolledBack(current: DatabaseProgress, reason: string, failure: string, extra: Partial<DatabaseProgress> = {}): DatabaseDecision {
  const database = { ...(extra.database ?? current.database), failure };
  const progress: DatabaseProgress = { ...current, ...extra, phase: 'RolledBack', reason, message: `rolled back: ${failure}; reversing the contexts moved so far, newest first`, database };
  return { progress, effect: { type: 'continue' }, events: [{ type: 'Warning', reason: 'RolledBack', note: progress.message }] };
}

export function decideDatabase(input: DatabaseEngineInput): DatabaseDecision {
  const decision = decideNow(input);
  if (decision.effect.type !== 'wait') return decision;
  const dueIn = analysisDueInMs(input.spec, analysisShape(decision.progress), decision.progress.analysis, input.now);
  if (dueIn === undefined) return decision;
  const afterMs = decision.effect.afterMs === undefined ? dueIn : Math.min(decision.effect.afterMs, dueIn);
  return { ...decision, effect: { type: 'wait', afterMs } };
}

function decideNow(input: DatabaseEngineInput): DatabaseDecision {
  const { spec, status, now } = input;
  const steps = spec.steps;
  if (status.currentStep === undefined || status.stepStartedAt === undefined) {
    const entered = enterStep(steps, 0, 0, now, { phase: 'Progressing', reason: 'Started', message: '', control: status.control });
    const progress: DatabaseProgress = { ...entered, desiredWeight: undefined, database: status.database ?? { run: 0 }, waitingFor: [] };
    return { progress, effect: { type: 'continue' }, events: [{ type: 'Normal', reason: 'Started', note: `database migration started at ${entered.stepLabel ?? ''}` }] };
  }
  const current = storedDatabaseProgress(status, steps);
  const index = current.currentStep ?? 0;

  // 0. A step's result is folded in before anything else: it happened, whatever was asked since.
  if (input.result !== undefined) return foldResult(input, current, input.result.operation, input.result.result);

  // 1. A person's request, then a fresh analysis check.
  const request = pendingControl(input.controls, status.control);
  if (request !== undefined) return applyDatabaseControl(spec, current, request, now, input.controls?.approval);
  if (input.analysis !== undefined && analysisActive(spec, analysisShape(current))) {
    const folded = foldOutcome(spec, current, input.analysis);
    if (folded.progress.phase === 'RolledBack') {
      const decision = rolledBack(current, folded.progress.reason, `the analysis failed: ${folded.progress.message}`, { analysis: folded.progress.analysis });
      return { ...decision, events: [...folded.events.filter((e) => e.reason !== 'RolledBack'), ...decision.events] };
    }
    return { progress: { ...current, analysis: folded.progress.analysis }, effect: { type: 'continue' }, events: folded.events };
  }

  // 2. Rolled back or failed: unwind what was moved, then stay put.
  if (current.phase === 'RolledBack') return unwind(spec, current, now);
  if (current.phase === 'Failed') return { progress: current, effect: { type: 'wait' }, events: [] };

  // 3. A step already under way runs to its end even while held: its intent is stored and the
  //    schema is half way (one context Moving); a hold stops the migration between steps.
  const record = current.database;
  const inFlight = (record.contexts ?? []).find((c) => c.state === 'Moving');
  if (inFlight !== undefined) return run(current, { kind: 'move', context: inFlight.name });
  if (record.backup?.state === 'Running') return run(current, { kind: 'backup' });

  // 4. Held by a person or by a dependency.
  if (spec.paused || input.controls?.paused === true) {
    const by = spec.paused ? 'spec.paused' : `the ${PAUSED_ANNOTATION} annotation (kubectl nova resume lifts it)`;
    const progress: DatabaseProgress = { ...current, phase: 'Paused', reason: spec.paused ? 'PausedBySpec' : 'PausedByPerson', message: `held at ${current.stepLabel ?? ''} by ${by}` };
    return { progress, effect: { type: 'wait' }, events: transition(status, progress, 'Paused', `paused by ${by} at ${current.stepLabel ?? ''}`) };
  }
  const dependencies = input.dependencies;
  if (current.phase !== 'Promoted' && dependencies !== undefined && dependencies.unmet.length > 0) {
    const rolledBackDeps = dependencies.rolledBack.length > 0;
    const reason = rolledBackDeps ? 'DependencyRolledBack' : 'WaitingForDependencies';
    const cause = rolledBackDeps ? `${dependencies.rolledBack.join(', ')} rolled back` : `waits for ${dependencies.unmet.join(', ')} to be Promoted`;
    const progress: DatabaseProgress = { ...current, phase: 'Paused', reason, message: `held at ${current.stepLabel ?? ''}: ${cause}`, waitingFor: [...dependencies.unmet] };
    return { progress, effect: { type: 'wait' }, events: transition(status, progress, reason, progress.message) };
  }
  const base: DatabaseProgress = { ...current, waitingFor: [] };

  // 5. All steps done.
  const step = steps[index];
  if (step === undefined) {
    const moved = (record.contexts ?? []).filter((c) => c.state === 'Moved').map((c) => c.schema ?? c.name);
    const progress: DatabaseProgress = { ...base, phase: 'Promoted', reason: 'Promoted', message: `all ${String(steps.length)} steps done: ${moved.join(', ')} hold their tables` };
    return { progress, effect: { type: 'wait' }, events: transition(status, progress, 'Promoted', progress.message) };
  }

  // 6. The current step.
  const pausedReason = status.conditions?.find((condition) => condition.type === 'Paused')?.reason;
  const resumed = status.phase === 'Paused' && pausedReason !== undefined && RESUMABLE.has(pausedReason);
  const events: EngineEvent[] = resumed ? [{ type: 'Normal', reason: 'Resumed', note: `resumed at ${current.stepLabel ?? ''}` }] : [];
  const running: DatabaseProgress = resumed || base.phase === 'Paused' ? { ...base, phase: 'Progressing', reason: 'Resumed', message: `resumed at ${current.stepLabel ?? ''}` } : base;
  const kind = stepKind(step, index);
  switch (kind.kind) {
    case 'backup': {
      if (record.backup?.state === 'Done') return advance(input, index, running, events);
      const progress: DatabaseProgress = { ...running, phase: 'Progressing', reason: 'BackingUp', message: 'taking the backup (pg_dump of the whole database)', database: { ...record, backup: { state: 'Running', startedAt: preciseTime(now) } } };
      return { progress, effect: { type: 'continue' }, events };
    }
    case 'moveSchema': {
      const existing = (record.contexts ?? []).find((c) => c.name === kind.context);
      if (existing?.state === 'Moved') return advance(input, index, running, events);
      const schema = schemaOf(input.spec, kind.context);
      const database = withContext(record, kind.context, () => ({ name: kind.context, schema, state: 'Moving', startedAt: preciseTime(now) }));
      const progress: DatabaseProgress = { ...running, phase: 'Progressing', reason: 'Moving', message: `moving the ${kind.context} context's tables into ${schema}`, database };
      return { progress, effect: { type: 'continue' }, events };
    }
    case 'timedPause': {
      const endsAt = Date.parse(current.stepStartedAt ?? '') + kind.durationMs;
      if (now >= endsAt) return advance(input, index, running, events);
      const progress: DatabaseProgress = { ...running, phase: 'Progressing', reason: 'PauseRunning', message: `pause ${kind.duration} until ${metaTime(endsAt)}` };
      return { progress, effect: { type: 'wait', afterMs: endsAt - now }, events };
    }
    case 'manualPause': {
      if ((input.approvedStep ?? 0) >= index + 1) return advance(input, index, running, events);
      const progress: DatabaseProgress = { ...running, phase: 'Paused', reason: 'AwaitingApproval', message: `step ${String(index + 1)} waits for a person: kubectl nova resume (annotation ${APPROVED_STEP_ANNOTATION}=${String(index + 1)}) to go on` };
      return { progress, effect: { type: 'wait' }, events: transition(status, progress, 'AwaitingApproval', progress.message) };
    }
    case 'analysis': {
      if (passedSince(status, current.stepStartedAt)) return advance(input, index, running, events);
      const last = status.analysis?.summary;
      const progress: DatabaseProgress = { ...running, phase: 'Progressing', reason: 'AnalysisRunning', message: `step ${String(index + 1)} waits for a passing check${last === undefined ? '' : `; last: ${last}`}` };
      return { progress, effect: { type: 'wait' }, events };
    }
    case 'setWeight':
      throw new InvalidStepError(index, 'setWeight in a database migration: it moves no traffic');
  }
}

function advance(input: DatabaseEngineInput, index: number, current: DatabaseProgress, events: readonly EngineEvent[]): DatabaseDecision {
  const steps = input.spec.steps;
  if (analysisHolds(input.spec, input.status)) {
    const progress: DatabaseProgress = { ...current, phase: 'Progressing', reason: 'AnalysisHolding', message: `step ${stepLabel(steps, index)} is done but the last check did not pass (${input.status.analysis?.summary ?? ''}); waiting for the next` };
    return { progress, effect: { type: 'wait' }, events };
  }
  const next = enterStep(steps, index + 1, 0, input.now, current);
  return {
    progress: { ...current, ...next, desiredWeight: undefined },
    effect: { type: 'continue' },
    events: [...events, { type: 'Normal', reason: 'StepCompleted', note: `step ${stepLabel(steps, index)} completed; now ${next.stepLabel ?? ''}` }],
  };
}

/** Reverses what is moved, newest first; a failed reverse leads to the restore (recorded before it runs). */
function unwind(spec: DatabaseSpec, current: DatabaseProgress, now: number): DatabaseDecision {
  const record = current.database;
  const restore = record.restore;
  // The loud Event goes with every run of the restore, from the note stored with its intent: posted
  // after the status write that records the intent, it was lost when the operator died between the
  // two, and the next one restored the whole database without a word.
  if (restore?.state === 'Running') return run(current, { kind: 'restore' }, [{ type: 'Warning', reason: 'RestoringBackup', note: restore.message ?? 'THE LAST RESORT: restoring the WHOLE DATABASE from the backup: every row written since it was taken is LOST' }]);
  if (restore !== undefined) return { progress: current, effect: { type: 'wait' }, events: [] };
  const pending = [...(record.contexts ?? [])].reverse().find((c) => c.state === 'Moving' || c.state === 'Moved' || c.state === 'Reversing');
  if (pending === undefined) {
    const reversed = (record.contexts ?? []).map((c) => c.schema ?? c.name);
    const message = `${record.failure ?? current.message}; ${reversed.length === 0 ? 'nothing had been moved' : `every context is back in ${spec.database.legacySchema} (${reversed.join(', ')} reversed)`}: kubectl nova retry starts again`;
    if (current.message === message) return { progress: current, effect: { type: 'wait' }, events: [] };
    return { progress: { ...current, message }, effect: { type: 'continue' }, events: [] };
  }
  if (pending.state === 'Reversing') return run(current, { kind: 'reverse', context: pending.name });
  const database = withContext(record, pending.name, (c) => ({ ...(c ?? { name: pending.name }), state: 'Reversing', startedAt: preciseTime(now) }));
  return { progress: { ...current, database }, effect: { type: 'continue' }, events: [] };
}

function foldResult(input: DatabaseEngineInput, current: DatabaseProgress, operation: SchemaOperation, result: OperationResult): DatabaseDecision {
  const { now, spec } = input;
  const record = current.database;
  switch (operation.kind) {
    case 'backup': {
      const took = tookMs(record.backup?.startedAt, now);
      if (result.ok && result.backup !== undefined) {
        const backup = { state: 'Done' as const, startedAt: record.backup?.startedAt, ...result.backup, tookMs: took };
        return { progress: { ...current, database: { ...record, backup } }, effect: { type: 'continue' }, events: [{ type: 'Normal', reason: 'BackupTaken', note: `backup taken in ${secondsText(took)}: ${result.backup.path}, ${String(result.backup.bytes)} bytes, sha256 ${result.backup.sha256}` }] };
      }
      const why = result.ok ? 'no backup was reported' : `${result.name}: ${result.message}`;
      const decision = rolledBack(current, 'BackupFailed', `the backup failed (${why})`, { database: { ...record, backup: undefined } });
      return { ...decision, events: [{ type: 'Warning', reason: 'BackupFailed', note: `the backup failed after ${secondsText(took)}: ${why}` }, ...decision.events] };
    }
    case 'move': {
      const previous = (record.contexts ?? []).find((c) => c.name === operation.context);
      const took = tookMs(previous?.startedAt, now);
      const schema = schemaOf(spec, operation.context);
      if (result.ok) {
        const database = withContext(record, operation.context, (c) => ({ ...(c ?? { name: operation.context }), schema, state: 'Moved', tookMs: took, ...(result.lockedMs === undefined ? {} : { lockedMs: Number(result.lockedMs.toFixed(1)) }), rowsChecked: result.rowsChecked ?? 0 }));
        const locked = result.lockedMs === undefined ? '' : `, locks held ${String(Math.round(result.lockedMs))} ms`;
        return { progress: { ...current, database }, effect: { type: 'continue' }, events: [{ type: 'Normal', reason: 'ContextMoved', note: `${operation.context}: tables moved into ${schema} and verified in ${secondsText(took)}${locked}, ${String(result.rowsChecked ?? 0)} rows checked` }] };
      }
      if (result.name === DATABASE_UNAVAILABLE) return runAgainLater(current, operation.context, 'Moving', result.message);
      if (result.name === 'LockNotAvailableError') {
        // Nothing was changed (docs/database-split.md): the context stays Moving and the move runs again later.
        const database = withContext(record, operation.context, (c) => ({ ...(c ?? { name: operation.context, state: 'Moving' }), attempt: (c?.attempt ?? 0) + 1 }));
        return { progress: { ...current, database, reason: 'MoveDelayed', message: `${operation.context}: ${result.message}; trying again` }, effect: { type: 'wait', afterMs: LOCKED_RETRY_MS }, events: [{ type: 'Warning', reason: 'MoveDelayed', note: `${operation.context}: ${result.message}; trying again in ${secondsText(LOCKED_RETRY_MS)}` }] };
      }
      // A failed verification: the engine reversed that context itself before answering (moveContext).
      // Any other failure leaves the context Moving: the unwinding reverses it (a reverse of a context
      // that never moved changes nothing).
      const verification = result.name === 'VerificationFailedError';
      const database = verification ? withContext(record, operation.context, (c) => ({ ...(c ?? { name: operation.context }), state: 'Reversed', tookMs: took })) : record;
      const failure = verification ? `the verification of ${schema} failed (${result.message}); nova-schema-move reversed it` : `the move of ${schema} failed (${result.name}: ${result.message})`;
      const decision = rolledBack(current, verification ? 'VerificationFailed' : 'MoveFailed', failure, { database });
      return { ...decision, events: [{ type: 'Warning', reason: verification ? 'VerificationFailed' : 'MoveFailed', note: `${operation.context}: ${failure} after ${secondsText(took)}` }, ...decision.events] };
    }
    case 'reverse': {
      const previous = (record.contexts ?? []).find((c) => c.name === operation.context);
      const took = tookMs(previous?.startedAt, now);
      const schema = schemaOf(spec, operation.context);
      if (result.ok) {
        const database = withContext(record, operation.context, (c) => ({ ...(c ?? { name: operation.context }), state: 'Reversed', tookMs: took, ...(result.lockedMs === undefined ? {} : { lockedMs: Number(result.lockedMs.toFixed(1)) }), rowsChecked: result.rowsChecked ?? 0 }));
        const locked = result.lockedMs === undefined ? '' : `, locks held ${String(Math.round(result.lockedMs))} ms`;
        return { progress: { ...current, database }, effect: { type: 'continue' }, events: [{ type: 'Normal', reason: 'ContextReversed', note: `${operation.context}: tables back in ${spec.database.legacySchema} from ${schema}, verified in ${secondsText(took)}${locked}, ${String(result.rowsChecked ?? 0)} rows checked` }] };
      }
      // The database went away: the reverse runs again once it is back (a restore would need it too).
      if (result.name === DATABASE_UNAVAILABLE) return runAgainLater(current, operation.context, 'Reversing', result.message);
      const backup = record.backup?.state === 'Done' ? record.backup : undefined;
      if (backup === undefined) {
        const message = `the reverse of ${schema} failed (${result.name}: ${result.message}) and there is no backup to restore: a person must repair the database`;
        const progress: DatabaseProgress = { ...current, phase: 'Failed', reason: 'ReverseFailed', message, database: { ...record, restore: { state: 'Failed', message: 'no backup was taken' } } };
        return { progress, effect: { type: 'continue' }, events: [{ type: 'Warning', reason: 'ReverseFailed', note: message }] };
      }
      const note = `THE LAST RESORT: the reverse of ${schema} failed (${result.name}: ${result.message}); restoring the WHOLE DATABASE from the backup ${backup.path ?? ''} taken at ${backup.startedAt ?? '?'} — every row written since then is LOST`;
      // The intent with its note; the Event is posted with the run that follows (unwind), whoever runs it.
      const database = { ...record, restore: { state: 'Running' as const, startedAt: preciseTime(now), message: note } };
      return { progress: { ...current, reason: 'RestoringBackup', message: note, database }, effect: { type: 'continue' }, events: [] };
    }
    case 'restore': {
      const took = tookMs(record.restore?.startedAt, now);
      if (result.ok) {
        // The dump is of the "before": every context is back in the legacy schema. (The message replaces
        // the intent's note: a merge patch keeps a nested field the new record leaves out.)
        const contexts = (record.contexts ?? []).map((c) => ({ ...c, state: 'Reversed' as const }));
        const message = `the database was restored from the backup in ${secondsText(took)}: every context is back in ${spec.database.legacySchema}; rows written after the backup are lost`;
        return { progress: { ...current, reason: 'BackupRestored', message, database: { ...record, contexts, restore: { state: 'Done', startedAt: record.restore?.startedAt, tookMs: took, message } } }, effect: { type: 'continue' }, events: [{ type: 'Warning', reason: 'BackupRestored', note: message }] };
      }
      const message = `the restore from the backup failed (${result.name}: ${result.message}): a person must repair the database`;
      const progress: DatabaseProgress = { ...current, phase: 'Failed', reason: 'RestoreFailed', message, database: { ...record, restore: { state: 'Failed', startedAt: record.restore?.startedAt, tookMs: took, message: result.message } } };
      return { progress, effect: { type: 'continue' }, events: [{ type: 'Warning', reason: 'RestoreFailed', note: message }] };
    }
  }
}

function applyDatabaseControl(spec: DatabaseSpec, current: DatabaseProgress, request: { verb: 'abort' | 'retry' | 'promote'; token: string }, now: number, approval: string | undefined): DatabaseDecision {
  const control = { ...current.control, [request.verb]: request.token };
  const ignored = (why: string): DatabaseDecision => ({
    progress: { ...current, control },
    effect: { type: 'continue' },
    events: [{ type: 'Warning', reason: 'ControlIgnored', note: `${CONTROL_ANNOTATIONS[request.verb]}=${request.token} ignored: ${why}` }],
  });
  switch (request.verb) {
    case 'abort':
      if (current.phase === 'RolledBack' || current.phase === 'Failed') return ignored(`the migration is already ${current.phase}`);
      return rolledBack({ ...current, control }, 'Aborted', `aborted by a person at ${current.stepLabel ?? ''}`);
    case 'promote':
      return ignored('a database migration cannot skip its moves; kubectl nova resume passes a pause');
    case 'retry': {
      if (current.phase !== 'RolledBack') return ignored(`retry restarts a RolledBack migration; this one is ${current.phase}`);
      const unfinished = (current.database.contexts ?? []).filter((c) => c.state !== 'Reversed');
      if (unfinished.length > 0) return ignored(`${unfinished.map((c) => c.name).join(', ')} not reversed yet`);
      const fresh = approval === undefined ? control : { ...control, staleApproval: approval };
      const restarted = enterStep(spec.steps, 0, 0, now, { ...current, control: fresh, analysis: null, runStartedAt: preciseTime(now) });
      // A new run: a new backup, its own Jobs (the run number is in their names).
      const database: DatabaseRecord = { run: (current.database.run ?? 0) + 1 };
      return { progress: { ...restarted, desiredWeight: undefined, reason: 'Retried', database }, effect: { type: 'continue' }, events: [{ type: 'Normal', reason: 'Retried', note: `retried by a person: starting again at ${restarted.stepLabel ?? ''}` }] };
    }
  }
}
