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
import { listInPages } from '../kube/paged-list.js';
import { collectionPath, queueKey, type ResourceType } from '../kube/resource.js';
import type { Watch } from '../runtime/manager.js';
import type { Logger } from '../runtime/log.js';
import { managedName } from '../providers/index.js';
import { GATEWAY_API_SHAPE } from '../providers/gateway-api.js';
import { ISTIO_SHAPE } from '../providers/istio.js';
import { CachedReader } from '../kube/cached-reader.js';
import { DependantsIndex } from './dependants-index.js';
import { concernedKeys, sharedItemPart, wholeObjectPart, type RouteKindParts } from './route-changes.js';

interface RouteKind extends RouteKindParts {
  readonly type: ResourceType;
}

const ROUTE_KINDS: readonly RouteKind[] = [
  {
    type: { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', kind: 'VirtualService' },
    manages: (migration, name) => migration.spec.trafficProvider?.istio?.virtualService === name,
    part: sharedItemPart(ISTIO_SHAPE),
  },
  {
    type: { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', kind: 'HTTPRoute' },
    manages: (migration, name) => migration.spec.trafficProvider?.gatewayAPI?.httpRoute === name,
    part: sharedItemPart(GATEWAY_API_SHAPE),
  },
  {
    type: { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', kind: 'Ingress' },
    manages: (migration, name) =>
      migration.spec.trafficProvider?.ingressNginx !== undefined &&
      (migration.spec.trafficProvider.ingressNginx.ingress === name || managedName({ name: migration.metadata?.name ?? '' }) === name),
    part: wholeObjectPart,
  },
];

export interface MigrationWatches {
  readonly migrations: ResilientInformer<NovaMigration>;
  readonly informers: readonly ResilientInformer<KubernetesObject>[];
  readonly watches: readonly Watch[];
  /** The migrations' cache, trusted only once it shows this process's own writes (cached-reader.ts). */
  readonly migrationReader: CachedReader<NovaMigration>;
  /** The same for each route kind the cluster serves, by plural (virtualservices, httproutes, ingresses). */
  readonly routeReaders: ReadonlyMap<string, CachedReader<KubernetesObject>>;
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
    // In pages (paged-list.ts): one response of every object raised the peak RSS of a resync.
    list: () =>
      listInPages<T>(plural, (page) =>
        namespace === undefined
          ? api.listClusterCustomObject({ group, version, plural, ...page })
          : api.listNamespacedCustomObject({ group, version, plural, namespace, ...page })),
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
  const routeReaders = new Map<string, CachedReader<KubernetesObject>>();
  // Registered before the manager's handlers (it is built after this returns), so the index holds
  // an event's own version by the time the manager asks it which keys the event concerns.
  const dependants = new DependantsIndex();
  migrations.on('add', (migration) => { dependants.upsert(migration); });
  migrations.on('update', (migration) => { dependants.upsert(migration); });
  migrations.on('delete', (migration) => { dependants.remove(migration); });
  const watches: Watch[] = [
    {
      informer: migrations,
      // A migration's change also concerns the migrations waiting for it (dependsOn).
      keys: (object) => [queueKey(object), ...dependants.dependantKeys(object.metadata?.namespace ?? '', object.metadata?.name ?? '')],
    },
  ];
  for (const kind of ROUTE_KINDS) {
    if (!(await served(options, kind.type))) {
      options.logger.info('route kind not served by this cluster; its migrations will report RouteNotFound', { kind: kind.type.kind });
      continue;
    }
    const informer = informerFor<KubernetesObject>(options, kind.type);
    informers.push(informer);
    routeReaders.set(kind.type.plural, new CachedReader(informer));
    watches.push({
      informer,
      // Only the migrations whose own route changed (route-changes.ts): one weight written to an
      // object shared by N migrations is one reconcile, not N.
      keys: (object, previous) => concernedKeys(kind, migrations.list(object.metadata?.namespace ?? ''), object, previous),
    });
  }
  return { migrations, informers, watches, migrationReader: new CachedReader(migrations), routeReaders };
}
