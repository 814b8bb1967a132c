/**
 * The chart installs, as far as a real apiserver can tell without nodes: every object `helm
 * template` renders — for the default values, for each route provider and with every option on —
 * is admitted by the test bed's kube-apiserver (with the Istio and Gateway API CRDs and our CRD
 * installed) through a server-side dry-run apply. The ServiceMonitor's CRD is not on the test bed:
 * it is checked against prometheus-operator's published schema instead.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { randomBytes } from 'node:crypto';
import { PROVIDER_VALUES, renderChart, type RenderedObject, type Values } from './support/chart.js';
import { createNamespaces, deleteNamespaces, dryRunApply, kubectlName } from './support/kubectl.js';

const created: string[] = [];

afterAll(async () => {
  await deleteNamespaces(created);
});

function uniqueNamespace(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** Renders the chart into fresh namespaces and dry-run applies everything the test bed has a kind for. */
async function renderAndDryRun(values: (namespaces: { release: string; other: string }) => Values): Promise<{ objects: RenderedObject[]; accepted: readonly string[]; stderr: string }> {
  const namespaces = { release: uniqueNamespace('ship'), other: uniqueNamespace('ship-other') };
  await createNamespaces([namespaces.release, namespaces.other]);
  created.push(namespaces.release, namespaces.other);
  const { objects } = await renderChart({ namespace: namespaces.release, values: values(namespaces) });
  const applicable = objects.filter((object) => object.kind !== 'ServiceMonitor');
  const { accepted, result } = await dryRunApply(applicable);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  return { objects: applicable, accepted, stderr: result.stderr };
}

function kinds(objects: readonly RenderedObject[]): string[] {
  return [...new Set(objects.map((object) => object.kind))].sort();
}

describe('helm template | kubectl apply --server-side --dry-run=server', () => {
  it('admits every object of the default values', async () => {
    const { objects, accepted } = await renderAndDryRun(() => ({}));
    expect(accepted).toEqual(objects.map(kubectlName));
    expect(kinds(objects)).toEqual([
      'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount',
    ]);
    // The operator, the monolith and every service.
    expect(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort()).toEqual([
      'admin-panel', 'bot-service', 'notification-service', 'nova-monolith', 'nova-operator', 'payment-service', 'publisher-service', 'user-service', 'webhook-gateway',
    ]);
  });

  it.each(Object.entries(PROVIDER_VALUES))('admits every object with the %s route object', async (provider, values) => {
    const { objects, accepted } = await renderAndDryRun(() => values);
    expect(accepted).toEqual(objects.map(kubectlName));
    const route = objects.filter((o) => ['VirtualService', 'Ingress', 'HTTPRoute'].includes(o.kind));
    expect(route.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      { istio: 'VirtualService/nova', ingressNginx: 'Ingress/nova', gatewayAPI: 'HTTPRoute/nova' }[provider],
    ]);
  });

  it('admits every object with every option on (namespaced operator, NetworkPolicies, dashboard elsewhere, database URL from a Secret, a migration login, a deployable\'s own login)', async () => {
    const { objects, accepted } = await renderAndDryRun(({ other }) => ({
      ...PROVIDER_VALUES.istio,
      operator: { watchNamespace: other },
      networkPolicy: { enabled: true },
      metrics: { dashboard: { namespace: other }, serviceMonitor: { enabled: true } },
      postgresql: { urlKey: 'url', migration: { existingSecret: 'nova-db-migrator' } },
      otel: { endpoint: 'http://otel-collector.monitoring:4318' },
      image: { registry: 'registry.example.com/nova', tag: '1.2.3' },
      imagePullSecrets: ['registry-credentials'],
      services: {
        'payment-service': { enabled: true, extraSecretEnv: [{ name: 'NOVA_CRYPTOBOT_TOKEN', secretName: 'payment-keys', key: 'cryptobot' }] },
        'publisher-service': { enabled: true },
        'user-service': { database: { existingSecret: 'nova-db-user-service', user: 'nova_user_service' } },
        'notification-service': { enabled: true },
        'admin-panel': { enabled: true, routed: true, image: { repository: 'nova/admin-panel', digest: `sha256:${'a'.repeat(64)}` }, port: 8106, replicas: 1 },
      },
    }));
    expect(accepted).toEqual(objects.map(kubectlName));
    expect(kinds(objects)).toContain('NetworkPolicy');
    // Namespaced operator: a Role in the watched namespace instead of a ClusterRole.
    expect(kinds(objects)).not.toContain('ClusterRole');
  });

  it('refuses what the apiserver refuses: the same pipeline rejects a VirtualService the Istio CRD does not allow', async () => {
    const namespace = uniqueNamespace('ship-bad');
    await createNamespaces([namespace]);
    created.push(namespace);
    const { objects } = await renderChart({ namespace, values: PROVIDER_VALUES.istio });
    const virtualService = objects.find((o) => o.kind === 'VirtualService');
    if (virtualService === undefined) throw new Error('no VirtualService rendered');
    const broken = { ...virtualService, spec: { ...(virtualService.spec as object), http: [{ name: 'legacy', route: [{ destination: { host: 'nova-monolith' }, weight: 'ten' }] }] } };
    const { accepted, result } = await dryRunApply([broken]);
    expect(result.code).not.toBe(0);
    expect(accepted).toEqual([]);
    expect(result.stderr).toMatch(/weight/);
  });
});

describe('the ServiceMonitor', () => {
  it('is valid against prometheus-operator\'s schema and keeps the processes\' namespace label', async () => {
    const { objects } = await renderChart({ namespace: 'nova', values: { metrics: { serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } } } } });
    const monitors = objects.filter((o) => o.kind === 'ServiceMonitor');
    expect(monitors).toHaveLength(1);
    const monitor = new ServiceMonitor(monitors[0] as ConstructorParameters<typeof ServiceMonitor>[0]);
    expect(() => { monitor.validate(); }).not.toThrow();
    expect(monitor.spec.endpoints[0]).toMatchObject({ port: 'http', path: '/metrics', honorLabels: true });
    expect(monitor.metadata?.labels).toMatchObject({ release: 'kube-prometheus-stack' });
  });

  it('the schema check can fail: an endpoint with a wrong type is refused', async () => {
    const { objects } = await renderChart({ namespace: 'nova', values: { metrics: { serviceMonitor: { enabled: true } } } });
    const monitor = objects.find((o) => o.kind === 'ServiceMonitor');
    if (monitor === undefined) throw new Error('no ServiceMonitor rendered');
    const broken = new ServiceMonitor({ ...monitor, spec: { ...(monitor.spec as object), endpoints: [{ port: 'http', honorLabels: 'yes' }] } } as unknown as ConstructorParameters<typeof ServiceMonitor>[0]);
    expect(() => { broken.validate(); }).toThrow(/honorLabels/);
  });
});
