/**
 * One operator process put together: the NovaMigration controller (its informers, reconciler and
 * providers) inside a Manager (leader election, ops HTTP server, graceful shutdown). `main.ts`
 * reads the configuration from the environment; tests build it directly.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { Analyzer } from './analysis/analyzer.js';
import { JobRunner, type JobRunnerOptions } from './database/job-runner.js';
import { ProcessRunner, type ProcessRunnerOptions } from './database/process-runner.js';
import { DatabaseSteps } from './migration/database-reconciler.js';
import { NOVA_MIGRATION } from './api/novamigration.js';
import { EventRecorder } from './kube/events.js';
import { Finalizers } from './kube/finalizers.js';
import { keepAlive } from './kube/keep-alive.js';
import { StatusWriter } from './kube/status-writer.js';
import { MigrationReconciler } from './migration/reconciler.js';
import { migrationWatches } from './migration/watches.js';
import { builtinProviders, type NatsProviderOptions, type NginxInstanceOptions } from './providers/index.js';
import { silentLogger, type Logger } from './runtime/log.js';
import { Manager } from './runtime/manager.js';
import { OperatorMetrics } from './runtime/metrics.js';

export const FIELD_MANAGER = 'nova-operator';
export const REPORTING_CONTROLLER = 'novabot.io/nova-operator';

export interface OperatorConfig {
  readonly kubeConfig: KubeConfig;
  /** The operator's own namespace, where its Lease lives. */
  readonly leaseNamespace: string;
  readonly leaseName: string;
  readonly identity: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** Manage migrations of one namespace only; all namespaces when absent. */
  readonly watchNamespace?: string;
  readonly http?: { readonly host?: string; readonly port?: number };
  /** The plain nginx this operator drives (the one-machine fleet); without it, `nginx` migrations fail clearly. */
  readonly nginx?: NginxInstanceOptions;
  /** The NATS the fleet routes by (NOVA_NATS_URL); without it, `nats` migrations fail clearly. */
  readonly nats?: NatsProviderOptions;
  readonly workers?: number;
  readonly informerWatchdogMs?: number;
  /** Prometheus for migrations whose spec.analysis names none (NOVA_PROMETHEUS_ADDRESS). */
  readonly prometheusAddress?: string;
  /**
   * How database migrations (spec.database) run their steps: 'job' (a Kubernetes Job per step, the
   * default) or a local process with the migration login from this process's environment (one
   * machine: tests, the demo).
   */
  readonly schemaMove?: ({ readonly runner: 'job' } & JobRunnerOptions) | ({ readonly runner: 'process'; readonly crashAfter?: ReadonlySet<string> } & ProcessRunnerOptions);
  readonly logger?: Logger;
}

export interface Operator {
  readonly manager: Manager;
  readonly metrics: OperatorMetrics;
  /** After the manager stopped: writes the Events still posted, closes what providers hold open (the NATS connection). */
  readonly close: () => Promise<void>;
  /** How many reads the caches answered and how many went to the apiserver (the benchmark prints them). */
  readonly cacheStats: () => { readonly cached: number; readonly uncached: number };
}

export async function createOperator(config: OperatorConfig): Promise<Operator> {
  const logger = config.logger ?? silentLogger;
  // Every call of this operator over pooled connections (keep-alive.ts: client-node alone opens a
  // TLS connection per call).
  const kubeConfig = keepAlive(config.kubeConfig);
  const metrics = new OperatorMetrics();
  const { migrations, informers, watches, migrationReader, routeReaders } = await migrationWatches({ kubeConfig, namespace: config.watchNamespace, watchdogMs: config.informerWatchdogMs, logger });
  const providers = builtinProviders({ kubeConfig, fieldManager: FIELD_MANAGER, nginx: config.nginx, nats: config.nats, routeCache: (plural) => routeReaders.get(plural) });
  const events = new EventRecorder({ kubeConfig, reportingController: REPORTING_CONTROLLER, reportingInstance: config.identity, logger });
  const analyzer = new Analyzer({ defaultAddress: config.prometheusAddress });
  const schemaMove = config.schemaMove ?? { runner: 'job' };
  const runner = schemaMove.runner === 'process' ? new ProcessRunner({ ...schemaMove, logger }) : new JobRunner(kubeConfig, schemaMove);
  const reconciler = new MigrationReconciler({
    kubeConfig,
    providers,
    statusWriter: new StatusWriter(kubeConfig, NOVA_MIGRATION, FIELD_MANAGER),
    finalizers: new Finalizers(kubeConfig, NOVA_MIGRATION, FIELD_MANAGER),
    events,
    metrics,
    lookup: (namespace, name) => migrations.get(namespace, name),
    cache: migrationReader,
    analyzer,
    database: new DatabaseSteps({ runner, analyzer, metrics, logger, ...(schemaMove.runner === 'process' && schemaMove.crashAfter !== undefined ? { crashAfter: schemaMove.crashAfter } : {}) }),
    logger,
  });
  const manager = new Manager({
    kubeConfig,
    leaseNamespace: config.leaseNamespace,
    leaseName: config.leaseName,
    identity: config.identity,
    leaseDurationMs: config.leaseDurationMs,
    renewDeadlineMs: config.renewDeadlineMs,
    retryPeriodMs: config.retryPeriodMs,
    informers,
    controllers: [{ name: 'novamigration', reconcile: reconciler.reconcile, workers: config.workers ?? 4, watches }],
    metrics,
    http: config.http,
    logger,
  });
  const cacheStats = (): { cached: number; uncached: number } => {
    const readers = [migrationReader, ...routeReaders.values()];
    return { cached: readers.reduce((sum, reader) => sum + reader.stats.cached, 0), uncached: readers.reduce((sum, reader) => sum + reader.stats.uncached, 0) };
  };
  return {
    manager,
    metrics,
    close: async () => {
      await events.flush();
      await providers.close();
      await kubeConfig.closeConnections();
    },
    cacheStats,
  };
}
