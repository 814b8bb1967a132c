/**
 * Carries out a database migration's decisions (database-engine.ts) one at a time: status write
 * first, then — only for a step whose intent the stored status already records — the runner. The
 * same discipline as the weights (reconciler.ts): a step runs only from an object the apiserver gave
 * in this reconcile (our own status write's answer, or a fresh read), never from a cache that may
 * lag, because a stale record could ask to run a step that already ran.
 */
import type { DatabaseMigration, NovaMigration } from '../api/novamigration.js';
import { isDatabaseMigration } from '../api/novamigration.js';
import type { Analyzer, AnalysisOutcome } from '../analysis/analyzer.js';
import { isBeingDeleted } from '../kube/finalizers.js';
import type { ReconcileResult } from '../runtime/controller.js';
import { systemClock, type Clock } from '../runtime/clock.js';
import { silentLogger, type Logger } from '../runtime/log.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import type { OperationResult, SchemaMoveRunner, SchemaOperation } from '../database/operation.js';
import { SchemaMoveRunnerConfigError } from '../database/operation.js';
import { approvedStep, readControls } from './controls.js';
import { boundariesRecorded } from './crash-points.js';
import { databaseAnalysisDueInMs, decideDatabase } from './database-engine.js';
import type { EngineEvent, Progress } from './decision.js';
import type { DependencyState } from './engine.js';

const MAX_ROUNDS = 512;

export interface DatabaseStepsOptions {
  /** Undefined: this operator was given no way to run database steps (reported in status, fatal). */
  readonly runner: SchemaMoveRunner | undefined;
  readonly analyzer: Analyzer;
  readonly metrics: OperatorMetrics;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /**
   * Tests only (crash-points.ts): boundaries after whose status write the operator kills itself, as a
   * SIGKILL would at that moment. Empty in every real operator.
   */
  readonly crashAfter?: ReadonlySet<string>;
  /** How it kills itself (a unit test replaces it). */
  readonly kill?: () => void;
}

/** What the traffic reconciler lends: its status writes, Events and reads (one discipline for both kinds). */
export interface ReconcileTools {
  readonly verified: boolean;
  readonly dependencies: DependencyState;
  readonly signal: AbortSignal;
  store(migration: NovaMigration, progress: Progress): Promise<NovaMigration>;
  record(migration: NovaMigration, events: readonly EngineEvent[]): void;
  read(namespace: string, name: string): Promise<NovaMigration | undefined>;
}

export class DatabaseSteps {
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(private readonly options: DatabaseStepsOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
  }

  async progress(start: DatabaseMigration, tools: ReconcileTools): Promise<ReconcileResult | undefined> {
    let migration: NovaMigration = start;
    let verified = tools.verified;
    let analysis = await this.analyseIfDue(start, tools.signal);
    let result: { operation: SchemaOperation; result: OperationResult } | undefined;
    let controls = readControls(migration);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (tools.signal.aborted) return undefined;
      if (!isDatabaseMigration(migration)) return undefined; // the spec changed kind: the next reconcile takes it
      const status = migration.status ?? {};
      const decision = decideDatabase({ spec: migration.spec, status, now: this.clock.now(), approvedStep: approvedStep(controls.approval, status.control?.staleApproval), controls, analysis, dependencies: tools.dependencies, ...(result === undefined ? {} : { result }) });
      const before = migration;
      migration = await tools.store(migration, decision.progress);
      if (migration !== before) {
        verified = true;
        this.crashIfAsked(before, migration);
      }
      if (analysis !== undefined) this.options.metrics.recordAnalysis(migration.metadata?.namespace ?? '', migration.metadata?.name ?? '', analysis);
      analysis = undefined;
      result = undefined;
      tools.record(migration, decision.events);
      const effect = decision.effect;
      if (effect.type === 'wait') return effect.afterMs === undefined ? undefined : { requeueAfterMs: effect.afterMs };
      if (effect.type === 'continue') continue;
      if (!verified) {
        // Decided from the cache alone: decide again from a fresh read before any step runs.
        const fresh = await tools.read(migration.metadata?.namespace ?? '', migration.metadata?.name ?? '');
        if (fresh === undefined || isBeingDeleted(fresh)) return undefined;
        migration = fresh;
        controls = readControls(migration);
        verified = true;
        continue;
      }
      const runner = this.options.runner;
      if (runner === undefined) throw new SchemaMoveRunnerConfigError('this operator cannot run database steps: set NOVA_SCHEMA_MOVE_RUNNER=job (the default, with spec.database.job) or, on one machine, NOVA_SCHEMA_MOVE_RUNNER=process with NOVA_SCHEMA_MOVE_DATABASE_URL and NOVA_SCHEMA_MOVE_BACKUP_DIR');
      if (!isDatabaseMigration(migration)) return undefined;
      const backup = migration.status?.database?.backup;
      const recorded = backup?.state === 'Done' && backup.path !== undefined && backup.sha256 !== undefined ? { path: backup.path, bytes: backup.bytes ?? 0, sha256: backup.sha256 } : undefined;
      this.logger.info('running a database step', { migration: keyText(migration), step: effect.id });
      const outcome = await runner.run({ migration, operation: effect.operation, id: effect.id, ...(recorded === undefined ? {} : { backup: recorded }) }, tools.signal);
      if (outcome.state === 'running') return { requeueAfterMs: outcome.checkAfterMs };
      if (aborted(tools.signal)) return undefined; // the result is not folded by a process that lost leadership: the next leader runs the step again
      result = { operation: effect.operation, result: outcome.result };
    }
    throw new Error(`migration ${keyText(migration)}: the database engine did not settle within ${String(MAX_ROUNDS)} rounds`);
  }

  private crashIfAsked(before: NovaMigration, after: NovaMigration): void {
    const points = this.options.crashAfter;
    if (points === undefined || points.size === 0) return;
    const hit = boundariesRecorded(before.status ?? {}, after.status ?? {}).find((boundary) => points.has(boundary));
    if (hit === undefined) return;
    // Written synchronously: the kill leaves no time for a buffered log line.
    process.stderr.write(`${JSON.stringify({ level: 'warn', msg: 'test hook: SIGKILL after recording a boundary', migration: keyText(after), boundary: hit })}\n`);
    (this.options.kill ?? (() => process.kill(process.pid, 'SIGKILL')))();
  }

  private async analyseIfDue(migration: DatabaseMigration, signal: AbortSignal): Promise<AnalysisOutcome | undefined> {
    const now = this.clock.now();
    if (databaseAnalysisDueInMs(migration.spec, migration.status ?? {}, now) !== 0) return undefined;
    const outcome = await this.options.analyzer.check(migration, now, signal);
    if (outcome.kind === 'error') this.logger.warn('analysis check could not be made', { migration: keyText(migration), error: outcome.message });
    return outcome;
  }
}

/** Read anew after an await (the compiler takes the earlier check as still holding). */
function aborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

function keyText(migration: NovaMigration): string {
  return `${migration.metadata?.namespace ?? ''}/${migration.metadata?.name ?? ''}`;
}
