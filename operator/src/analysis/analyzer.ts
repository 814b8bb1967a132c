/**
 * One analysis check of a migration: both sides measured over the same window at the same
 * instant, then judged. A check that cannot be made (Prometheus unreachable, a query refused) is an
 * outcome of its own, never a pass.
 */
import { isDatabaseMigration, isTrafficMigration, type NovaMigration } from '../api/novamigration.js';
import { databaseQueries } from './database-queries.js';
import { parseDuration } from '../migration/steps.js';
import { PrometheusClient, PrometheusQueryError, PrometheusUnavailableError } from './prometheus.js';
import { sideQueries, type Side, type SideQueries } from './queries.js';
import { judge, type Measurement, type Verdict } from './verdict.js';

export type AnalysisOutcome =
  | { readonly kind: 'check'; readonly at: number; readonly verdict: Verdict; readonly target: Measurement; readonly legacy: Measurement }
  | { readonly kind: 'error'; readonly at: number; readonly message: string };

/** The migration asks for analysis but neither it nor the operator names a Prometheus. */
export class AnalysisConfigError extends Error {
  constructor(readonly migration: string, problem: string) {
    super(`migration ${migration}: ${problem}`);
    this.name = 'AnalysisConfigError';
  }
}

export interface AnalyzerOptions {
  /** Used when a migration's spec.analysis.prometheus is absent (NOVA_PROMETHEUS_ADDRESS). */
  readonly defaultAddress?: string;
  readonly timeoutMs?: number;
}

export class Analyzer {
  private readonly clients = new Map<string, PrometheusClient>();

  constructor(private readonly options: AnalyzerOptions = {}) {}

  /** Why this migration's analysis cannot run with this operator's settings, or undefined when it can. */
  configProblem(migration: NovaMigration): AnalysisConfigError | undefined {
    const analysis = migration.spec.analysis;
    if (analysis === undefined || (analysis.prometheus?.address ?? this.options.defaultAddress) !== undefined) return undefined;
    return new AnalysisConfigError(keyOf(migration), 'spec.analysis names no prometheus.address and the operator has no NOVA_PROMETHEUS_ADDRESS');
  }

  /** One check; a check that cannot be made (no Prometheus known, unreachable, a query refused) is an 'error' outcome, never a throw or a pass. */
  async check(migration: NovaMigration, at: number, signal?: AbortSignal): Promise<AnalysisOutcome> {
    const analysis = migration.spec.analysis;
    if (analysis === undefined) throw new AnalysisConfigError(keyOf(migration), 'has no spec.analysis to check');
    const address = analysis.prometheus?.address ?? this.options.defaultAddress;
    if (address === undefined) return { kind: 'error', at, message: this.configProblem(migration)?.message ?? 'no Prometheus address' };
    const client = this.client(address);
    const window = analysisWindow(analysis.window ?? analysis.interval, runElapsedMs(migration, at));
    try {
      if (isDatabaseMigration(migration)) {
        // No two sides (database-queries.ts): every deployable touching the tables, judged on the absolute limits.
        const all = await measure(client, databaseQueries(migration, window), at, signal);
        const none = { requests: 0, errors: 0, p95LatencyMs: undefined };
        return { kind: 'check', at, verdict: judge(all, none, analysis.thresholds), target: all, legacy: none };
      }
      if (!isTrafficMigration(migration)) throw new AnalysisConfigError(keyOf(migration), 'has neither spec.trafficProvider with legacy and target nor spec.database');
      const [target, legacy] = await Promise.all([
        measure(client, sideQueries(migration, 'target', window), at, signal),
        measure(client, sideQueries(migration, 'legacy', window), at, signal),
      ]);
      return { kind: 'check', at, verdict: judge(target, legacy, analysis.thresholds), target, legacy };
    } catch (error) {
      if (error instanceof PrometheusUnavailableError || error instanceof PrometheusQueryError) return { kind: 'error', at, message: error.message };
      throw error;
    }
  }

  private client(address: string): PrometheusClient {
    let client = this.clients.get(address);
    if (client === undefined) {
      client = new PrometheusClient({ address, timeoutMs: this.options.timeoutMs });
      this.clients.set(address, client);
    }
    return client;
  }
}

async function measure(client: PrometheusClient, queries: SideQueries, at: number, signal: AbortSignal | undefined): Promise<Measurement> {
  const [requests, errors, p95LatencyMs] = await Promise.all([
    client.query(queries.requests, at, signal),
    client.query(queries.errors, at, signal),
    client.query(queries.p95LatencyMs, at, signal),
  ]);
  // An empty counter result means no such requests in the window, not an unknown.
  return { requests: requests ?? 0, errors: errors ?? 0, p95LatencyMs };
}

/** The shortest window a check looks at: a scrape or two must fall into it. */
export const MIN_WINDOW_MS = 1_000;

/**
 * The PromQL range of a check: the configured window, but never reaching back before a retry
 * started the run over (`runElapsedMs`, from status.runStartedAt), so a retried migration is
 * judged on its own requests, not on the failures that rolled the last run back. PromQL ranges
 * take whole units: "1m30s" and "1.5s" become milliseconds.
 */
export function analysisWindow(duration: string, runElapsedMs?: number): string {
  const ms = parseDuration(duration);
  if (ms === undefined) return duration;
  if (runElapsedMs !== undefined && runElapsedMs < ms) return `${String(Math.max(MIN_WINDOW_MS, Math.floor(runElapsedMs)))}ms`;
  return /^\d+(ms|s|m|h)$/u.test(duration) ? duration : `${String(ms)}ms`;
}

function runElapsedMs(migration: NovaMigration, at: number): number | undefined {
  const started = migration.status?.runStartedAt === undefined ? Number.NaN : Date.parse(migration.status.runStartedAt);
  return Number.isNaN(started) ? undefined : at - started;
}

function keyOf(migration: NovaMigration): string {
  return `${migration.metadata?.namespace ?? ''}/${migration.metadata?.name ?? ''}`;
}

export type { Side };
