/**
 * What the analysis asks Prometheus, per side of a route: requests and failed requests in the
 * window, and the p95 latency in milliseconds. Each traffic provider has built-in queries over the
 * metrics its data plane exports; `spec.analysis.queries` replaces any of them with custom PromQL.
 *
 * Data planes that do not measure per route (plain nginx, Gateway API implementations) are
 * measured by the processes themselves: the monolith and every service export
 * `nova_http_server_requests_total{namespace, side, route, code}` and
 * `nova_http_server_request_duration_seconds_bucket{namespace, side, route, le}`, where side is
 * "legacy" (the monolith) or "target" (the new service) and route is the migration's pathPrefix.
 * On the bus (the nats provider) the same processes' `nova_bus_messages_total{namespace, side,
 * context, outcome}` and `nova_bus_message_duration_seconds_bucket` compare the sides per context,
 * plus the requests callers addressed to a side that it never answered
 * (`nova_bus_unanswered_requests_total{namespace, context, callee_side, reason}`).
 */
import type { TrafficMigration } from '../api/novamigration.js';

export type Side = 'legacy' | 'target';

export interface SideQueries {
  readonly requests: string;
  readonly errors: string;
  readonly p95LatencyMs: string;
}

/** The names the services' own request metrics use (the contract the monolith and services export). */
export const SERVICE_METRICS = {
  requests: 'nova_http_server_requests_total',
  duration: 'nova_http_server_request_duration_seconds_bucket',
} as const;

/** The names the bus's per-message metrics use: the sides of a `nats` migration, per context (contracts.md). */
export const BUS_METRICS = {
  messages: 'nova_bus_messages_total',
  duration: 'nova_bus_message_duration_seconds_bucket',
  /** Counted by callers, labelled with the side addressed: what the callee's own metrics cannot see. */
  unanswered: 'nova_bus_unanswered_requests_total',
} as const;

export type QueryVariables = Readonly<Record<'namespace' | 'service' | 'port' | 'route' | 'host' | 'context' | 'side' | 'window', string>>;

export function queryVariables(migration: TrafficMigration, side: Side, window: string): QueryVariables {
  const ref = migration.spec[side];
  return {
    namespace: migration.metadata?.namespace ?? '',
    service: ref.service,
    port: String(ref.port),
    route: migration.spec.route?.pathPrefix ?? '',
    host: migration.spec.route?.host ?? '',
    context: migration.spec.trafficProvider.nats?.context ?? '',
    side,
    window,
  };
}

/** The queries for one side: the provider's built-ins, with any custom PromQL of the spec in their place. */
export function sideQueries(migration: TrafficMigration, side: Side, window: string): SideQueries {
  const variables = queryVariables(migration, side, window);
  const builtin = builtinQueries(migration, side, variables);
  const custom = migration.spec.analysis?.queries;
  return {
    requests: custom?.requests === undefined ? builtin.requests : render(custom.requests, variables),
    errors: custom?.errors === undefined ? builtin.errors : render(custom.errors, variables),
    p95LatencyMs: custom?.p95LatencyMs === undefined ? builtin.p95LatencyMs : render(custom.p95LatencyMs, variables),
  };
}

/** Replaces {{name}} placeholders; values are escaped for use inside a double-quoted label matcher. */
export function render(template: string, variables: QueryVariables): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/gu, (whole, name: string) => {
    const value = (variables as Readonly<Record<string, string | undefined>>)[name];
    return value === undefined ? whole : name === 'window' ? value : escapeLabelValue(value);
  });
}

export function escapeLabelValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function builtinQueries(migration: TrafficMigration, side: Side, v: QueryVariables): SideQueries {
  const provider = migration.spec.trafficProvider;
  if (provider.istio !== undefined) {
    // The destination proxy reports every request the service received, whichever route sent it.
    const selector = `reporter="destination",destination_service_namespace="${escapeLabelValue(v.namespace)}",destination_service_name="${escapeLabelValue(v.service)}"`;
    return {
      requests: `sum(increase(istio_requests_total{${selector}}[${v.window}]))`,
      errors: `sum(increase(istio_requests_total{${selector},response_code=~"5.."}[${v.window}]))`,
      p95LatencyMs: `histogram_quantile(0.95, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${selector}}[${v.window}])))`,
    };
  }
  if (provider.ingressNginx !== undefined) {
    // ingress-nginx serves the canary inside the primary Ingress's location: canary traffic carries
    // the canary upstream in the `canary` label, legacy traffic an empty one.
    const canary = side === 'target' ? 'canary!=""' : 'canary=""';
    const selector = `namespace="${escapeLabelValue(v.namespace)}",ingress="${escapeLabelValue(provider.ingressNginx.ingress)}",path="${escapeLabelValue(v.route)}",${canary}`;
    return {
      requests: `sum(increase(nginx_ingress_controller_requests{${selector}}[${v.window}]))`,
      errors: `sum(increase(nginx_ingress_controller_requests{${selector},status=~"5.."}[${v.window}]))`,
      p95LatencyMs: `histogram_quantile(0.95, sum by (le) (rate(nginx_ingress_controller_response_duration_seconds_bucket{${selector}}[${v.window}]))) * 1000`,
    };
  }
  if (provider.nats !== undefined) {
    // On the bus: every message a side handled for the context (served requests, consumed updates
    // and events), from the processes' own nova_bus_* metrics; errors are outcome="error".
    // Requests the side never answered (a dead service, one behind an open circuit, too slow)
    // count as its requests and errors too: it cannot report them itself, and without them a
    // target that handles nothing would look like one with too little traffic to judge.
    const selector = `namespace="${escapeLabelValue(v.namespace)}",side="${side}",context="${escapeLabelValue(v.context)}"`;
    const unanswered = `(sum(increase(${BUS_METRICS.unanswered}{namespace="${escapeLabelValue(v.namespace)}",callee_side="${side}",context="${escapeLabelValue(v.context)}"}[${v.window}])) or vector(0))`;
    return {
      requests: `(sum(increase(${BUS_METRICS.messages}{${selector}}[${v.window}])) or vector(0)) + ${unanswered}`,
      errors: `(sum(increase(${BUS_METRICS.messages}{${selector},outcome="error"}[${v.window}])) or vector(0)) + ${unanswered}`,
      p95LatencyMs: `histogram_quantile(0.95, sum by (le) (rate(${BUS_METRICS.duration}{${selector}}[${v.window}]))) * 1000`,
    };
  }
  // Plain nginx and Gateway API: the processes' own metrics, labelled by side and route.
  const selector = `namespace="${escapeLabelValue(v.namespace)}",side="${side}",route="${escapeLabelValue(v.route)}"`;
  return {
    requests: `sum(increase(${SERVICE_METRICS.requests}{${selector}}[${v.window}]))`,
    errors: `sum(increase(${SERVICE_METRICS.requests}{${selector},code=~"5.."}[${v.window}]))`,
    p95LatencyMs: `histogram_quantile(0.95, sum by (le) (rate(${SERVICE_METRICS.duration}{${selector}}[${v.window}]))) * 1000`,
  };
}

