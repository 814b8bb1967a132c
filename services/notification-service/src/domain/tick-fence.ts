/**
 * The fence that makes each tick run at most once, across replicas, lease hand-overs and clock
 * skew: before running tick N of a job, a replica moves the job's record from its last tick to N
 * with compare-and-set. Only one writer can move it from a given revision, and the record only
 * moves forward, so a replica whose clock runs behind (it computes an older N) or a stale lease
 * holder finds N already taken and skips it.
 */
import { parseRecord, type KeyValueStore } from './key-value-store.js';

export interface TickRecord {
  readonly tick: number;
  readonly holder: string;
  /** When it was claimed (ms, by the claimer's clock); for people reading the bucket. */
  readonly at: number;
}

function isTickRecord(value: unknown): value is TickRecord {
  return typeof value === 'object' && value !== null && typeof (value as TickRecord).tick === 'number' && typeof (value as TickRecord).holder === 'string';
}

/** The job's record; `scope` names one side's own fence during the canary (`tick.publish_due.legacy`). */
export function tickKey(job: string, scope?: string): string {
  return scope === undefined ? `tick.${job}` : `tick.${job}.${scope}`;
}

export class TickFence {
  constructor(
    private readonly store: KeyValueStore,
    private readonly holder: string,
    private readonly clock: () => Date,
    /** Set when each side of the canary ticks on its own (the side): the records are then per side. */
    private readonly scope?: string,
  ) {}

  /** The job's last claimed tick, undefined before its first. */
  async lastTick(job: string): Promise<number | undefined> {
    const key = tickKey(job, this.scope);
    const current = await this.store.get(key);
    return current === undefined ? undefined : parseRecord(key, current.value, isTickRecord).tick;
  }

  /** Claims tick `tick` of `job`: true when this replica must run it, false when it was claimed (or passed) already. */
  async claim(job: string, tick: number): Promise<boolean> {
    const key = tickKey(job, this.scope);
    const value = JSON.stringify({ tick, holder: this.holder, at: this.clock().getTime() } satisfies TickRecord);
    const current = await this.store.get(key);
    if (current === undefined) return (await this.store.create(key, value)) !== undefined;
    if (parseRecord(key, current.value, isTickRecord).tick >= tick) return false;
    return (await this.store.update(key, value, current.revision)) !== undefined;
  }
}
