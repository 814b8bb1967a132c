import { describe, expect, it } from '@jest/globals';
import type { TrafficMigration } from '../api/novamigration.js';
import { sideQueries } from './queries.js';

const busMigration = (extra: Record<string, unknown> = {}): TrafficMigration => ({
  metadata: { namespace: 'nova', name: 'stage-2-users' },
  spec: {
    legacy: { service: 'nova-monolith', port: 8099 },
    target: { service: 'user-service', port: 8101 },
    trafficProvider: { nats: { context: 'user' } },
    steps: [{ setWeight: 100 }],
    paused: false,
    onDelete: 'restoreLegacy',
    ...extra,
  },
});

describe('built-in queries of the nats provider', () => {
  it('compare both sides on the bus metrics of the migration\'s context', () => {
    const target = sideQueries(busMigration(), 'target', '1m');
    const unanswered = '(sum(increase(nova_bus_unanswered_requests_total{namespace="nova",callee_side="target",context="user"}[1m])) or vector(0))';
    expect(target.requests).toBe(`(sum(increase(nova_bus_messages_total{namespace="nova",side="target",context="user"}[1m])) or vector(0)) + ${unanswered}`);
    expect(target.errors).toBe(`(sum(increase(nova_bus_messages_total{namespace="nova",side="target",context="user",outcome="error"}[1m])) or vector(0)) + ${unanswered}`);
    expect(target.p95LatencyMs).toBe('histogram_quantile(0.95, sum by (le) (rate(nova_bus_message_duration_seconds_bucket{namespace="nova",side="target",context="user"}[1m]))) * 1000');
    expect(sideQueries(busMigration(), 'legacy', '1m').requests).toContain('side="legacy",context="user"');
  });

  it('offer {{context}} to custom queries, and an empty {{route}} for a route-less migration', () => {
    const custom = busMigration({ analysis: { queries: { requests: 'sum(x{context="{{context}}",route="{{route}}",side="{{side}}"})' } } });
    expect(sideQueries(custom, 'target', '1m').requests).toBe('sum(x{context="user",route="",side="target"})');
  });
});
