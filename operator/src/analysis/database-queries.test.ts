import { describe, expect, it } from '@jest/globals';
import type { DatabaseMigration, NovaMigrationSpec } from '../api/novamigration.js';
import { databaseQueries } from './database-queries.js';

const migration = (analysis?: NovaMigrationSpec['analysis']): DatabaseMigration => ({
  metadata: { namespace: 'nova', name: 'stage-7-database' },
  spec: {
    database: { legacySchema: 'public', lockTimeout: '50ms', retries: 20, contexts: [{ name: 'user', schema: 'user_service', tables: ['users'] }, { name: 'payment', schema: 'payment_service', tables: ['payments'] }] },
    steps: [{ backup: {} }, { moveSchema: { context: 'user' } }],
    paused: false,
    onDelete: 'restoreLegacy',
    ...(analysis === undefined ? {} : { analysis }),
  },
});

describe('the analysis of a database migration', () => {
  it('measures every side of every context whose tables move, with the requests nobody answered', () => {
    const queries = databaseQueries(migration(), '1m');
    const unanswered = '(sum(increase(nova_bus_unanswered_requests_total{namespace="nova",context=~"user|payment"}[1m])) or vector(0))';
    expect(queries.requests).toBe(`(sum(increase(nova_bus_messages_total{namespace="nova",context=~"user|payment"}[1m])) or vector(0)) + ${unanswered}`);
    expect(queries.errors).toBe(`(sum(increase(nova_bus_messages_total{namespace="nova",context=~"user|payment",outcome="error"}[1m])) or vector(0)) + ${unanswered}`);
    expect(queries.p95LatencyMs).toBe('histogram_quantile(0.95, sum by (le) (rate(nova_bus_message_duration_seconds_bucket{namespace="nova",context=~"user|payment"}[1m]))) * 1000');
  });

  it('takes custom queries with {{context}} as the contexts\' alternation', () => {
    const custom = databaseQueries(migration({ interval: '30s', failureLimit: 2, errorLimit: 3, thresholds: { errorRateRatio: 1.5, maxErrorRate: 0.001, p95LatencyMs: 200, minRequests: 50 }, queries: { requests: 'sum(x{context=~"{{context}}"}[{{window}}])' } }), '5s');
    expect(custom.requests).toBe('sum(x{context=~"user|payment"}[5s])');
  });
});
