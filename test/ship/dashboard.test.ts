/**
 * Every PromQL expression of the Grafana dashboard (each panel's, and each template variable's
 * label_values query) runs on the test bed's real Prometheus and returns data. The data is scraped
 * from what the deployables really export, built from the production classes, not declared here:
 * each side is a process's own Metrics registry behind its real HttpServer (whose /metrics
 * Prometheus scrapes, and whose routes count nova_http_server_*), with a real in-process bus
 * serving and calling requests (nova_bus_* and nova_circuit_state, as NovaBus records them);
 * the operator's series come from its OperatorMetrics class. A metric, label or bucket renamed in
 * production code shows here as a panel that returns nothing. The dashboard's $namespace is this
 * test's own, so only its series can answer.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createInProcessBus, InternalError, type NovaBus } from '@nova/bus';
import { createLogger, HttpServer, Metrics, Readiness, type Side } from '@nova/platform';
import { addScrapeTarget, component, waitFor } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { OpsServer } from '../../operator/src/runtime/http-server.js';
import { OperatorMetrics } from '../../operator/src/runtime/metrics.js';
import { loadDashboard, panelExpressions, substitute, variableExpressions, type Expression } from './support/dashboard.js';

const namespace = `ship-dash-${randomBytes(3).toString('hex')}`;
const dashboard = loadDashboard();
const expressions: readonly Expression[] = [...panelExpressions(dashboard), ...variableExpressions(dashboard)];
const VARIABLES = { namespace, migration: '.*', service: '.*', datasource: 'prometheus', __rate_interval: '1m', __interval: '15s', __range: '1h' };
const logger = createLogger({ name: 'dashboard-test', level: 'silent', destination: new Writable({ write(_chunk, _encoding, done) { done(); } }) });
const stops: (() => Promise<void>)[] = [];

/** One side's process as the deployables assemble it: its Metrics, its HttpServer, its bus. */
interface ServiceProcess {
  readonly origin: string;
  readonly bus: NovaBus;
}

async function serviceProcess(side: Side, job: string): Promise<ServiceProcess> {
  const metrics = new Metrics({ namespace, side, defaults: false });
  const http = new HttpServer({ address: '127.0.0.1:0', metrics, readiness: new Readiness(), logger });
  // Every sixth webhook is refused with 503, so the 5xx panels have a series.
  let webhooks = 0;
  http.route('POST', '/webhook/', () => Promise.resolve({ status: ++webhooks % 6 === 0 ? 503 : 200 }));
  const bus = createInProcessBus({ metrics, logger });
  // Every fourth request fails in the handler: the bus counts it as outcome="error".
  let requests = 0;
  await bus.serve('user', {
    'svc.user.stats': () => (++requests % 4 === 0 ? Promise.reject(new InternalError('the dashboard test fails this one')) : Promise.resolve({})),
  });
  const { port } = await http.listen();
  stops.push(async () => { await http.close(); await bus.close(); });
  // job and namespace as a ServiceMonitor would set them for this Service; the process's own /metrics.
  addScrapeTarget(component('prometheus'), `${namespace}-${job}`, `127.0.0.1:${String(port)}`, { job, namespace });
  return { origin: `http://127.0.0.1:${String(port)}`, bus };
}

/** Traffic between scrapes, through the real server and bus, so rates and quantiles have something to say. */
async function traffic(service: ServiceProcess): Promise<void> {
  for (let i = 0; i < 6; i++) {
    const response = await fetch(`${service.origin}/webhook/${String(i)}`, { method: 'POST', body: '{}' });
    await response.arrayBuffer();
  }
  for (let i = 0; i < 4; i++) await service.bus.request('svc.user.stats', {}).catch(() => undefined);
}

