/**
 * The port the scheduler keeps its lease and tick records in: a key-value store with
 * compare-and-set on a revision (NATS KV in the wiring). The domain needs nothing else from it.
 */
export interface VersionedValue {
  readonly value: string;
  /** Changes on every write of the key; what a compare-and-set compares. */
  readonly revision: number;
}

export interface KeyValueStore {
  /** The key's latest value, undefined when it was never written (or deleted). */
  get(key: string): Promise<VersionedValue | undefined>;
  /** Writes a key that must not exist yet: its new revision, or undefined when someone wrote it first. */
  create(key: string, value: string): Promise<number | undefined>;
  /** Writes a key only if `revision` is still its latest: the new revision, or undefined when the set lost. */
  update(key: string, value: string, revision: number): Promise<number | undefined>;
}

/** A stored record the scheduler cannot read: never guessed over (it would break the fence). */
export class SchedulerRecordError extends Error {
  override readonly name = 'SchedulerRecordError';
  constructor(readonly key: string, readonly reason: string) {
    super(`scheduler record ${key} is unreadable: ${reason}`);
  }
}

/** Parses a JSON record of the store, failing with the key in the error. */
export function parseRecord<T>(key: string, text: string, isValid: (value: unknown) => value is T): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SchedulerRecordError(key, 'not JSON');
  }
  if (!isValid(parsed)) throw new SchedulerRecordError(key, 'unexpected shape');
  return parsed;
}
