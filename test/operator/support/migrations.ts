/**
 * NovaMigrations and the shared route objects they manage, as a person with kubectl sees them:
 * created, annotated and read through the apiserver with the admin's credentials, weights read
 * from the raw route objects (not through the providers under test).
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { NovaMigration, NovaMigrationSpec, NovaMigrationStatus } from '../../../operator/src/api/novamigration.js';
import { asArray, asObject, dig, type JsonObject } from '../../../operator/src/providers/json.js';
import { component } from '@nova/testbed';
import { eventually } from './kube.js';
import type { ObservedWrite } from './record-writes.js';

export const MIGRATIONS = { group: 'novabot.io', version: 'v1alpha1', plural: 'novamigrations' } as const;

export type ProviderKind = 'istio' | 'gatewayAPI' | 'ingressNginx';

export const ROUTE_RESOURCES = {
  istio: { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices' },
  gatewayAPI: { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' },
  ingressNginx: { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses' },
} as const;

const CONFIG_KEY: Record<ProviderKind, string> = { istio: 'virtualService', gatewayAPI: 'httpRoute', ingressNginx: 'ingress' };

export function migrationSpec(kind: ProviderKind | 'nginx', objectName: string, pathPrefix: string, steps: NovaMigrationSpec['steps'], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    route: { host: 'bot.example.com', pathPrefix },
    legacy: { service: 'nova-monolith', port: 8099 },
    target: { service: `svc${pathPrefix.replaceAll('/', '-')}`.replace(/-$/u, ''), port: 8100 },
    trafficProvider: kind === 'nginx' ? { nginx: {} } : { [kind]: { [CONFIG_KEY[kind]]: objectName } },
    steps,
    ...extra,
  };
}

/**
 * spec.analysis for tests about steps and providers rather than analysis: real checks on the test
 * bed's real Prometheus, with constant PromQL that always passes (1000 requests, no errors, 20 ms).
 */
export function passingAnalysis(interval = '1s'): { analysis: Record<string, unknown> } {
  return { analysis: { interval, prometheus: { address: component('prometheus').url }, queries: { requests: 'vector(1000)', errors: 'vector(0)', p95LatencyMs: 'vector(20)' } } };
}

export const PASSING_SUMMARY = 'Passed: errors 0.00% (legacy 0.00%), p95 20 ms, 1000 requests';

export class Migrations {
  private readonly api: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig, readonly namespace: string) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async create(name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): Promise<NovaMigration> {
    const body = { apiVersion: 'novabot.io/v1alpha1', kind: 'NovaMigration', metadata: { name, annotations }, spec };
    return (await this.api.createNamespacedCustomObject({ ...MIGRATIONS, namespace: this.namespace, body })) as NovaMigration;
  }

  async get(name: string): Promise<NovaMigration> {
    return (await this.api.getNamespacedCustomObject({ ...MIGRATIONS, namespace: this.namespace, name })) as NovaMigration;
  }

  async exists(name: string): Promise<boolean> {
    return this.get(name).then(() => true, () => false);
  }

  async status(name: string): Promise<NovaMigrationStatus> {
    return (await this.get(name)).status ?? {};
  }

  async patch(name: string, body: Record<string, unknown>): Promise<void> {
    await this.api.patchNamespacedCustomObject({ ...MIGRATIONS, namespace: this.namespace, name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  }

  /** What `kubectl nova promote` does at a manual pause: approve that step by number. */
  async approve(name: string, step: number): Promise<void> {
    await this.patch(name, { metadata: { annotations: { 'novabot.io/approved-step': String(step) } } });
  }

  async delete(name: string): Promise<void> {
    await this.api.deleteNamespacedCustomObject({ ...MIGRATIONS, namespace: this.namespace, name });
  }

  /** Waits until the stored status satisfies `probe`; fails with the last status seen. */
  async waitFor(name: string, what: string, probe: (status: NovaMigrationStatus) => boolean, timeoutMs = 60_000): Promise<NovaMigrationStatus> {
    let last: NovaMigrationStatus = {};
    try {
      await eventually(`${name}: ${what}`, async () => probe((last = await this.status(name).catch(() => ({})))), timeoutMs);
    } catch (error) {
      // Conditions shortened to what tells a stuck migration apart: which are True, and why.
      const conditions = last.conditions?.map((condition) => `${condition.type}=${condition.status}/${condition.reason}`);
      throw new Error(`${(error as Error).message}; last status: ${JSON.stringify({ ...last, conditions })}`, { cause: error });
    }
    return last;
  }
}

/** One route object with a health route and a catch-all, that several migrations share. */
export function sharedRouteObject(kind: ProviderKind, name: string): JsonObject {
  const legacy = { host: 'nova-monolith', port: { number: 8099 } };
  switch (kind) {
    case 'istio':
      return {
        apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name },
        spec: {
          hosts: ['bot.example.com'],
          http: [
            { name: 'health', match: [{ uri: { exact: '/healthz' } }], route: [{ destination: legacy }] },
            { name: 'default', route: [{ destination: legacy }], timeout: '5s' },
          ],
        },
      };
    case 'gatewayAPI':
      return {
        apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name },
        spec: {
          parentRefs: [{ name: 'nova-gateway' }],
          hostnames: ['bot.example.com'],
          rules: [{ name: 'default', matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'nova-monolith', port: 8099 }] }],
        },
      };
    case 'ingressNginx': {
      const path = (prefix: string): JsonObject => ({ path: prefix, pathType: 'Prefix', backend: { service: { name: 'nova-monolith', port: { number: 8099 } } } });
      return {
        apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name },
        spec: { ingressClassName: 'nginx', rules: [{ host: 'bot.example.com', http: { paths: [path('/'), path('/webhook/'), path('/payments/')] } }] },
      };
    }
  }
}

