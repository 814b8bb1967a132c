/**
 * The test control plane is a real kube-apiserver: it enforces CRD schemas and CEL rules at
 * admission, serves watches, and validates the third-party traffic CRDs the operator writes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  Watch,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { cacheBinDir, component, waitFor } from '@nova/testbed';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const suffix = randomBytes(3).toString('hex');
const group = `fd${suffix}.nova.test`;
const namespace = `foundation-${suffix}`;
let config: KubeConfig;

function admin(): KubeConfig {
  const kube = new KubeConfig();
  kube.loadFromFile(component('kube').kubeconfig);
  return kube;
}

/** The message the apiserver answered a rejected request with. */
async function rejection(request: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await request;
  } catch (error) {
    if (error instanceof ApiException) {
      const body = (typeof error.body === 'string' ? JSON.parse(error.body) : error.body) as { message?: string };
      return { code: error.code, message: body.message ?? '' };
    }
    throw error;
  }
  throw new Error('the apiserver accepted an object it should have rejected');
}

beforeAll(async () => {
  config = admin();
  await config.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  // Typed models: the client serialises by property name and silently drops raw JSON keys such as
  // 'x-kubernetes-validations', so the CEL rule must be given as x_kubernetes_validations.
  await config.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({
    body: {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `splits.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'splits', singular: 'split', kind: 'Split', listKind: 'SplitList' },
        versions: [{
          name: 'v1', served: true, storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['weight'],
                  properties: { weight: { type: 'integer', minimum: 0 }, stepWeight: { type: 'integer', minimum: 1 } },
                  x_kubernetes_validations: [{ rule: 'self.weight <= 100', message: 'weight is a percentage: at most 100' }],
                },
              },
            },
          },
        }],
      },
    },
  });
  const served = await waitFor(async () => {
    const list = await config.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group, version: 'v1', namespace, plural: 'splits' })
      .then(() => true, () => false);
    return list;
  }, { timeoutMs: 30_000 });
  if (served !== undefined) throw new Error(`the test CRD was never served: ${served}`);
});

afterAll(async () => {
  await config.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace }).catch(() => undefined);
  await config.makeApiClient(ApiextensionsV1Api).deleteCustomResourceDefinition({ name: `splits.${group}` }).catch(() => undefined);
});

describe('kube-apiserver with etcd', () => {
  it('rejects an object breaking a CEL rule with the rule\'s message, and stores nothing', async () => {
    const api = config.makeApiClient(CustomObjectsApi);
    const { code, message } = await rejection(api.createNamespacedCustomObject({
      group, version: 'v1', namespace, plural: 'splits',
      body: { apiVersion: `${group}/v1`, kind: 'Split', metadata: { name: 'too-much' }, spec: { weight: 150 } },
    }));
    expect(code).toBe(422);
    expect(message).toContain('weight is a percentage: at most 100');
    const list = (await api.listNamespacedCustomObject({ group, version: 'v1', namespace, plural: 'splits' })) as { items: unknown[] };
    expect(list.items).toHaveLength(0);
  });

  it('rejects an object breaking the structural schema', async () => {
    const { code, message } = await rejection(config.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group, version: 'v1', namespace, plural: 'splits',
      body: { apiVersion: `${group}/v1`, kind: 'Split', metadata: { name: 'negative' }, spec: { weight: -5 } },
    }));
    expect(code).toBe(422);
    expect(message).toContain('spec.weight');
  });

  it('shows a created object to a watch', async () => {
    const api = config.makeApiClient(CustomObjectsApi);
    // As informers do: list, then watch from the list's resourceVersion, so nothing falls between.
    const list = (await api.listNamespacedCustomObject({ group, version: 'v1', namespace, plural: 'splits' })) as { metadata: { resourceVersion: string } };
    const seen: string[] = [];
    let timer: NodeJS.Timeout | undefined;
    let request: AbortController | undefined;
    try {
      const sawIt = new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => { reject(new Error(`no ADDED event within 20 s; saw: ${seen.join(', ') || 'nothing'}`)); }, 20_000);
        void new Watch(config).watch(`/apis/${group}/v1/namespaces/${namespace}/splits`, { resourceVersion: list.metadata.resourceVersion },
          (phase, object: KubernetesObject & { message?: string }) => {
            seen.push(phase === 'ERROR' ? `ERROR ${object.message ?? JSON.stringify(object)}` : `${phase} ${object.metadata?.name ?? ''}`);
            if (phase === 'ADDED' && object.metadata?.name === 'watched') resolve();
          }, (error: unknown) => { if (error !== null && error !== undefined) seen.push(`closed: ${error instanceof Error ? error.message : JSON.stringify(error)}`); })
          .then((controller) => { request = controller; }, reject);
      });
      await api.createNamespacedCustomObject({
        group, version: 'v1', namespace, plural: 'splits',
        body: { apiVersion: `${group}/v1`, kind: 'Split', metadata: { name: 'watched' }, spec: { weight: 30 } },
      });
      await sawIt;
      expect(seen).toContain('ADDED watched');
    } finally {
      clearTimeout(timer);
      request?.abort();
    }
  });

  it('answers kubectl with its stamped version', async () => {
    const { stdout } = await run(join(cacheBinDir(), 'kubectl'), ['--kubeconfig', component('kube').kubeconfig, 'version', '-o', 'json']);
    const versions = JSON.parse(stdout) as { serverVersion: { gitVersion: string; major: string; minor: string } };
    expect(versions.serverVersion.gitVersion).toBe(component('kube').version);
    expect(versions.serverVersion.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect(Number(versions.serverVersion.minor)).toBeGreaterThanOrEqual(37);
  });
});

describe('third-party traffic CRDs', () => {

  function virtualService(name: string, weights: readonly unknown[]): Record<string, unknown> {
    return {
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name },
      spec: {
        hosts: ['bot.example.com'],
        http: [{ route: weights.map((weight, i) => ({ destination: { host: i === 0 ? 'monolith' : 'user-service' }, weight })) }],
      },
    };
  }

  function httpRoute(name: string, weights: readonly number[]): Record<string, unknown> {
    return {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name },
      spec: {
        parentRefs: [{ name: 'edge' }],
        rules: [{
          matches: [{ path: { type: 'PathPrefix', value: '/users' } }],
          backendRefs: weights.map((weight, i) => ({ name: i === 0 ? 'monolith' : 'user-service', port: 80, weight })),
        }],
      },
    };
  }

  it('stores a valid Istio VirtualService and rejects one with a non-numeric weight', async () => {
    const api = config.makeApiClient(CustomObjectsApi);
    const target = { group: 'networking.istio.io', version: 'v1', namespace, plural: 'virtualservices' };
    await api.createNamespacedCustomObject({ ...target, body: virtualService('users', [90, 10]) });
    const stored = (await api.getNamespacedCustomObject({ ...target, name: 'users' })) as { spec: { http: { route: { weight: number }[] }[] } };
    expect(stored.spec.http[0]?.route.map((r) => r.weight)).toEqual([90, 10]);
    const { code, message } = await rejection(api.createNamespacedCustomObject({ ...target, body: virtualService('broken', ['ninety', 10]) }));
    expect(code).toBe(422);
    expect(message).toMatch(/weight/);
  });

  it('stores a valid Gateway API HTTPRoute and rejects one with an out-of-range weight', async () => {
    const api = config.makeApiClient(CustomObjectsApi);
    const target = { group: 'gateway.networking.k8s.io', version: 'v1', namespace, plural: 'httproutes' };
    await api.createNamespacedCustomObject({ ...target, body: httpRoute('users', [80, 20]) });
    const stored = (await api.getNamespacedCustomObject({ ...target, name: 'users' })) as { spec: { rules: { backendRefs: { weight: number }[] }[] } };
    expect(stored.spec.rules[0]?.backendRefs.map((b) => b.weight)).toEqual([80, 20]);
    const { code, message } = await rejection(api.createNamespacedCustomObject({ ...target, body: httpRoute('broken', [-1, 20]) }));
    expect(code).toBe(422);
    expect(message).toMatch(/weight/);
  });
});
