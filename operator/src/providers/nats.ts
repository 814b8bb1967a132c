/**
 * The `nats` provider (Decided 11): what has no HTTP route is strangled on the bus. The weight of
 * one bounded context lives in the NATS KV bucket `nova_routing` (key = context); every process of
 * the fleet watches it and routes each chat by it (packages/bus, KvRouter), and writes what it
 * applied into `nova_routing_applied`.
 *
 * Writes are safe against a stale writer in two ways:
 *  - compare-and-set on the key's revision: a write based on a read that is no longer current is
 *    refused by JetStream, and this provider reads again and decides again;
 *  - a fence: the record carries the migration's status.weightFence, which grows in the same
 *    status write that changes the desired weight. A process holding an older status (a leader
 *    that lost its Lease, a second operator) has a lower fence than the stored record, so its
 *    write is refused (StaleWeightWriteError) even when it read the newest revision just now —
 *    which the revision alone cannot stop (e.g. drift correction by a stale leader).
 * A key belongs to one migration (its uid) until that migration's finalizer releases it.
 *
 * setWeight returns only once every live process applied the weight (or throws
 * WeightNotAppliedError to be retried), and readWeight is exact only then: the engine's confirmed
 * status.weight means the fleet routes at it.
 */
import { isContextName, type ContextName, type RoutingRecord } from '@nova/contracts';
import { InvalidProviderConfigError, ProviderSetupError, RouteConflictError, RouteNotFoundError, WeightNotAppliedError } from './errors.js';
import { awaitFleet, missingTargetHandler, readFleet } from './nats-fleet.js';
import { NatsRoutingStore, type NatsProviderOptions, type StoredWeight } from './nats-store.js';
import { checkWeight, type FinalizePolicy, type ProviderMigration, type TrafficProvider, type WeightReading } from './provider.js';
import type { ProviderContext } from './registry.js';

export type { NatsProviderOptions } from './nats-store.js';

const WRITE_ATTEMPTS = 5;
const DEFAULT_APPLY_TIMEOUT_MS = 10_000;

/** A write refused because the stored weight was written with a higher fence: this writer is stale. */
export class StaleWeightWriteError extends RouteConflictError {
  constructor(migration: ProviderMigration, object: string, readonly storedFence: number, readonly fence: number) {
    super(migration, object, 1);
    this.message = `migration ${migration.namespace}/${migration.name}: ${object} holds a weight written with fence ${String(storedFence)}, newer than this write's ${String(fence)} (a stale leader or a second operator); nothing written`;
  }
}

/** The key belongs to another migration (or this one released it when it was deleted). */
export class ContextOwnedError extends RouteConflictError {
  constructor(migration: ProviderMigration, object: string, readonly owner: RoutingRecord['owner'], readonly released: boolean) {
    super(migration, object, 1);
    this.message = released
      ? `migration ${migration.namespace}/${migration.name}: ${object} was released by this migration's finalizer; nothing written`
      : `migration ${migration.namespace}/${migration.name}: ${object} belongs to migration ${owner.namespace}/${owner.name} (uid ${owner.uid}); one migration per context at a time`;
  }
}

/** What to write given what is stored; undefined: nothing to write. */
type Decide = (stored: StoredWeight | undefined) => RoutingRecord | undefined;

class NatsProvider implements TrafficProvider {
  readonly kind = 'nats';
  private readonly store: NatsRoutingStore;
  private readonly applyTimeoutMs: number;

  constructor(options: NatsProviderOptions) {
    this.store = new NatsRoutingStore(options);
    this.applyTimeoutMs = options.applyTimeoutMs ?? DEFAULT_APPLY_TIMEOUT_MS;
  }

  async ensureRoute(migration: ProviderMigration): Promise<void> {
    const context = contextOf(migration);
    await this.write(migration, context, (stored) => {
      if (stored?.record === undefined) return record(migration, 0);
      const { owner, released, weight } = stored.record;
      if (owner.uid === migration.uid) {
        if (released) throw new ContextOwnedError(migration, this.object(context), owner, true);
        return undefined;
      }
      if (!released) throw new ContextOwnedError(migration, this.object(context), owner, false);
      // A released key is claimed as it stands: the weight the previous migration left.
      return record(migration, weight);
    });
  }

  async setWeight(migration: ProviderMigration, weight: number): Promise<void> {
    checkWeight(migration, weight);
    const context = contextOf(migration);
    const revision = await this.write(migration, context, (stored) => {
      if (stored === undefined) throw new RouteNotFoundError(migration, this.object(context));
      if (stored.record !== undefined) {
        this.checkOwned(migration, context, stored.record);
        if (fenceOf(migration) < stored.record.fence) throw new StaleWeightWriteError(migration, this.object(context), stored.record.fence, fenceOf(migration));
        if (stored.record.weight === weight && stored.record.fence === fenceOf(migration)) return undefined;
      }
      return record(migration, weight);
    });
    await this.confirm(migration, context, weight, revision);
  }

