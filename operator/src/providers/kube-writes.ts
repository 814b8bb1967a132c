/**
 * Reads and conflict-safe writes of shared route objects (VirtualService, HTTPRoute), common to
 * the Kubernetes providers.
 *
 * Every write is a JSON patch (RFC 6902) that starts with `test` operations pinning exactly what
 * the change was computed from: the identity of the migration's own list item, and its current
 * destinations. The apiserver applies the patch atomically to the latest stored object and
 * answers 422 when a test fails; we then read again, recompute and retry. So a concurrent writer
 * (another migration on another path, a person, Helm) never gets clobbered, and two migrations on
 * two routes of one object do not even conflict: their tests and writes touch different items.
 */
import { ApiException, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataPlaneRejectedError, RouteConflictError, RouteNotFoundError } from './errors.js';
import { asArray, asObject, asString, type JsonObject } from './json.js';
import { migrationKey, type ProviderMigration } from './provider.js';
import type { CachedReader } from '../kube/cached-reader.js';

export type JsonPatchOperation =
  | { readonly op: 'test' | 'add' | 'replace'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string };

/** The apiserver's Status for a failed call, when the error is an HTTP answer at all. */
export interface ApiFailure {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
  /** True when the server named fields it found invalid (schema / CEL validation). */
  readonly fieldCauses: boolean;
}

export function apiFailure(error: unknown): ApiFailure | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const code = (error as ApiException<unknown>).code;
  const rawBody: unknown = (error as ApiException<unknown>).body;
  let status: JsonObject | undefined = asObject(rawBody);
  if (status === undefined && typeof rawBody === 'string') {
    try {
      status = asObject(JSON.parse(rawBody));
    } catch {
      status = undefined;
    }
  }
  const causes = asArray(asObject(status?.details)?.causes);
  return {
    code,
    reason: asString(status?.reason) ?? '',
    message: asString(status?.message) ?? (typeof rawBody === 'string' ? rawBody : `HTTP ${code}`),
    fieldCauses: causes.some((cause) => asString(asObject(cause)?.field) !== undefined),
  };
}

/**
 * A JSON patch `test` that failed, or a resourceVersion precondition: the object changed since we
 * read it. The apiserver reports failed tests as 422 without field causes, unlike validation.
 */
export function isStaleWrite(error: unknown): boolean {
  const failure = apiFailure(error);
  return failure !== undefined && (failure.code === 409 || (failure.code === 422 && !failure.fieldCauses));
}

/** Turns apiserver refusals into the provider's typed errors; anything else (network, 5xx, 403) is rethrown. */
export function translateApiError(migration: ProviderMigration, object: string, error: unknown): Error {
  const failure = apiFailure(error);
  if (failure === undefined) return error instanceof Error ? error : new Error(String(error));
  if (failure.code === 404) return new RouteNotFoundError(migration, object, { cause: error });
  if (failure.code === 400 || failure.code === 422) {
    return new DataPlaneRejectedError(migration, object, failure.message, { cause: error });
  }
  return new Error(`migration ${migrationKey(migration)}: ${object}: HTTP ${failure.code} ${failure.reason}: ${failure.message}`, {
    cause: error,
  });
}

/**
 * The apiserver compares `test` values with the stored JSON byte for byte for strings, and Go
 * escapes <, > and & (and U+2028/2029) where JSON.stringify does not. Such values would fail the
 * test forever, so callers pin those items with the object's resourceVersion instead.
 */
export function testableValue(value: unknown): boolean {
  return !/[<>&\u2028\u2029]/u.test(JSON.stringify(value));
}

/** The operator's informer cache of one route kind. */
export type RouteCache = CachedReader<KubernetesObject>;

export interface CustomResource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
}

/**
 * Namespaced custom objects of one kind, read and JSON-patched with the operator's field manager.
 * With a `cache` (the operator's informer of that kind), `read` answers from it when it holds at
 * least this process's own last write (see cached-reader.ts), and every patch is tracked for that.
 */
