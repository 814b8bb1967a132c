/**
 * What the migration controller watches: the NovaMigrations themselves, and the route objects
 * they manage (so a hand edit of a weight, or a route object created late, is seen at once and
 * not at the next resync). Route kinds whose CRDs are not installed are skipped, not retried
 * forever: a cluster without Istio still runs Gateway API migrations.
 */
import { CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { NOVA_MIGRATION, type NovaMigration } from '../api/novamigration.js';
import { isNotFound } from '../kube/api-errors.js';
import { ResilientInformer } from '../kube/informer.js';
import { collectionPath, queueKey, type ResourceType } from '../kube/resource.js';
import type { Watch } from '../runtime/manager.js';
import type { Logger } from '../runtime/log.js';
import { managedName } from '../providers/index.js';
import { dependantKeys } from './dependencies.js';

interface RouteKind {
  readonly type: ResourceType;
  /** Does `migration` manage a route in the object called `name`? */
  readonly manages: (migration: NovaMigration, name: string) => boolean;
}

const ROUTE_KINDS: readonly RouteKind[] = [
  {
    type: { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', kind: 'VirtualService' },
    manages: (migration, name) => migration.spec.trafficProvider.istio?.virtualService === name,
  },
  {
    type: { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', kind: 'HTTPRoute' },
    manages: (migration, name) => migration.spec.trafficProvider.gatewayAPI?.httpRoute === name,
  },
  {
    type: { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', kind: 'Ingress' },
    manages: (migration, name) =>
      migration.spec.trafficProvider.ingressNginx !== undefined &&
      (migration.spec.trafficProvider.ingressNginx.ingress === name || managedName({ name: migration.metadata?.name ?? '' }) === name),
  },
];

export interface MigrationWatches {
  readonly migrations: ResilientInformer<NovaMigration>;
  readonly informers: readonly ResilientInformer<KubernetesObject>[];
  readonly watches: readonly Watch[];
}

export interface WatchOptions {
  readonly kubeConfig: KubeConfig;
  /** Watch one namespace only; all namespaces when absent. */
  readonly namespace?: string;
  readonly watchdogMs?: number;
  readonly logger: Logger;
}

function informerFor<T extends KubernetesObject>(options: WatchOptions, type: ResourceType): ResilientInformer<T> {
  const api = options.kubeConfig.makeApiClient(CustomObjectsApi);
  const { group, version, plural } = type;
  const namespace = options.namespace;
  return new ResilientInformer<T>({
    kubeConfig: options.kubeConfig,
    name: plural,
    path: collectionPath(type, namespace),
    list: async () =>
      (namespace === undefined
        ? await api.listClusterCustomObject({ group, version, plural })
        : await api.listNamespacedCustomObject({ group, version, plural, namespace })) as { items: T[] },
    watchdogMs: options.watchdogMs,
    logger: options.logger,
  });
}

/** False when the apiserver does not serve `type` (its CRD is not installed). */
async function served(options: WatchOptions, type: ResourceType): Promise<boolean> {
  const api = options.kubeConfig.makeApiClient(CustomObjectsApi);
  const { group, version, plural } = type;
  try {
    if (options.namespace === undefined) await api.listClusterCustomObject({ group, version, plural, limit: 1 });
    else await api.listNamespacedCustomObject({ group, version, plural, namespace: options.namespace, limit: 1 });
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

export async function migrationWatches(options: WatchOptions): Promise<MigrationWatches> {
  const migrations = informerFor<NovaMigration>(options, NOVA_MIGRATION);
  const informers: ResilientInformer<KubernetesObject>[] = [migrations];
  const watches: Watch[] = [
    {
      informer: migrations,
      // A migration's change also concerns the migrations waiting for it (dependsOn).
      keys: (object) => [queueKey(object), ...dependantKeys(migrations.list(), object.metadata?.namespace ?? '', object.metadata?.name ?? '')],
    },
  ];
  for (const kind of ROUTE_KINDS) {
    if (!(await served(options, kind.type))) {
      options.logger.info('route kind not served by this cluster; its migrations will report RouteNotFound', { kind: kind.type.kind });
      continue;
    }
    const informer = informerFor<KubernetesObject>(options, kind.type);
    informers.push(informer);
    watches.push({
      informer,
      keys: (object) => {
        const namespace = object.metadata?.namespace ?? '';
        const name = object.metadata?.name ?? '';
        return migrations
          .list(namespace)
          .filter((migration) => kind.manages(migration, name))
          .map((migration) => queueKey(migration));
      },
    });
  }
  return { migrations, informers, watches };
}
