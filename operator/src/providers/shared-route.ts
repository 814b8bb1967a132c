/**
 * The provider logic common to route objects shared by many migrations, where each migration owns
 * one item of a list (Istio `spec.http[]`, Gateway API `spec.rules[]`) and the weights of the
 * backends inside it. istio.ts and gateway-api.ts describe their object's shape; this file does
 * the reads and the conflict-safe writes (see kube-writes.ts for the concurrency argument).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { legacyOnlyEntries, readPair, weightedEntries, type BackendDialect } from './destinations.js';
import { InvalidProviderConfigError, RouteNotFoundError } from './errors.js';
import { asArray, asObject, asString, dig, jsonEqual, objectsIn, pointerToken, type JsonObject } from './json.js';
import {
  CustomObjects,
  readModifyWrite,
  resourceVersionTest,
  testableValue,
  type CustomResource,
  type RouteCache,
  type JsonPatchOperation,
  type WriteAttempt,
} from './kube-writes.js';
import { checkWeight, configString, httpRoute, managedName, type FinalizePolicy, type ProviderMigration, type TrafficProvider, type WeightReading } from './provider.js';

export interface SharedRouteShape {
  /** Provider key in spec.trafficProvider. */
  readonly kind: string;
  readonly resource: CustomResource;
  /** Key in the provider's config block naming the shared object. */
  readonly objectNameKey: string;
  /** Where the list of routes lives: ['spec', 'http']. */
  readonly listField: readonly [string, string];
  /** Where host names live: ['spec', 'hosts']; an empty list serves every host. */
  readonly hostsField: readonly [string, string];
  /** Inside one item, the list of weighted backends: 'route' / 'backendRefs'. */
  readonly backendsKey: string;
  /** Inside one item, its match list: 'match' / 'matches'. */
  readonly matchKey: string;
  readonly dialect: (namespace: string) => BackendDialect;
  /** Whether an item matches requests by exactly this path prefix. */
  readonly hasPrefix: (item: unknown, pathPrefix: string) => boolean;
  /** Where a new item for `pathPrefix` goes. */
  readonly insertionIndex: (items: readonly unknown[], pathPrefix: string) => number;
}

/** The migration's item: the one we named, else the first matching its path prefix. */
export function findItem(shape: SharedRouteShape, items: readonly unknown[], migration: ProviderMigration): number {
  const byName = items.findIndex((item) => asString(asObject(item)?.name) === managedName(migration));
  return byName >= 0 ? byName : items.findIndex((item) => shape.hasPrefix(item, httpRoute(migration).pathPrefix));
}

/** What a weight write does when the migration's item is missing (see `rewrite`). */
type WhenMissing = { readonly insertWith: number } | 'done' | 'notFound';

/** When the migration's item is written into the shared object (the provider config's `createRoute`). */
export type RouteCreation = 'AtStart' | 'WithFirstWeight';

/** Absent means AtStart; admission refuses other values, and so does this (an older CRD could admit them). */
export function routeCreation(migration: ProviderMigration): RouteCreation {
  const value = migration.config.createRoute;
  if (value === undefined || value === 'AtStart') return 'AtStart';
  if (value === 'WithFirstWeight') return value;
  throw new InvalidProviderConfigError(migration, `trafficProvider config "createRoute" must be AtStart or WithFirstWeight, got ${JSON.stringify(value)}`);
}

/** Exact names or wildcards like `*.example.com` or `*`. */
export function servesHost(hosts: readonly string[], host: string): boolean {
  if (hosts.length === 0) return true;
  return hosts.some((pattern) => pattern === host || pattern === '*' || (pattern.startsWith('*.') && host.endsWith(pattern.slice(1))));
}

export class SharedRouteProvider implements TrafficProvider {
  readonly kind: string;
  private readonly objects: CustomObjects;

