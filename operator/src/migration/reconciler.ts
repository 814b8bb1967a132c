/**
 * Reconciles one NovaMigration: finalizer first, then the dependency gate, then the engine's
 * decisions carried out one at a time — status write, then (only for a weight already stored as
 * desired) the data plane write — until the engine waits.
 *
 * The object comes from the informer cache (cached-reader.ts: never older than this process's
 * own last write to it; from the apiserver while that write has not come back). A cache can still
 * lag someone else's write, and a stale desired weight written to the data plane is exactly the
 * "weight it did not mean" the design forbids. Two rules keep that out:
 * - every status write is conditional on the resourceVersion it was computed from, so a status
 *   decided from a stale object is refused (and the reconcile retried from a fresh read);
 * - a weight reaches the data plane only from an object the apiserver gave in this reconcile: the
 *   answer of our own status write or finalizer patch, or a fresh read made right before it.
 *
 * Events are posted in the background (kube/events.ts `post`), in order per migration, each after
 * the status write it explains, so the data plane write does not wait for them.
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { asTrafficMigration, isDatabaseMigration, MIGRATION_FINALIZER, movedThing, NOVA_MIGRATION, type NovaMigration } from '../api/novamigration.js';
import { describeError, isNotFound, KubeOperationError } from '../kube/api-errors.js';
import type { EventRecorder } from '../kube/events.js';
import { hasFinalizer, isBeingDeleted, type Finalizers } from '../kube/finalizers.js';
import { describeObject, parseQueueKey } from '../kube/resource.js';
import { ObjectGoneError, StaleObjectError, type StatusWriter } from '../kube/status-writer.js';
import type { ProviderRegistry, ResolvedProvider, TrafficProvider, ProviderMigration } from '../providers/index.js';
import { systemClock, type Clock } from '../runtime/clock.js';
import type { ReconcileResult } from '../runtime/controller.js';
import { silentLogger, type Logger } from '../runtime/log.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import type { CachedReader } from '../kube/cached-reader.js';
import { classifyProblem, providerMigration, type ClassifiedProblem } from './binding.js';
import type { AnalysisOutcome, Analyzer } from '../analysis/analyzer.js';
import type { Verdict } from '../analysis/verdict.js';
import { analysisDueInMs } from './analysis-state.js';
import { approvedStep, readControls } from './controls.js';
import { dependencyCycle, dependencyState, type Lookup } from './dependencies.js';
import { decide, type EngineEvent, type Progress } from './engine.js';
import type { DatabaseSteps } from './database-reconciler.js';
import { progressWithProblem, renderStatus, statusChanged, storedProgress, type DataPlaneProblem } from './status.js';

/** Each step takes at most three rounds (enter, write weight, confirm); this bounds a runaway loop. */
const MAX_ROUNDS = 512;

export class EngineInvariantError extends Error {
  constructor(readonly migration: string, problem: string) {
    super(`migration ${migration}: ${problem}`);
    this.name = 'EngineInvariantError';
  }
}