/** The target's percent for `migration` in a shared Istio / Gateway API object; undefined when it has no item there. */
export function routeTargetWeight(kind: 'istio' | 'gatewayAPI', object: unknown, migration: string): number | undefined {
  const list = kind === 'istio' ? dig(object, 'spec', 'http') : dig(object, 'spec', 'rules');
  const item = asArray(list).map((entry) => asObject(entry) ?? {}).find((entry) => entry.name === `nova-${migration}`);
  if (item === undefined) return undefined;
  const backends = asArray(kind === 'istio' ? item.route : item.backendRefs).map((entry) => asObject(entry) ?? {});
  // The operator writes [legacy, target]; the target is the second entry.
  const target = backends[1]?.weight;
  return typeof target === 'number' ? target : 0;
}

export class RouteObjects {
  private readonly api: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig, readonly namespace: string) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async create(kind: ProviderKind, name: string): Promise<void> {
    await this.api.createNamespacedCustomObject({ ...ROUTE_RESOURCES[kind], namespace: this.namespace, body: sharedRouteObject(kind, name) });
  }

  async read(kind: ProviderKind, name: string): Promise<JsonObject | undefined> {
    return this.api.getNamespacedCustomObject({ ...ROUTE_RESOURCES[kind], namespace: this.namespace, name }).then(
      (object: unknown) => asObject(object),
      () => undefined,
    );
  }

  /**
   * The target's percent for `migration` as the data plane object holds it; undefined when the
   * migration has no route there. Istio/Gateway API: the weights of its named item in the shared
   * object; ingress-nginx: the canary Ingress's canary-weight annotation.
   */
  async targetWeight(kind: ProviderKind, objectName: string, migration: string): Promise<number | undefined> {
    if (kind === 'ingressNginx') {
      const canary = await this.read(kind, `nova-${migration}`);
      const weight = asObject(dig(canary, 'metadata', 'annotations'))?.['nginx.ingress.kubernetes.io/canary-weight'];
      return typeof weight === 'string' ? Number(weight) : undefined;
    }
    return routeTargetWeight(kind, await this.read(kind, objectName), migration);
  }

  /** Names of the items in a shared object (routes / rules), in order. */
  async itemNames(kind: 'istio' | 'gatewayAPI', objectName: string): Promise<unknown[]> {
    const object = await this.read(kind, objectName);
    return asArray(kind === 'istio' ? dig(object, 'spec', 'http') : dig(object, 'spec', 'rules')).map((entry) => dig(entry, 'name'));
  }
}

/** One write to a migration in a line: who wrote it, when, and the status it left. */
export function describeWrite(write: ObservedWrite): string {
  const object = write.object as { metadata?: { managedFields?: { manager?: string; time?: string; subresource?: string }[]; annotations?: Record<string, string> }; status?: { phase?: string; currentStep?: number; weight?: number; desiredWeight?: number; message?: string; analysis?: { lastResult?: string; lastRun?: string } } };
  const managers = (object.metadata?.managedFields ?? []).map((field) => `${field.manager ?? '?'}${field.subresource === undefined ? '' : `/${field.subresource}`}@${field.time ?? '?'}`).join(',');
  const status = object.status ?? {};
  return `${write.type} rv=${write.resourceVersion} [${managers}] phase=${status.phase ?? '-'} step=${String(status.currentStep)} weight=${String(status.weight)}/${String(status.desiredWeight)} check=${status.analysis?.lastResult ?? '-'}@${status.analysis?.lastRun ?? '-'} "${status.message ?? ''}" annotations=${JSON.stringify(object.metadata?.annotations ?? {})}`;
}
