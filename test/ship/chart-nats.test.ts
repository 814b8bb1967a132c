/**
 * NATS from the chart: one value block (nats) gives every deployable and the operator the same
 * servers list (NOVA_NATS_URL) and the same replica count (NOVA_NATS_REPLICAS), so a three-node
 * cluster runs every stream and KV bucket R3 and a client that loses its node fails over.
 */
import { describe, expect, it } from '@jest/globals';
import { envOf, renderedObjects, templateChart } from './support/chart.js';

const CLUSTER_URL = [0, 1, 2].map((i) => `nats://nats-${String(i)}.nats-headless.nats.svc.cluster.local:4222`).join(',');

describe('nats.url and nats.replicas', () => {
  it('give every deployable and the operator one server and one copy by default', async () => {
    const objects = await renderedObjects({});
    const replicas = envOf(objects, 'NOVA_NATS_REPLICAS');
    expect(Object.keys(replicas)).toEqual(expect.arrayContaining(['nova-operator', 'nova-monolith', 'webhook-gateway', 'user-service', 'bot-service', 'notification-service']));
    expect(new Set(Object.values(replicas))).toEqual(new Set(['1']));
    expect(new Set(Object.values(envOf(objects, 'NOVA_NATS_URL')))).toEqual(new Set(['nats://nats.nats.svc.cluster.local:4222']));
  });

  it('give every deployable and the operator the three-node cluster\'s three URLs and three copies', async () => {
    const objects = await renderedObjects({ nats: { url: CLUSTER_URL, replicas: 3 } });
    const replicas = envOf(objects, 'NOVA_NATS_REPLICAS');
    expect(Object.keys(replicas).length).toBeGreaterThanOrEqual(6);
    expect(new Set(Object.values(replicas))).toEqual(new Set(['3']));
    expect(new Set(Object.values(envOf(objects, 'NOVA_NATS_URL')))).toEqual(new Set([CLUSTER_URL]));
  });

  it('leaves the operator\'s own NOVA_NATS_URL alone when operator.env sets it (one entry, not two)', async () => {
    const objects = await renderedObjects({ operator: { env: { NOVA_NATS_URL: 'nats://operator-only:4222' } } });
    expect(envOf(objects, 'NOVA_NATS_URL')['nova-operator']).toBe('nats://operator-only:4222');
  });

  it.each([0, 7, 2.5, '3'])('refuses replicas %p, naming the value', async (replicas) => {
    const result = await templateChart({ namespace: 'nova', values: { nats: { replicas } } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/\/nats\/replicas/);
  });
});