export class CustomObjects {
  private readonly api: CustomObjectsApi;

  constructor(
    kubeConfig: KubeConfig,
    readonly resource: CustomResource,
    private readonly fieldManager: string,
    private readonly cache?: RouteCache,
  ) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /** The object from the cache when it can be trusted, else from the apiserver; undefined when it does not exist. */
  async read(namespace: string, name: string): Promise<JsonObject | undefined> {
    const cached = this.cache?.get(namespace, name);
    return cached === undefined ? this.get(namespace, name) : asObject(cached);
  }

  describe(namespace: string, name: string): string {
    return `${this.resource.kind} ${namespace}/${name}`;
  }

  /** The object, or undefined when it does not exist. */
  async get(namespace: string, name: string): Promise<JsonObject | undefined> {
    const { group, version, plural } = this.resource;
    try {
      const object: unknown = await this.api.getNamespacedCustomObject({ group, version, namespace, plural, name });
      return asObject(object);
    } catch (error) {
      if (apiFailure(error)?.code === 404) return undefined;
      throw error;
    }
  }

  async jsonPatch(namespace: string, name: string, operations: readonly JsonPatchOperation[]): Promise<void> {
    const { group, version, plural } = this.resource;
    const patch = async (): Promise<unknown> =>
      this.api.patchNamespacedCustomObject(
        { group, version, namespace, plural, name, body: operations, fieldManager: this.fieldManager },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
    if (this.cache === undefined) await patch();
    else await this.cache.track(namespace, name, patch, (stored) => asString(asObject(asObject(stored)?.metadata)?.resourceVersion), (stored) => asObject(stored) as KubernetesObject | undefined);
  }
}

/** What one attempt of a read-compute-write loop decided. */
export type WriteAttempt = { readonly write: readonly JsonPatchOperation[] } | { readonly done: true };

/**
 * Reads the object, lets `plan` compute a patch from it (or decide nothing is to be written), and
 * writes it; retries from a fresh read while the write is stale. Gives up with
 * RouteConflictError after `attempts` stale writes, having written nothing. The first read may
 * come from the cache (`CustomObjects.read`): the patch's tests pin what it was computed from, so
 * a read behind another writer's change is refused by the apiserver, and the retries read from it.
 */
export async function readModifyWrite(
  migration: ProviderMigration,
  objects: CustomObjects,
  name: string,
  plan: (object: JsonObject) => WriteAttempt,
  attempts = 10,
): Promise<void> {
  const label = objects.describe(migration.namespace, name);
  for (let attempt = 1; ; attempt++) {
    const object = attempt === 1 ? await objects.read(migration.namespace, name) : await objects.get(migration.namespace, name);
    if (object === undefined) throw new RouteNotFoundError(migration, label);
    let decision: WriteAttempt;
    try {
      decision = plan(object);
    } catch (error) {
      // A cached object may lag another writer (the route inserted a moment ago): only the
      // apiserver's copy may make a plan fail (route not found, host not served).
      if (attempt !== 1) throw error;
      continue;
    }
    if ('done' in decision) return;
    try {
      await objects.jsonPatch(migration.namespace, name, decision.write);
      return;
    } catch (error) {
      if (!isStaleWrite(error)) throw translateApiError(migration, label, error);
      if (attempt >= attempts) throw new RouteConflictError(migration, label, attempts, { cause: error });
      // Jittered, growing pause so writers contending on one object spread out instead of colliding again.
      await sleep(Math.random() * 20 * attempt);
    }
  }
}

/** `test` of the object's resourceVersion: the coarse precondition, for structural edits. */
export function resourceVersionTest(object: JsonObject): JsonPatchOperation {
  return { op: 'test', path: '/metadata/resourceVersion', value: asString(asObject(object.metadata)?.resourceVersion) ?? '' };
}