  constructor(
    private readonly shape: SharedRouteShape,
    /** A new item for the migration, weights excluded (`insert` adds them). */
    private readonly newItem: (migration: ProviderMigration) => JsonObject,
    kubeConfig: KubeConfig,
    fieldManager: string,
    /** The operator's informer cache of this kind, when it watches it (reads then skip the apiserver). */
    cache?: RouteCache,
  ) {
    this.kind = shape.kind;
    this.objects = new CustomObjects(kubeConfig, shape.resource, fieldManager, cache);
  }

  /**
   * With `createRoute: AtStart` (the default) inserts the migration's item at 100 % legacy when
   * absent, so it stands in the object, checked by the apiserver, before any traffic moves. With
   * `createRoute: WithFirstWeight` only checks that it can be made (the object exists and serves the
   * migration's host) and writes nothing: the first `setWeight` inserts the item with its weight.
   * Every write of the shared object costs the apiserver the whole object (decode, patch, validate
   * against the kind's schema, encode; every watch decodes the new version): ~40 ms at 200 routes
   * here (bench/README.md), and the insert at 0 % followed by the first weight is two of them.
   */
  async ensureRoute(migration: ProviderMigration): Promise<void> {
    const name = configString(migration, this.shape.objectNameKey);
    const atStart = routeCreation(migration) === 'AtStart';
    await readModifyWrite(migration, this.objects, name, (object): WriteAttempt => {
      this.checkHost(migration, name, object);
      const items = asArray(dig(object, ...this.shape.listField));
      if (!atStart || findItem(this.shape, items, migration) >= 0) return { done: true };
      return this.insert(migration, name, object, items, 0);
    });
  }

  async setWeight(migration: ProviderMigration, weight: number): Promise<void> {
    checkWeight(migration, weight);
    const dialect = this.shape.dialect(migration.namespace);
    const whenMissing: WhenMissing = routeCreation(migration) === 'WithFirstWeight' ? { insertWith: weight } : 'notFound';
    await this.rewrite(migration, whenMissing, (where, entries) => weightedEntries(migration, where, entries, weight, dialect));
  }

  async readWeight(migration: ProviderMigration): Promise<WeightReading | undefined> {
    const name = configString(migration, this.shape.objectNameKey);
    // From the cache when it holds our own last write (cached-reader.ts): a reading behind someone
    // else's edit is drift that arrives as an event and is corrected by the reconcile it enqueues.
    const object = await this.objects.read(migration.namespace, name);
    if (object === undefined) return undefined;
    const items = asArray(dig(object, ...this.shape.listField));
    const index = findItem(this.shape, items, migration);
    if (index < 0) {
      // WithFirstWeight: not inserted yet (or removed by someone), so the target gets nothing; the
      // engine writes its desired weight, which inserts the item, when that is not 0.
      return routeCreation(migration) === 'WithFirstWeight' ? { weight: 0, exact: true } : undefined;
    }
    const entries = objectsIn(asObject(items[index])?.[this.shape.backendsKey]);
    return readPair(migration, this.itemLabel(migration, name, index), entries, this.shape.dialect(migration.namespace));
  }

  async finalize(migration: ProviderMigration, policy: FinalizePolicy): Promise<void> {
    if (policy === 'leaveAsIs') return;
    const name = configString(migration, this.shape.objectNameKey);
    // The shared object is not ours: if someone deleted it, there is no traffic left to restore.
    if ((await this.objects.get(migration.namespace, name)) === undefined) return;
    const dialect = this.shape.dialect(migration.namespace);
    await this.rewrite(migration, 'done', (where, entries) => legacyOnlyEntries(migration, where, entries, dialect));
  }

