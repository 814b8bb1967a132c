/**
 * A KeyValueStore inside one process, with the same compare-and-set rules as NATS KV. For a
 * monolith running without NATS (the legacy bot before stage 1): there its lease only orders the
 * process's own scheduler, and replicas of such a monolith do not exclude each other.
 */
import type { KeyValueStore, VersionedValue } from './key-value-store.js';

export class InMemoryKeyValueStore implements KeyValueStore {
  private readonly values = new Map<string, VersionedValue>();
  private revision = 0;

  get(key: string): Promise<VersionedValue | undefined> {
    return Promise.resolve(this.values.get(key));
  }

  create(key: string, value: string): Promise<number | undefined> {
    if (this.values.has(key)) return Promise.resolve(undefined);
    return Promise.resolve(this.write(key, value));
  }

  update(key: string, value: string, revision: number): Promise<number | undefined> {
    if (this.values.get(key)?.revision !== revision) return Promise.resolve(undefined);
    return Promise.resolve(this.write(key, value));
  }

  private write(key: string, value: string): number {
    this.revision += 1;
    this.values.set(key, { value, revision: this.revision });
    return this.revision;
  }
}
