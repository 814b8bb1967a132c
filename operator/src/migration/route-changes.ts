/**
 * Which migrations an event about a route object concerns. A route object (VirtualService,
 * HTTPRoute) is shared by many migrations, each owning one item of its list; every weight write
 * by one of them is an update event of the whole object. Enqueueing every migration on the object
 * for each of those made one apply cost as many reconciles as there are migrations sharing it
 * (bench/README.md). Here an update concerns only the migrations whose own part differs between
 * the version seen before and this one: their item (found as the provider finds it, by name or
 * path prefix) and the hosts the object serves. An add or a delete, or an update without a known
 * previous version, concerns every migration on the object.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { NovaMigration } from '../api/novamigration.js';
import { queueKey } from '../kube/resource.js';
import { asArray, asObject, dig, type JsonObject } from '../providers/json.js';
import { findItem, type SharedRouteShape } from '../providers/shared-route.js';
import { managedName } from '../providers/provider.js';

/** How one route kind tells a migration's own part of an object. */
export interface RouteKindParts {
  /** Does `migration` manage a route in the object called `name`? */
  readonly manages: (migration: NovaMigration, name: string) => boolean;
  /** The part of `object` that `migration`'s reconcile reads, as a comparable string. */
  readonly part: (migration: NovaMigration, object: KubernetesObject) => string;
}

/** One version of a shared object, indexed once for all the migrations on it. */
interface IndexedObject {
  readonly items: readonly unknown[];
  readonly hosts: string;
  /** Items by their `name`, first of each name: the item a migration named is found in O(1). */
  readonly byName: ReadonlyMap<string, unknown>;
}

/** For objects shared item by item (istio, gatewayAPI): the migration's item and the object's hosts. */
export function sharedItemPart(shape: SharedRouteShape): RouteKindParts['part'] {
  // Every event compares each of N migrations in two versions: an index per version keeps that
  // O(N), where finding each item by a scan of the list was O(N²) per event.
  const indexes = new WeakMap<KubernetesObject, IndexedObject>();
  const indexed = (object: KubernetesObject): IndexedObject => {
    let index = indexes.get(object);
    if (index === undefined) {
      const json = object as unknown as JsonObject;
      const items = asArray(dig(json, ...shape.listField));
      const byName = new Map<string, unknown>();
      for (const item of items) {
        const name = asObject(item)?.name;
        if (typeof name === 'string' && !byName.has(name)) byName.set(name, item);
      }
      index = { items, hosts: JSON.stringify(dig(json, ...shape.hostsField) ?? null), byName };
      indexes.set(object, index);
    }
    return index;
  };
  return (migration, object) => {
    const { items, hosts, byName } = indexed(object);
    const route = migration.spec.route;
    // No route: the provider reports that itself; the whole list stands in for the part.
    if (route === undefined) return JSON.stringify(items);
    const name = migration.metadata?.name ?? '';
    const named = byName.get(managedName({ name }));
    if (named !== undefined) return `${hosts}${JSON.stringify(named)}`;
    // A route the migration did not create (matched by its path prefix): as the provider finds it.
    const { legacy, target } = migration.spec;
    // Only a traffic migration manages route objects (a database one has no route: returned above).
    if (legacy === undefined || target === undefined) return JSON.stringify(null);
    const index = findItem(shape, items, { namespace: object.metadata?.namespace ?? '', name, uid: '', route: { pathPrefix: route.pathPrefix }, legacy, target, config: {} });
    return `${hosts}${JSON.stringify(index < 0 ? null : items[index])}`;
  };
}

/** For objects a migration reads whole (an Ingress): everything but the bookkeeping in metadata. */
export function wholeObjectPart(_migration: NovaMigration, object: KubernetesObject): string {
  const metadata = asObject((object as unknown as JsonObject).metadata);
  return JSON.stringify([metadata?.labels ?? null, metadata?.annotations ?? null, (object as unknown as JsonObject).spec ?? null]);
}

/** Keys of the migrations among `candidates` that an event about `object` concerns (see the file's comment). */
export function concernedKeys(kind: RouteKindParts, candidates: readonly NovaMigration[], object: KubernetesObject, previous: KubernetesObject | undefined): string[] {
  const name = object.metadata?.name ?? '';
  const managing = candidates.filter((migration) => kind.manages(migration, name));
  const changed = previous === undefined ? managing : managing.filter((migration) => kind.part(migration, previous) !== kind.part(migration, object));
  return changed.map((migration) => queueKey(migration));
}
