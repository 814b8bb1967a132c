/**
 * Reads from an informer's cache, but never a version older than this process's own last write.
 *
 * A cache lags the apiserver by the time a watch event takes to arrive. Against other writers
 * that lag is what every controller lives with: their change arrives as an event and enqueues a
 * reconcile. Against our own writes it would be worse: a reconcile right after one of ours would
 * see the world from before it, and conclude from it (a weight "already" written, a status still
 * to be written, a conflict). So every write of ours goes through `track`: while it is in flight,
 * and after it until the informer has delivered the version it returned, `get` answers undefined
 * and the caller reads from the apiserver instead. The watch delivers the versions of an object in
 * order, so once ours (or a newer one) was delivered the cache is at least as new. Versions are
 * ordered as KEP-5504 allows (stable since Kubernetes v1.35), not only matched: a version we wait
 * for may never be delivered as such. A write that changed nothing answers with the version the
 * cache already holds and produces no event; a relist after a 410 delivers only the newest
 * version. Matched for equality alone, either left reads pinned to our old answer for good: a
 * migration deleted after such a write would never be seen as deleted (cached-reader.test.ts).
 *
 * What a cached read may still be behind is someone else's write; callers keep the preconditions
 * on their writes (resourceVersion or JSON-patch `test`s), so such a read can only cost a refused
 * write and a retry from a fresh read, never a write computed from the wrong version. A write
 * that throws is taken as not applied; one that timed out after applying leaves the cache behind
 * it the way another writer's change would, under the same preconditions.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { isAtLeast } from './resource-version.js';

/** What a CachedReader needs of an informer (ResilientInformer has it). */
export interface CacheSource<T extends KubernetesObject> {
  get(namespace: string | undefined, name: string): T | undefined;
  on(event: 'add' | 'update' | 'delete', handler: (object: T) => void): void;
  hasSynced(): boolean;
}

interface OwnWrites<T> {
  /** Writes sent and not answered yet. */
  inFlight: number;
  /** Versions the informer delivered while writes were in flight: an answer may come after its own event. */
  readonly seenMeanwhile: Set<string>;
  /** The versions our answered writes returned, each until the informer delivers it. */
  readonly awaited: Set<string>;
  /**
   * The object our last answered write returned, when the caller gave it (`track`'s `objectOf`)
   * and it is the only version awaited: answers can arrive out of order, so with two awaited
   * nobody can tell which is newer (resourceVersions are opaque) and reads go to the apiserver.
   */
  returned: T | undefined;
}

export class CachedReader<T extends KubernetesObject> {
  private readonly own = new Map<string, OwnWrites<T>>();
  /** Reads answered from the cache and reads left to the apiserver, for the benchmark. */
  readonly stats = { cached: 0, uncached: 0 };

  constructor(private readonly source: CacheSource<T>) {
    const seen = (object: T): void => {
      const key = keyOf(object.metadata?.namespace, object.metadata?.name ?? '');
      const entry = this.own.get(key);
      const version = object.metadata?.resourceVersion;
      if (entry === undefined || version === undefined) return;
      if (entry.inFlight > 0) entry.seenMeanwhile.add(version);
      let caughtUp = false;
      for (const awaited of entry.awaited) {
        if (isAtLeast(version, awaited)) caughtUp = entry.awaited.delete(awaited) || caughtUp;
      }
      if (caughtUp && entry.awaited.size === 0) entry.returned = undefined;
      this.prune(key, entry);
    };
    source.on('add', seen);
    source.on('update', seen);
    source.on('delete', (object) => {
      const key = keyOf(object.metadata?.namespace, object.metadata?.name ?? '');
      const entry = this.own.get(key);
      // Nothing newer than a deletion will be delivered: stop waiting for a version.
      if (entry === undefined) return;
      entry.awaited.clear();
      entry.returned = undefined;
      this.prune(key, entry);
    });
  }

  /**
   * The cached object, or undefined when the cache cannot be trusted with it: not synced yet, one
   * of our writes to it still in flight or not yet delivered back, or not in the cache at all (a
   * miss is rare and may be lag: the caller reads from the apiserver to tell).
   * Between our write's answer and its event, the object that write returned (when `track` was
   * given one). The object is shared: callers must not modify it.
   */
  get(namespace: string | undefined, name: string): T | undefined {
    const entry = this.own.get(keyOf(namespace, name));
    let object: T | undefined;
    if (entry === undefined) object = this.source.hasSynced() ? this.source.get(namespace, name) : undefined;
    // What our own last write returned is the object as stored then: as new as the cache will be
    // once it delivers that version, and behind a later writer only the way the cache may be.
    else if (entry.inFlight === 0) object = entry.returned;
    if (object === undefined) this.stats.uncached++;
    else this.stats.cached++;
    return object;
  }

  /**
   * Runs `write` (a write of the object `namespace/name`) and remembers the version it returned
   * (`versionOf`), and the object itself when `objectOf` gives it: reads answer with it until the
   * informer delivers that version.
   */
  async track<R>(namespace: string | undefined, name: string, write: () => Promise<R>, versionOf: (result: R) => string | undefined, objectOf?: (result: R) => T | undefined): Promise<R> {
    const key = keyOf(namespace, name);
    let entry = this.own.get(key);
    if (entry === undefined) {
      entry = { inFlight: 0, seenMeanwhile: new Set(), awaited: new Set(), returned: undefined };
      this.own.set(key, entry);
    }
    entry.inFlight++;
    try {
      const result = await write();
      const version = versionOf(result);
      // Already delivered (while the answer was on its way, or before the write when it changed
      // nothing): nothing to wait for.
      if (version !== undefined && !entry.seenMeanwhile.has(version) && !this.delivered(namespace, name, version)) {
        // Another answered write still awaited: which of the two is newer is unknown, so neither
        // answers reads until every awaited version was delivered.
        entry.returned = entry.awaited.size === 0 ? objectOf?.(result) : undefined;
        entry.awaited.add(version);
      }
      return result;
    } finally {
      entry.inFlight--;
      if (entry.inFlight === 0) entry.seenMeanwhile.clear();
      this.prune(key, entry);
    }
  }

  /** True when the informer's cache already holds `version` of the object, or a newer one. */
  private delivered(namespace: string | undefined, name: string, version: string): boolean {
    const cached = this.source.get(namespace, name)?.metadata?.resourceVersion;
    return cached !== undefined && isAtLeast(cached, version);
  }

  private prune(key: string, entry: OwnWrites<T>): void {
    if (entry.inFlight === 0 && entry.awaited.size === 0) this.own.delete(key);
  }
}

function keyOf(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}