/** The operator's series: its real metrics class behind its real OpsServer, fed a real analysis outcome and a rollback. */
async function operatorProcess(): Promise<() => void> {
  const operator = new OperatorMetrics({ processMetrics: false });
  const name = 'stage-1-webhook-gateway';
  operator.setMigration(namespace, name, { phase: 'Progressing', weight: 25, step: 3 });
  const verdict = { result: 'Pass' as const, failed: [], notes: [], summary: 'Passed' };
  const check = { kind: 'check' as const, at: Date.now(), verdict, target: { requests: 1000, errors: 1, p95LatencyMs: 31 }, legacy: { requests: 3000, errors: 6, p95LatencyMs: 48 } };
  operator.recordAnalysis(namespace, name, check);
  operator.rollbacks.inc({ namespace, name, reason: 'AnalysisFailed' }, 0);
  const ops = new OpsServer({ metrics: operator, readiness: () => [], host: '127.0.0.1', port: 0 });
  const url = new URL(await ops.listen());
  stops.push(() => ops.close());
  addScrapeTarget(component('prometheus'), `${namespace}-nova-operator`, url.host, { job: 'nova-operator', namespace });
  return () => { operator.recordAnalysis(namespace, name, { ...check, at: Date.now() }); };
}

async function query(promql: string): Promise<{ status: string; error?: string; series: number }> {
  const url = new URL('/api/v1/query', component('prometheus').url);
  url.searchParams.set('query', promql);
  const body = (await (await fetch(url)).json()) as { status: string; error?: string; data?: { result: unknown[] } };
  return { status: body.status, error: body.error, series: body.data?.result.length ?? 0 };
}

let ticker: NodeJS.Timeout | undefined;
let services: ServiceProcess[] = [];

beforeAll(async () => {
  services = [await serviceProcess('legacy', 'nova-monolith'), await serviceProcess('target', 'webhook-gateway')];
  const operatorTick = await operatorProcess();
  let busy = false;
  ticker = setInterval(() => {
    if (busy) return;
    busy = true;
    operatorTick();
    void Promise.all(services.map((service) => traffic(service))).finally(() => { busy = false; });
  }, 200);
});

afterAll(async () => {
  clearInterval(ticker);
  for (const stop of stops.reverse()) await stop();
});

describe('the Grafana dashboard', () => {
  it('covers what SREs watch: weight, phase, analysis legacy vs target, per-service rates, errors and latency', () => {
    const all = expressions.map((e) => e.promql).join('\n');
    for (const metric of ['nova_migration_weight', 'nova_migration_phase', 'nova_analysis_error_rate', 'nova_analysis_p95_latency_ms',
      'nova_http_server_requests_total', 'nova_http_server_request_duration_seconds_bucket', 'nova_bus_messages_total',
      'nova_bus_message_duration_seconds_bucket', 'nova_circuit_state']) {
      expect(all).toContain(metric);
    }
    expect(expressions.length).toBeGreaterThanOrEqual(15);
  });

  it('every expression runs on the real Prometheus and returns series once the contract\'s metrics are scraped', async () => {
    const pending = new Map(expressions.map((e) => [`${e.source}: ${e.promql}`, substitute(e.promql, VARIABLES)]));
    const outcomes = new Map<string, string>();
    const failure = await waitFor(async () => {
      for (const [label, promql] of pending) {
        const result = await query(promql);
        // A PromQL error is final: it will not go away by waiting.
        if (result.status !== 'success') throw new Error(`${label} failed: ${result.error ?? 'unknown error'}`);
        outcomes.set(label, `${String(result.series)} series`);
        if (result.series > 0) pending.delete(label);
      }
      return pending.size === 0;
    }, { timeoutMs: 90_000, intervalMs: 500 });
    expect({ failure, empty: [...pending.keys()] }).toEqual({ failure: undefined, empty: [] });
    expect(outcomes.size).toBe(expressions.length);
  });

  it('an expression with a typo fails on the same Prometheus (the check can fail)', async () => {
    const result = await query(substitute('sum by (side) (rate(nova_http_server_requests_total{namespace=~"$namespace"}[$__rate_interval])', VARIABLES));
    expect(result.status).toBe('error');
  });
});