export interface MigrationReconcilerOptions {
  readonly kubeConfig: KubeConfig;
  readonly providers: ProviderRegistry;
  readonly statusWriter: StatusWriter;
  readonly finalizers: Finalizers;
  readonly events: EventRecorder;
  readonly metrics: OperatorMetrics;
  /** Other migrations, for dependsOn (the informer cache: a lagging view only delays a start). */
  readonly lookup: Lookup;
  /** Makes the metric checks (Prometheus queries) the engine asks for. */
  readonly analyzer: Analyzer;
  /** Carries out database migrations (spec.database, stage 7). */
  readonly database: DatabaseSteps;
  /** The migrations' informer cache; without it every reconcile reads from the apiserver. */
  readonly cache?: CachedReader<NovaMigration>;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export class MigrationReconciler {
  private readonly api: CustomObjectsApi;
  private readonly clock: Clock;
  private readonly logger: Logger;
  /** Errors whose problem is already in status: reported once, however many catches they pass. */
  private readonly reported = new WeakSet<object>();

  constructor(private readonly options: MigrationReconcilerOptions) {
    this.api = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
  }

  readonly reconcile = async (key: string, signal: AbortSignal): Promise<ReconcileResult | undefined> => {
    const { namespace, name } = parseQueueKey(key);
    const cached = this.options.cache?.get(namespace, name);
    // A copy: the reconcile must never change the cache's object.
    let migration = cached === undefined ? await this.read(namespace, name) : structuredClone(cached);
    // Whether `migration` is what the apiserver gave in this reconcile (see the file's comment).
    let fromApiserver = cached === undefined;
    if (migration === undefined) {
      this.options.metrics.forgetMigration(namespace, name);
      return undefined;
    }
    try {
      if (isBeingDeleted(migration)) {
        await this.finalize(migration);
        return undefined;
      }
      if (!hasFinalizer(migration, MIGRATION_FINALIZER)) {
        const before = migration;
        migration = await this.tracked(migration, () => this.options.finalizers.add(before, MIGRATION_FINALIZER));
        fromApiserver = true;
      }
      return await this.progress(migration, fromApiserver, signal);
    } catch (error) {
      if (error instanceof ObjectGoneError) return undefined;
      // Whatever failed (a finalizer patch the apiserver throttled or refused, a status write, a
      // provider call), the migration's status says so: before, a migration whose first
      // reconciles failed this way had no status at all while it backed off (issue 21).
      if (!signal.aborted) await this.reportFailure(migration, error);
      throw error;
    }
  };

  private async progress(start: NovaMigration, fromApiserver: boolean, signal: AbortSignal): Promise<ReconcileResult | undefined> {
    let migration = start;
    let verified = fromApiserver;
    const cycle = dependencyCycle(migration, this.options.lookup);
    if (cycle !== undefined) {
      await this.reportCycle(migration, cycle);
      return undefined; // a change of any migration in the cycle enqueues this one again
    }
    const dependencies = dependencyState(migration, this.options.lookup);
    if (migration.status?.currentStep === undefined && dependencies.unmet.length > 0) {
      const why = dependencies.rolledBack.length > 0 ? `; ${dependencies.rolledBack.join(', ')} rolled back` : '';
      await this.store(migration, { phase: 'Pending', reason: 'WaitingForDependencies', message: `waits for ${dependencies.unmet.join(', ')} to be Promoted${why}`, waitingFor: [...dependencies.unmet] });
      return undefined;
    }
    let resolved: ResolvedProvider | undefined;
    try {
      // Refuse to move any traffic without a way to watch it; mid-flight the check counts as an error instead.
      const configProblem = migration.status?.currentStep === undefined ? this.options.analyzer.configProblem(migration) : undefined;
      if (configProblem !== undefined) throw configProblem;
      if (isDatabaseMigration(migration)) {
        return await this.options.database.progress(migration, { verified, dependencies, signal, store: (m, p) => this.store(m, p), record: (m, e) => { this.record(m, e); }, read: (ns, n) => this.read(ns, n) });
      }
      const traffic = asTrafficMigration(migration);
      resolved = this.options.providers.resolve(traffic.spec.trafficProvider);
      const target = providerMigration(traffic, resolved.config);
      await resolved.provider.ensureRoute(target);
      let plane = await resolved.provider.readWeight(target);
      let analysis = await this.analyseIfDue(migration, signal, () => resolved?.provider.targetProblem?.(target) ?? Promise.resolve(undefined));
      let controls = readControls(migration);
      for (let round = 0; round < MAX_ROUNDS; round++) {
        // Leadership lost: stop before the next write; the new leader resumes from status.
        if (signal.aborted) return undefined;
        const decision = decide({ spec: asTrafficMigration(migration).spec, status: migration.status ?? {}, now: this.clock.now(), approvedStep: approvedStep(controls.approval, migration.status?.control?.staleApproval), dataPlane: plane, controls, analysis, dependencies });
        const phaseBefore = migration.status?.phase;
        const before = migration;
        migration = await this.store(migration, decision.progress);
        // A status write answers with the stored object: from here on it is the apiserver's word.
        if (migration !== before) verified = true;
        // The check is counted once, and only now that the decision that folded it in is stored: one
        // made on a stale cached object (the watch behind under load) whose status write then
        // conflicted was never folded in, and the next reconcile checks again. Counted at the query,
        // a rolled-back migration showed a check made after its rollback.
        if (analysis !== undefined) this.options.metrics.recordAnalysis(migration.metadata?.namespace ?? '', migration.metadata?.name ?? '', analysis);
        analysis = undefined;
        if (decision.progress.phase === 'RolledBack' && phaseBefore !== 'RolledBack') this.options.metrics.rollbacks.inc({ namespace: migration.metadata?.namespace ?? '', name: migration.metadata?.name ?? '', reason: decision.progress.reason });
        this.record(migration, decision.events);
        const effect = decision.effect;
        if (effect.type === 'wait') return effect.afterMs === undefined ? undefined : { requeueAfterMs: effect.afterMs };
        if (effect.type === 'applyWeight' && !verified) {
          // Decided from the cache alone (nothing to store first: drift, or a resume): decide again
          // from a fresh read before any weight reaches the data plane.
          const fresh = await this.read(migration.metadata?.namespace ?? '', migration.metadata?.name ?? '');
          if (fresh === undefined || isBeingDeleted(fresh)) return undefined; // its own event enqueues the deletion
          migration = fresh;
          controls = readControls(migration);
          verified = true;
          continue;
        }
        if (effect.type === 'applyWeight') {
          // Built from the status just stored: its weightFence is the one this weight was decided with.
          await this.applyWeight(resolved.provider, providerMigration(asTrafficMigration(migration), resolved.config), migration, effect.weight);
          plane = { weight: effect.weight, exact: true };
        }
      }
      throw new EngineInvariantError(keyText(migration), `the engine did not settle within ${String(MAX_ROUNDS)} rounds`);
    } catch (error) {
      const problem = classifyProblem(error);
      if (problem === undefined) {
        // Reported here, from the newest copy this reconcile holds (a status write may have moved it on).
        if (!signal.aborted) await this.reportFailure(migration, error);
        throw error;
      }
      this.reported.add(error as object);
      const stored = await this.reportProblem(migration, problem);
      // A fatal problem waits for a spec change (which enqueues the migration again); a transient one
      // backs off. So does a fatal one whose status write failed (the apiserver throttling it): taken
      // as done, it was never looked at again and the migration kept no status (issue 21).
      if (problem.kind === 'fatal' && stored) return undefined;
      throw error;
    }
  }

  /**
   * Makes an analysis check when one is due for the stored status; the engine folds it in. While
   * the target carries a share, what the data plane knows of the target (`targetProblem`: no live
   * process handles the context) fails the check whatever the metrics say: a target that consumes
   * nothing reports nothing, which the metrics alone read as too little traffic to judge.
   */
  private async analyseIfDue(migration: NovaMigration, signal: AbortSignal, targetProblem: () => Promise<string | undefined>): Promise<AnalysisOutcome | undefined> {
    const status = migration.status ?? {};
    const now = this.clock.now();
    const dueIn = analysisDueInMs(migration.spec, { phase: status.phase ?? 'Pending', currentStep: status.currentStep, desiredWeight: status.desiredWeight, stepStartedAt: status.stepStartedAt }, status.analysis, now);
    if (dueIn !== 0) return undefined;
    const measured = await this.options.analyzer.check(migration, now, signal);
    // Unreadable (NATS down): nothing is claimed here; the provider's own calls report the outage.
    const problem = measured.kind === 'check' && (status.desiredWeight ?? 0) > 0 ? await targetProblem().catch(() => undefined) : undefined;
    const outcome = problem === undefined || measured.kind !== 'check' ? measured : { ...measured, verdict: failedBy(measured.verdict, problem) };
    if (outcome.kind === 'error') this.logger.warn('analysis check could not be made', { migration: keyText(migration), error: outcome.message });
    return outcome;
  }

  private async applyWeight(provider: TrafficProvider, target: ProviderMigration, migration: NovaMigration, weight: number): Promise<void> {
    // The one rule the whole crash-safety argument rests on, checked rather than trusted.
    const stored = migration.status?.desiredWeight;
    if (stored !== weight) throw new EngineInvariantError(keyText(migration), `refusing to write ${String(weight)}% while status.desiredWeight is ${String(stored)}`);
    await provider.setWeight(target, weight);
  }

  /** Writes the status `progress` renders to, when it differs from what is stored. */
  private async store(migration: NovaMigration, progress: Progress, problem?: DataPlaneProblem): Promise<NovaMigration> {
    const previous = migration.status ?? {};
    const next = renderStatus(progress, previous, migration.metadata?.generation, this.clock.now(), problem);
    let stored = migration;
    if (statusChanged(previous, next)) {
      stored = await this.tracked(migration, () => this.options.statusWriter.write(migration, next));
      // Which version each decision was computed from and what it stored: the trail that tells a
      // phase change apart from a decision made on an older copy.
      this.logger.debug('status written', { migration: keyText(migration), phase: `${previous.phase ?? 'none'} -> ${String(next.phase)}`, resourceVersion: `${migration.metadata?.resourceVersion ?? ''} -> ${stored.metadata?.resourceVersion ?? ''}`, desiredWeight: next.desiredWeight, weight: next.weight });
    }
    const { namespace = '', name = '' } = stored.metadata ?? {};
    const status = stored.status ?? next;
    this.options.metrics.setMigration(namespace, name, { phase: status.phase ?? 'Pending', weight: status.weight ?? 0, step: status.currentStep ?? 0 });
    return stored;
  }

  /**
   * Every migration of a dependency cycle waits for the next: none can ever start. Status says so
   * (Ready False, reason DependencyCycle, the cycle named), with one Warning Event, instead of an
   * endless "waits for ..."; a migration already under way is held where it stands.
   */
  private async reportCycle(migration: NovaMigration, cycle: readonly string[]): Promise<void> {
    const message = `spec.dependsOn forms a cycle: ${cycle.join(' -> ')}; none of these migrations can ever start: remove one of these dependencies`;
    const status = migration.status ?? {};
    const waitingFor = [cycle[1] ?? ''];
    const progress: Progress = status.currentStep === undefined
      ? { phase: 'Pending', reason: 'DependencyCycle', message, waitingFor }
      : { ...storedProgress(status), phase: 'Paused', reason: 'DependencyCycle', message, waitingFor };
    const isNew = status.conditions?.find((condition) => condition.type === 'Ready')?.message !== message;
    const stored = await this.store(migration, progress, { reason: 'DependencyCycle', message });
    if (isNew) this.record(stored, [{ type: 'Warning', reason: 'DependencyCycle', note: message }]);
  }

  /**
   * Reports a failed reconcile in status (Ready False) unless a problem was already reported for
   * it: an error no provider classified reads `ReconcileError` with what failed (the apiserver's
   * message, never credentials: describeError). A stale copy is not reported: the write would be
   * refused the same way, and the retry reads the object again.
   */
  private async reportFailure(migration: NovaMigration, error: unknown): Promise<void> {
    if (typeof error === 'object' && error !== null && this.reported.has(error)) return;
    if (error instanceof StaleObjectError) return;
    if (typeof error === 'object' && error !== null) this.reported.add(error);
    await this.reportProblem(migration, { reason: 'ReconcileError', message: `reconcile failed, retrying with backoff: ${describeError(error)}`, kind: 'retry' });
  }

  /** Writes the problem into status; false when that write failed (then only logged). */
  private async reportProblem(migration: NovaMigration, problem: ClassifiedProblem): Promise<boolean> {
    const progress = progressWithProblem(migration.status ?? {}, problem);
    const known = migration.status?.conditions?.find((condition) => condition.type === 'Ready');
    const isNew = known?.reason !== problem.reason || known.message !== problem.message;
    try {
      const stored = await this.store(migration, progress, { reason: problem.reason, message: problem.message });
      if (isNew) this.record(stored, [{ type: 'Warning', reason: problem.reason, note: problem.message }]);
      return true;
    } catch (error) {
      // The original problem is what matters; a status write failing on top of it is only logged.
      this.logger.warn('could not report a problem in status', { migration: keyText(migration), problem: problem.reason, error });
      return false;
    }
  }

  private async finalize(migration: NovaMigration): Promise<void> {
    if (!hasFinalizer(migration, MIGRATION_FINALIZER)) return;
    // A deletion's steps leave no status to read them by: the log says where one stands.
    const started = this.clock.now();
    this.logger.debug('finalizing', { migration: keyText(migration), resourceVersion: migration.metadata?.resourceVersion, onDelete: migration.spec.onDelete });
    const policy = migration.spec.onDelete;
    let note = policy === 'restoreLegacy' ? `${movedThing(migration.spec)} restored to 100% legacy` : `${movedThing(migration.spec)} left as it is`;
    try {
      if (isDatabaseMigration(migration)) {
        // Deleting a database migration moves no table back (a reverse is a deliberate act: kubectl nova
        // abort before deleting); its Jobs go with it (owner references).
        note = `${movedThing(migration.spec)} left as they are: a deleted database migration reverses nothing`;
      } else {
        const traffic = asTrafficMigration(migration);
        const resolved = this.options.providers.resolve(traffic.spec.trafficProvider);
        await resolved.provider.finalize(providerMigration(traffic, resolved.config), policy);
      }
    } catch (error) {
      const problem = classifyProblem(error);
      // Nothing the operator could ever have written (unknown provider, bad config, route object gone) is nothing to clean up.
      if (problem === undefined || (problem.kind === 'retry' && problem.reason !== 'RouteNotFound')) throw error;
      note = `nothing to clean up: ${problem.message}`;
    }
    this.logger.debug('finalize: data plane done', { migration: keyText(migration), ms: this.clock.now() - started, note });
    await this.options.events.record(migration, { type: 'Normal', reason: 'Finalized', action: 'Finalized', note });
    await this.tracked(migration, () => this.options.finalizers.remove(migration, MIGRATION_FINALIZER));
    this.logger.debug('finalizer removed', { migration: keyText(migration), ms: this.clock.now() - started });
    const { namespace = '', name = '' } = migration.metadata ?? {};
    this.options.metrics.forgetMigration(namespace, name);
  }

  /** Posts the events of a decision already stored; they are written in the background, in order. */
  private record(migration: NovaMigration, events: readonly EngineEvent[]): void {
    for (const event of events) this.options.events.post(migration, { type: event.type, reason: event.reason, action: event.reason, note: event.note });
  }

  /** A write of the migration, made known to the cache so the next read waits for it to come back. */
  private tracked<T extends NovaMigration>(migration: NovaMigration, write: () => Promise<T>): Promise<T> {
    const cache = this.options.cache;
    if (cache === undefined) return write();
    return cache.track(migration.metadata?.namespace, migration.metadata?.name ?? '', write, (stored) => stored.metadata?.resourceVersion, (stored) => stored);
  }

  private async read(namespace: string, name: string): Promise<NovaMigration | undefined> {
    const { group, version, plural } = NOVA_MIGRATION;
    try {
      const object: unknown = await this.api.getNamespacedCustomObject({ group, version, plural, namespace, name });
      return object as NovaMigration;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new KubeOperationError('read of', describeObject(NOVA_MIGRATION, { namespace, name }), error);
    }
  }
}

function keyText(migration: NovaMigration): string {
  return `${migration.metadata?.namespace ?? ''}/${migration.metadata?.name ?? ''}`;
}

/** The verdict with one more failed rule: the check fails, whatever it concluded from the metrics. */
function failedBy(verdict: Verdict, reason: string): Verdict {
  const failed = [...verdict.failed, reason];
  return { result: 'Fail', failed, notes: verdict.notes, summary: `Failed: ${failed.join('; ')}` };
}