  async targetProblem(migration: ProviderMigration): Promise<string | undefined> {
    const context = contextOf(migration);
    return missingTargetHandler(await this.store.applied(migration, context), context);
  }

  async readWeight(migration: ProviderMigration): Promise<WeightReading | undefined> {
    const context = contextOf(migration);
    const stored = await this.store.read(migration, context);
    if (stored === undefined) return undefined;
    if (stored.record === undefined || stored.record.owner.uid !== migration.uid) return { weight: stored.record?.weight ?? 0, exact: false };
    const fleet = await readFleet(this.store, migration, context, stored.revision);
    // Part of the fleet still routes by another weight: not the split the operator wrote, yet.
    return fleet.applied ? { weight: stored.record.weight, exact: true } : { weight: fleet.laggingWeight ?? stored.record.weight, exact: false };
  }

  async finalize(migration: ProviderMigration, policy: FinalizePolicy): Promise<void> {
    const context = contextOf(migration);
    let target: number | undefined;
    const revision = await this.write(migration, context, (stored) => {
      // Nothing of ours to clean up: never created, unreadable, or another migration's.
      if (stored?.record === undefined || stored.record.owner.uid !== migration.uid) return undefined;
      const weight = policy === 'restoreLegacy' ? 0 : stored.record.weight;
      target = weight;
      if (stored.record.released && stored.record.weight === weight) return undefined;
      // Released: this migration's writers (a stale leader included) can never write the key again.
      return { ...stored.record, weight, fence: Math.max(stored.record.fence, fenceOf(migration)), released: true, writtenAt: new Date().toISOString() };
    });
    if (target !== undefined && policy === 'restoreLegacy') await this.confirm(migration, context, target, revision);
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  private checkOwned(migration: ProviderMigration, context: ContextName, stored: RoutingRecord): void {
    if (stored.owner.uid !== migration.uid || stored.released) throw new ContextOwnedError(migration, this.object(context), stored.owner, stored.released);
  }

  /**
   * Reads, decides, compare-and-sets; again when someone wrote in between (the decision is made
   * afresh on what they wrote, fence included). Resolves with the key's revision afterwards.
   */
  private async write(migration: ProviderMigration, context: ContextName, decide: Decide): Promise<number | undefined> {
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
      const stored = await this.store.read(migration, context);
      const next = decide(stored);
      if (next === undefined) return stored?.revision;
      const revision = await this.store.compareAndSet(migration, context, next, stored);
      if (revision !== undefined) return revision;
    }
    throw new RouteConflictError(migration, this.object(context), WRITE_ATTEMPTS);
  }

  /** Waits for the fleet to route by `revision`; WeightNotAppliedError (retried) when it does not in time. */
  private async confirm(migration: ProviderMigration, context: ContextName, weight: number, revision: number | undefined): Promise<void> {
    if (revision === undefined) return;
    const fleet = await awaitFleet(this.store, migration, context, revision, this.applyTimeoutMs);
    // Someone wrote after us (another operator): our weight is not what the fleet routes by.
    if (fleet.superseded) throw new RouteConflictError(migration, this.object(context), 1);
    if (!fleet.applied) throw new WeightNotAppliedError(migration, weight, fleet.lagging, this.applyTimeoutMs);
  }

  private object(context: ContextName): string {
    return `key ${context} of NATS KV bucket ${this.store.routingBucket}`;
  }
}

function contextOf(migration: ProviderMigration): ContextName {
  const context = migration.config.context;
  if (typeof context !== 'string' || !isContextName(context)) {
    throw new InvalidProviderConfigError(migration, `trafficProvider.nats.context must be one of user, bot, publisher, payment, notification; got ${context === undefined ? 'nothing' : JSON.stringify(context)}`);
  }
  return context;
}

function fenceOf(migration: ProviderMigration): number {
  return migration.fence ?? 0;
}

function record(migration: ProviderMigration, weight: number): RoutingRecord {
  return {
    weight,
    fence: fenceOf(migration),
    owner: { namespace: migration.namespace, name: migration.name, uid: migration.uid },
    released: false,
    writtenAt: new Date().toISOString(),
  };
}

export function createNatsProvider(context: ProviderContext): TrafficProvider {
  const options = context.nats;
  if (options === undefined || options.servers.length === 0) throw new ProviderSetupError('nats', 'this operator runs without NATS (set NOVA_NATS_URL)');
  return new NatsProvider(options);
}
