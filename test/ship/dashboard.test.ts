/**
 * Every PromQL expression of the Grafana dashboard (each panel's, and each template variable's
 * label_values query) runs on the test bed's real Prometheus and returns data. The data is scraped
 * from metrics shaped as the contracts say: the operator's own OperatorMetrics class for
 * nova_migration_*, and the lead's metric contract for the analysis, HTTP, bus and circuit
 * series the services export. The dashboard's $namespace is this test's own, so only its series
 * can answer.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { addScrapeTarget, component, waitFor } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { OperatorMetrics } from '../../operator/src/runtime/metrics.js';
import { loadDashboard, panelExpressions, substitute, variableExpressions, type Expression } from './support/dashboard.js';

const namespace = `ship-dash-${randomBytes(3).toString('hex')}`;
const dashboard = loadDashboard();
const expressions: readonly Expression[] = [...panelExpressions(dashboard), ...variableExpressions(dashboard)];
const VARIABLES = { namespace, migration: '.*', service: '.*', datasource: 'prometheus', __rate_interval: '1m', __interval: '15s', __range: '1h' };
const servers: Server[] = [];

/** The series a service exports (the lead's metric contract), for one side. */
function serviceRegistry(side: 'legacy' | 'target'): () => void {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({ name: 'nova_http_server_requests_total', help: 'HTTP requests served.', labelNames: ['namespace', 'side', 'route', 'code'], registers });
  const duration = new Histogram({ name: 'nova_http_server_request_duration_seconds', help: 'HTTP request duration.', labelNames: ['namespace', 'side', 'route'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers });
  const messages = new Counter({ name: 'nova_bus_messages_total', help: 'Bus messages handled.', labelNames: ['namespace', 'side', 'context', 'outcome'], registers });
  const busDuration = new Histogram({ name: 'nova_bus_message_duration_seconds', help: 'Bus message handling time.', labelNames: ['namespace', 'side', 'context'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers });
  new Gauge({ name: 'nova_circuit_state', help: '0 closed, 1 half-open, 2 open.', labelNames: ['circuit'], registers }).set({ circuit: 'telegram' }, 0);
  serve(registry, side === 'legacy' ? 'nova-monolith' : 'webhook-gateway');
  // Traffic between scrapes, so rates and quantiles have something to say.
  return () => {
    requests.inc({ namespace, side, route: '/webhook/', code: '200' }, 5);
    requests.inc({ namespace, side, route: '/webhook/', code: '503' }, 1);
    duration.observe({ namespace, side, route: '/webhook/' }, 0.02);
    messages.inc({ namespace, side, context: 'users', outcome: 'ok' }, 3);
    messages.inc({ namespace, side, context: 'users', outcome: 'error' }, 1);
    busDuration.observe({ namespace, side, context: 'users' }, 0.004);
  };
}

/** The operator's series: its real metrics class, fed a real analysis outcome and a rollback. */
function operatorRegistry(): () => void {
  const operator = new OperatorMetrics({ processMetrics: false });
  const name = 'stage-1-webhook-gateway';
  operator.setMigration(namespace, name, { phase: 'Progressing', weight: 25, step: 3 });
  const verdict = { result: 'Pass' as const, failed: [], notes: [], summary: 'Passed' };
  const check = { kind: 'check' as const, at: Date.now(), verdict, target: { requests: 1000, errors: 1, p95LatencyMs: 31 }, legacy: { requests: 3000, errors: 6, p95LatencyMs: 48 } };
  operator.recordAnalysis(namespace, name, check);
  operator.rollbacks.inc({ namespace, name, reason: 'AnalysisFailed' }, 0);
  serve(operator.registry, 'nova-operator');
  return () => { operator.recordAnalysis(namespace, name, { ...check, at: Date.now() }); };
}

function serve(registry: Registry, job: string): void {
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    void registry.metrics().then((text) => {
      response.writeHead(200, { 'content-type': registry.contentType }).end(text);
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    // job and namespace as a ServiceMonitor would set them for this Service.
    addScrapeTarget(component('prometheus'), `${namespace}-${job}`, `127.0.0.1:${String(port)}`, { job, namespace });
  });
}

async function query(promql: string): Promise<{ status: string; error?: string; series: number }> {
  const url = new URL('/api/v1/query', component('prometheus').url);
  url.searchParams.set('query', promql);
  const body = (await (await fetch(url)).json()) as { status: string; error?: string; data?: { result: unknown[] } };
  return { status: body.status, error: body.error, series: body.data?.result.length ?? 0 };
}

let ticker: NodeJS.Timeout | undefined;

beforeAll(() => {
  const traffic = [serviceRegistry('legacy'), serviceRegistry('target'), operatorRegistry()];
  ticker = setInterval(() => { for (const tick of traffic) tick(); }, 200);
});

afterAll(async () => {
  clearInterval(ticker);
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => { resolve(); }))));
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
