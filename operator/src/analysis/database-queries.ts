/**
 * What a database migration's analysis (stage 7) asks Prometheus. There are no two sides to
 * compare: every deployable that touches the moved tables keeps running through the swap, the
 * monolith (side "legacy") and each context's service (side "target") alike, so the check is
 * absolute — the error rate and p95 of all of them together against `maxErrorRate` and
 * `p95LatencyMs` (the ratio rule has no legacy to compare with and is skipped).
 *
 * Who touches the tables: the deployables that handle a context of spec.database, on either side,
 * as their own `nova_bus_messages_total{context}` say (the bus is how every request of a context
 * reaches the code that reads and writes its tables), plus the requests their callers addressed
 * to them that were never answered (`nova_bus_unanswered_requests_total`: a writer stalled behind
 * a swap, or refused by a grant the swap forgot, may not report itself). Every context of the plan
 * is measured from the first step, not only those moved so far: a move locks one context's tables,
 * but a grant or a view gone wrong shows in whichever context reads through it.
 */
import type { DatabaseMigration } from '../api/novamigration.js';
import { BUS_METRICS, escapeLabelValue, render, type SideQueries } from './queries.js';

/**
 * The built-in queries, or spec.analysis.queries in their place (placeholders as for traffic:
 * {{context}} is the contexts as a regex alternation, `user|bot|...`; {{side}}, {{service}},
 * {{port}}, {{route}} and {{host}} are empty: a database migration has none).
 */
export function databaseQueries(migration: DatabaseMigration, window: string): SideQueries {
  const namespace = escapeLabelValue(migration.metadata?.namespace ?? '');
  const contexts = migration.spec.database.contexts.map((c) => c.name).join('|');
  const selector = `namespace="${namespace}",context=~"${contexts}"`;
  const unanswered = `(sum(increase(${BUS_METRICS.unanswered}{${selector}}[${window}])) or vector(0))`;
  const custom = migration.spec.analysis?.queries;
  const variables = { namespace: migration.metadata?.namespace ?? '', service: '', port: '', route: '', host: '', context: contexts, side: '', window };
  return {
    requests: custom?.requests === undefined ? `(sum(increase(${BUS_METRICS.messages}{${selector}}[${window}])) or vector(0)) + ${unanswered}` : render(custom.requests, variables),
    errors: custom?.errors === undefined ? `(sum(increase(${BUS_METRICS.messages}{${selector},outcome="error"}[${window}])) or vector(0)) + ${unanswered}` : render(custom.errors, variables),
    p95LatencyMs: custom?.p95LatencyMs === undefined ? `histogram_quantile(0.95, sum by (le) (rate(${BUS_METRICS.duration}{${selector}}[${window}]))) * 1000` : render(custom.p95LatencyMs, variables),
  };
}