  /**
   * Replaces the backends of the migration's item, conditional on the item being the one we read.
   * A missing item is inserted carrying a weight (`{ insertWith }`), left missing (`'done'`: nothing
   * to restore), or reported (`'notFound'`: retried, and the next reconcile's ensureRoute inserts it).
   */
  private async rewrite(
    migration: ProviderMigration,
    whenMissing: WhenMissing,
    compute: (where: string, entries: readonly JsonObject[]) => JsonObject[],
  ): Promise<void> {
    const name = configString(migration, this.shape.objectNameKey);
    await readModifyWrite(migration, this.objects, name, (object): WriteAttempt => {
      const items = asArray(dig(object, ...this.shape.listField));
      const index = findItem(this.shape, items, migration);
      if (index < 0) {
        if (whenMissing === 'done') return { done: true };
        if (typeof whenMissing === 'object') return this.insert(migration, name, object, items, whenMissing.insertWith);
        throw new RouteNotFoundError(migration, `route for ${httpRoute(migration).pathPrefix} in ${this.label(migration, name)}`);
      }
      const where = this.itemLabel(migration, name, index);
      const item = asObject(items[index]) ?? {};
      const current = item[this.shape.backendsKey];
      if (!Array.isArray(current)) {
        throw new InvalidProviderConfigError(migration, `${where} matches ${httpRoute(migration).pathPrefix} but forwards nowhere (a redirect or direct response?)`);
      }
      const next = compute(where, objectsIn(current));
      if (jsonEqual(next, current)) return { done: true };
      const at = `/${this.shape.listField.join('/')}/${String(index)}`;
      return { write: [...this.pinItem(object, at, item), { op: 'replace', path: `${at}/${pointerToken(this.shape.backendsKey)}`, value: next }] };
    });
  }

  /** The migration's new item, already carrying `weight`, at its place in the list. */
  private insert(migration: ProviderMigration, name: string, object: JsonObject, items: readonly unknown[], weight: number): WriteAttempt {
    this.checkHost(migration, name, object);
    const [top, list] = this.shape.listField;
    const dialect = this.shape.dialect(migration.namespace);
    const where = 'new route';
    const legacyOnly = legacyOnlyEntries(migration, where, [], dialect);
    const item = { ...this.newItem(migration), [this.shape.backendsKey]: weight === 0 ? legacyOnly : weightedEntries(migration, where, legacyOnly, weight, dialect) };
    // Inserting shifts the indexes other writers pinned, so this one is conditional on the whole object.
    const write: JsonPatchOperation[] = [resourceVersionTest(object)];
    if (dig(object, top, list) === undefined) write.push({ op: 'add', path: `/${top}/${list}`, value: [item] });
    else write.push({ op: 'add', path: `/${top}/${list}/${String(this.shape.insertionIndex(items, httpRoute(migration).pathPrefix))}`, value: item });
    return { write };
  }

  /** Refuses an object that does not serve the migration's host (an empty host list serves all). */
  private checkHost(migration: ProviderMigration, name: string, object: JsonObject): void {
    const hosts = asArray(dig(object, ...this.shape.hostsField)).flatMap((host) => asString(host) ?? []);
    const { host } = httpRoute(migration);
    if (host !== undefined && !servesHost(hosts, host)) {
      throw new InvalidProviderConfigError(migration, `${this.label(migration, name)} does not serve host ${host} (it serves ${hosts.join(', ')})`);
    }
  }

  /**
   * Tests that make a write conditional on the item at `at` still being this one with these
   * backends: its name or its matches (identity) and its backends (what we recompute). Another
   * migration's write to another item passes these tests, so the two never wait on each other.
   * Values the server would encode differently fall back to the object's resourceVersion.
   */
  private pinItem(object: JsonObject, at: string, item: JsonObject): JsonPatchOperation[] {
    const key = item.name !== undefined ? 'name' : this.shape.matchKey;
    const identity = item[key];
    const backends = item[this.shape.backendsKey];
    if (identity === undefined || !testableValue(identity) || !testableValue(backends)) return [resourceVersionTest(object)];
    return [
      { op: 'test', path: `${at}/${pointerToken(key)}`, value: identity },
      { op: 'test', path: `${at}/${pointerToken(this.shape.backendsKey)}`, value: backends },
    ];
  }

  private label(migration: ProviderMigration, name: string): string {
    return `${this.shape.resource.kind} ${migration.namespace}/${name}`;
  }

  private itemLabel(migration: ProviderMigration, name: string, index: number): string {
    return `${this.shape.listField[1]}[${String(index)}] of ${this.label(migration, name)}`;
  }
}
