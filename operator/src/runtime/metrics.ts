/**
 * The operator's Prometheus metrics, in a registry of its own (not prom-client's global one), so
 * two operators in one test process do not share counters.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AnalysisOutcome } from '../analysis/analyzer.js';

/** The phases a NovaMigration can be in (ARCHITECTURE.md); one series per phase, 1 for the current. */
export const DEFAULT_PHASES = ['Pending', 'Progressing', 'Paused', 'Promoted', 'RolledBack', 'Failed'] as const;

export interface MigrationGauges {
  readonly phase: string;
  readonly weight: number;
  readonly step: number;
}

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly weight: Gauge<'namespace' | 'name'>;
  readonly phase: Gauge<'namespace' | 'name' | 'phase'>;
  readonly step: Gauge<'namespace' | 'name'>;
  readonly reconcileDuration: Histogram<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller' | 'namespace' | 'name'>;
  readonly informerRestarts: Counter<'informer' | 'reason'>;
  readonly leader: Gauge;
  readonly queueDepth: Gauge<'controller'>;
  readonly analysisChecks: Counter<'namespace' | 'name' | 'result'>;
  readonly analysisErrorRate: Gauge<'namespace' | 'name' | 'side'>;
  readonly analysisP95: Gauge<'namespace' | 'name' | 'side'>;
  readonly analysisRequests: Gauge<'namespace' | 'name' | 'side'>;
  readonly rollbacks: Counter<'namespace' | 'name' | 'reason'>;
  private readonly phases: readonly string[];

  constructor(options: { phases?: readonly string[]; processMetrics?: boolean } = {}) {
    this.phases = options.phases ?? DEFAULT_PHASES;
    const registers = [this.registry];
    this.weight = new Gauge({ name: 'nova_migration_weight', help: 'Percent of the route sent to the new service.', labelNames: ['namespace', 'name'], registers });
    this.phase = new Gauge({ name: 'nova_migration_phase', help: '1 for the phase the migration is in, 0 for the others.', labelNames: ['namespace', 'name', 'phase'], registers });
    this.step = new Gauge({ name: 'nova_migration_step', help: 'Index of the current step in spec.steps.', labelNames: ['namespace', 'name'], registers });
    this.reconcileDuration = new Histogram({
      name: 'nova_reconcile_duration_seconds',
      help: 'Time to reconcile one object.',
      labelNames: ['controller', 'result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.reconcileErrors = new Counter({ name: 'nova_reconcile_errors_total', help: 'Reconciles that failed and were requeued with backoff.', labelNames: ['controller', 'namespace', 'name'], registers });
    this.informerRestarts = new Counter({ name: 'nova_informer_restarts_total', help: 'Informer restarts after errors or watchdog silence.', labelNames: ['informer', 'reason'], registers });
    this.leader = new Gauge({ name: 'nova_leader', help: '1 while this replica holds the leader lease.', registers });
    this.queueDepth = new Gauge({ name: 'nova_workqueue_depth', help: 'Keys waiting in the work queue.', labelNames: ['controller'], registers });
    this.analysisChecks = new Counter({ name: 'nova_analysis_checks_total', help: 'Analysis checks made and folded into a stored decision, by result (Pass, Fail, Inconclusive, Error).', labelNames: ['namespace', 'name', 'result'], registers });
    this.analysisErrorRate = new Gauge({ name: 'nova_analysis_error_rate', help: 'Error rate (0..1) of each side in the last analysis check.', labelNames: ['namespace', 'name', 'side'], registers });
    this.analysisP95 = new Gauge({ name: 'nova_analysis_p95_latency_ms', help: 'p95 latency in milliseconds of each side in the last analysis check.', labelNames: ['namespace', 'name', 'side'], registers });
    this.analysisRequests = new Gauge({ name: 'nova_analysis_requests', help: 'Requests each side served in the window of the last analysis check.', labelNames: ['namespace', 'name', 'side'], registers });
    this.rollbacks = new Counter({ name: 'nova_migration_rollbacks_total', help: 'Rollbacks to 100% legacy, by reason (AnalysisFailed, AnalysisUnavailable, Aborted).', labelNames: ['namespace', 'name', 'reason'], registers });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'nova_operator_' });
  }

  setMigration(namespace: string, name: string, gauges: MigrationGauges): void {
    this.weight.set({ namespace, name }, gauges.weight);
    this.step.set({ namespace, name }, gauges.step);
    const phases = this.phases.includes(gauges.phase) ? this.phases : [...this.phases, gauges.phase];
    for (const phase of phases) this.phase.set({ namespace, name, phase }, phase === gauges.phase ? 1 : 0);
  }

  recordAnalysis(namespace: string, name: string, outcome: AnalysisOutcome): void {
    if (outcome.kind === 'error') {
      this.analysisChecks.inc({ namespace, name, result: 'Error' });
      return;
    }
    this.analysisChecks.inc({ namespace, name, result: outcome.verdict.result });
    for (const [side, measurement] of [['target', outcome.target], ['legacy', outcome.legacy]] as const) {
      this.analysisRequests.set({ namespace, name, side }, measurement.requests);
      this.analysisErrorRate.set({ namespace, name, side }, measurement.requests > 0 ? measurement.errors / measurement.requests : 0);
      // No latency samples: drop the series rather than report a made-up number.
      if (measurement.p95LatencyMs === undefined) this.analysisP95.remove({ namespace, name, side });
      else this.analysisP95.set({ namespace, name, side }, measurement.p95LatencyMs);
    }
  }

  /** Drops a deleted migration's series so dashboards do not show it forever. */
  forgetMigration(namespace: string, name: string): void {
    this.weight.remove({ namespace, name });
    this.step.remove({ namespace, name });
    for (const phase of this.phases) this.phase.remove({ namespace, name, phase });
    for (const side of ['target', 'legacy']) {
      this.analysisErrorRate.remove({ namespace, name, side });
      this.analysisP95.remove({ namespace, name, side });
      this.analysisRequests.remove({ namespace, name, side });
    }
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
