/**
 * The scheduler's KeyValueStore on a NATS KV bucket. The monolith and the notification service
 * open the same bucket with the same settings (Kvm.create opens an existing bucket as it is), so
 * the two sides share one lease and one fence and never both tick.
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { KeyValueStore, VersionedValue } from '../domain/index.js';

export const SCHEDULER_BUCKET = 'nova_scheduler';
/** Kept per key: the tick records' history lets a person (and the tests) see who ran which tick. */
export const SCHEDULER_HISTORY = 64;

/** JetStream's answers to a write whose expected last sequence did not hold (a lost compare-and-set). */
const WRONG_LAST_SEQUENCE = new Set([10071, 10164]);

/** Read by shape: errors of the NATS client can come from another realm (jest's VM), so not instanceof. */
export function isLostCompareAndSet(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && WRONG_LAST_SEQUENCE.has(code);
}

/** `replicas` (NOVA_NATS_REPLICAS) counts only when this call creates the bucket. */
export async function openSchedulerBucket(nc: NatsConnection, bucket = SCHEDULER_BUCKET, replicas = 1): Promise<KV> {
  return new Kvm(jetstream(nc)).create(bucket, { history: SCHEDULER_HISTORY, replicas, description: 'Nova: the notification scheduler\'s lease and tick records' });
}

export class NatsKvStore implements KeyValueStore {
  constructor(private readonly kv: KV) {}

  async get(key: string): Promise<VersionedValue | undefined> {
    const entry = await this.kv.get(key);
    if (entry?.operation !== 'PUT') return undefined;
    return { value: entry.string(), revision: entry.revision };
  }

  async create(key: string, value: string): Promise<number | undefined> {
    return this.casOrLost(() => this.kv.create(key, value));
  }

  async update(key: string, value: string, revision: number): Promise<number | undefined> {
    return this.casOrLost(() => this.kv.update(key, value, revision));
  }

  private async casOrLost(write: () => Promise<number>): Promise<number | undefined> {
    try {
      return await write();
    } catch (error) {
      if (isLostCompareAndSet(error)) return undefined;
      throw error;
    }
  }
}
