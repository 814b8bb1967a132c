/** Shared set-up for the runtime's tests on the real apiserver: clients, throwaway namespaces, a test CRD. */
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
  V1CustomResourceDefinition,
  V1Namespace,
  V1ObjectMeta,
} from '@kubernetes/client-node';
import { component, waitFor } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';

export function adminKubeConfig(): KubeConfig {
  const { kubeconfig } = component('kube');
  const config = new KubeConfig();
  if (existsSync(kubeconfig)) config.loadFromFile(kubeconfig);
  else config.loadFromString(kubeconfig);
  return config;
}

export function suffix(): string {
  return randomBytes(3).toString('hex');
}

export async function createNamespace(config: KubeConfig, prefix: string): Promise<string> {
  const name = `${prefix}-${suffix()}`;
  const body = new V1Namespace();
  body.metadata = new V1ObjectMeta();
  body.metadata.name = name;
  await config.makeApiClient(CoreV1Api).createNamespace({ body });
  return name;
}

export async function deleteNamespace(config: KubeConfig, name: string): Promise<void> {
  await config.makeApiClient(CoreV1Api).deleteNamespace({ name }).catch(() => undefined);
}

/** Polls until `probe` holds, failing the test with `what` and the reason otherwise. */
export async function eventually(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const failure = await waitFor(async () => probe(), { timeoutMs, intervalMs: 50 });
  if (failure !== undefined) throw new Error(`${what}: ${failure}`);
}

export interface TestCrd {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly name: string;
}

/** A namespaced CRD with a status subresource and an open schema, unique to the calling test. */
export function widgetCrd(): TestCrd {
  const group = `rt${suffix()}.nova.test`;
  return { group, version: 'v1', plural: 'widgets', kind: 'Widget', name: `widgets.${group}` };
}

export async function installCrd(config: KubeConfig, crd: TestCrd): Promise<void> {
  const api = config.makeApiClient(ApiextensionsV1Api);
  const body: V1CustomResourceDefinition = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: crd.name },
    spec: {
      group: crd.group,
      scope: 'Namespaced',
      names: { plural: crd.plural, singular: crd.kind.toLowerCase(), kind: crd.kind, listKind: `${crd.kind}List` },
      versions: [
        {
          name: crd.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                // The client's model names it x_kubernetes_preserve_unknown_fields; the JSON key would be dropped.
                spec: { type: 'object', x_kubernetes_preserve_unknown_fields: true },
                status: { type: 'object', x_kubernetes_preserve_unknown_fields: true },
              },
            },
          },
        },
      ],
    },
  };
  await api.createCustomResourceDefinition({ body });
  await eventually(`CRD ${crd.name} established`, async () => {
    const stored = await api.readCustomResourceDefinition({ name: crd.name });
    return stored.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
  });
}

/** Deletes the CRD and its objects, first stripping finalizers a failed test may have left behind. */
export async function deleteCrd(config: KubeConfig, crd: TestCrd): Promise<void> {
  const api = config.makeApiClient(ApiextensionsV1Api);
  const custom = config.makeApiClient(CustomObjectsApi);
  const { group, version, plural } = crd;
  const listed = (await custom.listClusterCustomObject({ group, version, plural }).catch(() => ({ items: [] }))) as { items?: KubernetesObject[] };
  for (const item of listed.items ?? []) {
    const { name, namespace } = item.metadata ?? {};
    if (name === undefined || namespace === undefined || (item.metadata?.finalizers ?? []).length === 0) continue;
    await custom
      .patchNamespacedCustomObject(
        { group, version, plural, namespace, name, body: { metadata: { finalizers: null } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )
      .catch(() => undefined);
  }
  await api.deleteCustomResourceDefinition({ name: crd.name }).catch(() => undefined);
  await eventually(`CRD ${crd.name} gone`, async () => {
    try {
      await api.readCustomResourceDefinition({ name: crd.name });
      return false;
    } catch {
      return true;
    }
  }, 60_000);
}
