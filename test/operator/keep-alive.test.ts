/**
 * The operator's KubeConfig (operator/src/kube/keep-alive.ts) sends its calls over pooled
 * connections to the real kube-apiserver, where client-node's own opens a new TLS connection for
 * every call. Counted at a TCP relay in front of the test bed's apiserver (support/partition.ts):
 * what the relay accepts is what the client opened.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { waitFor } from '@nova/testbed';
import { KeepAliveKubeConfig } from '../../operator/src/kube/keep-alive.js';
import { withTimeout } from '../../operator/src/kube/request-options.js';
import { adminKubeConfig } from './support/kube.js';
import { PartitionableRelay } from './support/partition.js';

const CALLS = 20;
let relay: PartitionableRelay;
let admin: KubeConfig;

beforeAll(async () => {
  admin = adminKubeConfig();
  relay = await PartitionableRelay.inFrontOf(admin);
});

afterAll(async () => {
  await relay.close();
});

async function sequentialCalls(config: KubeConfig): Promise<number> {
  const api = config.makeApiClient(CoreV1Api);
  const before = relay.accepted;
  for (let i = 0; i < CALLS; i++) await api.readNamespace({ name: 'default' });
  return relay.accepted - before;
}

describe('KeepAliveKubeConfig', () => {
  it('sends twenty calls in a row over one connection, where client-node alone opens one per call', async () => {
    const pooled = relay.kubeConfigVia(admin, () => new KeepAliveKubeConfig());
    expect(await sequentialCalls(pooled)).toBe(1);
    // The baseline this replaces (and the test's proof that the relay counts what it should).
    expect(await sequentialCalls(relay.kubeConfigVia(admin))).toBe(CALLS);
    await pooled.closeConnections();
  });

  it('reuses its connections for calls in flight together, and a call aborted by its deadline does not spoil the pool', async () => {
    const pooled = relay.kubeConfigVia(admin, () => new KeepAliveKubeConfig());
    const api = pooled.makeApiClient(CoreV1Api);
    const before = relay.accepted;
    await Promise.all(Array.from({ length: 5 }, () => api.readNamespace({ name: 'default' })));
    await Promise.all(Array.from({ length: 5 }, () => api.readNamespace({ name: 'default' })));
    expect(relay.accepted - before).toBeLessThanOrEqual(5);
    // A watch that the caller's deadline aborts takes its connection with it; the next call still works.
    await expect(api.listNamespace({ watch: true }, withTimeout(200))).rejects.toThrow();
    await expect(api.readNamespace({ name: 'default' })).resolves.toMatchObject({ metadata: { name: 'default' } });
    await pooled.closeConnections();
    expect(await waitFor(() => Promise.resolve(relay.openClientConnections() === 0), { timeoutMs: 10_000 })).toBeUndefined();
  });
});
