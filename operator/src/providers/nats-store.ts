/**
 * The operator's side of the routing buckets (contracts, routing.ts): one lazily opened NATS
 * connection, the weight records read with their revision, compare-and-set writes, and the
 * applied records of the fleet. Every NATS failure becomes DataPlaneUnavailableError; a lost
 * compare-and-set is reported as such, never retried blindly here.
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  APPLIED_TTL_MS,
  appliedFilter,
  encodeRoutingRecord,
  parseAppliedRecord,
  parseRoutingRecord,
  ROUTING_APPLIED_BUCKET,
  ROUTING_BUCKET,
  ROUTING_HISTORY,
  type AppliedRecord,
  type ContextName,
  type RoutingRecord,
} from '@nova/contracts';
import { DataPlaneUnavailableError } from './errors.js';

export interface NatsProviderOptions {
  /** NOVA_NATS_URL, split at commas. */
  readonly servers: readonly string[];
  /** How long setWeight waits for every live process to apply a weight. Default 10 s. */
  readonly applyTimeoutMs?: number;
  /** Bucket names (tests); the contract's by default. */
  readonly buckets?: { readonly routing?: string; readonly applied?: string };
  /** NOVA_NATS_REPLICAS: copies of each routing bucket when the operator creates it; default 1. */
  readonly replicas?: number;
}

interface MigrationId {
  readonly namespace: string;
  readonly name: string;
}

/** A context's key as stored: its revision and record (undefined when the value does not parse). */
export interface StoredWeight {
  readonly revision: number;
  readonly record: RoutingRecord | undefined;
}

/** JetStream's answers to a publish whose expected last sequence did not hold. */
const WRONG_LAST_SEQUENCE = new Set([10071, 10164]);

export function isLostCompareAndSet(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && WRONG_LAST_SEQUENCE.has(code);
}

export class NatsRoutingStore {
  private opened: Promise<{ nc: NatsConnection; routing: KV; applied: KV }> | undefined;

  constructor(private readonly options: NatsProviderOptions) {}

  get routingBucket(): string {
    return this.options.buckets?.routing ?? ROUTING_BUCKET;
  }

  /** The key of `context`, undefined when it was never written or was deleted. */
  async read(migration: MigrationId, context: ContextName): Promise<StoredWeight | undefined> {
    const { routing } = await this.open(migration);
    const entry = await this.call(migration, () => routing.get(context));
    if (entry === null || entry.operation !== 'PUT') return undefined;
    let record: RoutingRecord | undefined;
    try {
      record = parseRoutingRecord(entry.value);
    } catch {
      record = undefined;
    }
    return { revision: entry.revision, record };
  }

  /**
   * Writes `record` if the key is still at `expected` (undefined: absent). Resolves with the new
   * revision, or undefined when someone else wrote first (the caller reads again and decides again).
   */
  async compareAndSet(migration: MigrationId, context: ContextName, record: RoutingRecord, expected: StoredWeight | undefined): Promise<number | undefined> {
    const { routing } = await this.open(migration);
    const data = encodeRoutingRecord(record);
    try {
      return await (expected === undefined ? routing.create(context, data) : routing.update(context, data, expected.revision));
    } catch (error) {
      if (isLostCompareAndSet(error)) return undefined;
      throw new DataPlaneUnavailableError(migration, this.describe(), { cause: error });
    }
  }

  /** What every live process (one whose applied record is younger than the bucket's TTL) routes `context` by. */
  async applied(migration: MigrationId, context: ContextName): Promise<AppliedRecord[]> {
    const { applied } = await this.open(migration);
    return this.call(migration, async () => {
      const keys: string[] = [];
      for await (const key of await applied.keys(appliedFilter(context))) keys.push(key);
      // All at once: one record per live process, and a fleet of a hundred read one after another
      // made every confirmation of a weight wait for a hundred round trips.
      const entries = await Promise.all(keys.map((key) => applied.get(key)));
      const records: AppliedRecord[] = [];
      for (const entry of entries) {
        if (entry === null || entry.operation !== 'PUT') continue;
        try {
          records.push(parseAppliedRecord(entry.value));
        } catch {
          // A record no process of ours wrote: it routes nothing we know of.
        }
      }
      return records;
    });
  }

  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    if (opened === undefined) return;
    const { nc } = await opened.catch(() => ({ nc: undefined }));
    if (nc !== undefined && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }

  private describe(): string {
    return `NATS KV bucket ${this.routingBucket}`;
  }

  private async call<T>(migration: MigrationId, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new DataPlaneUnavailableError(migration, this.describe(), { cause: error });
    }
  }

  private open(migration: MigrationId): Promise<{ nc: NatsConnection; routing: KV; applied: KV }> {
    this.opened ??= (async () => {
      // Keep reconnecting for as long as the operator lives; until then, calls fail as unavailable.
      const nc = await connect({ servers: [...this.options.servers], name: 'nova-operator', maxReconnectAttempts: -1, reconnectTimeWait: 1_000 });
      try {
        const kvm = new Kvm(jetstream(nc));
        const replicas = this.options.replicas ?? 1;
        const routing = await kvm.create(this.routingBucket, { history: ROUTING_HISTORY, replicas, description: 'Nova: weight per bounded context (the nats traffic provider)' });
        const applied = await kvm.create(this.options.buckets?.applied ?? ROUTING_APPLIED_BUCKET, { history: 1, ttl: APPLIED_TTL_MS, replicas, description: 'Nova: the weight each process routes by' });
        return { nc, routing, applied };
      } catch (error) {
        await nc.close();
        throw error;
      }
    })();
    const opened = this.opened;
    // A failed start is not kept: the next reconcile connects again.
    opened.catch(() => { if (this.opened === opened) this.opened = undefined; });
    return this.call(migration, () => opened);
  }
}
