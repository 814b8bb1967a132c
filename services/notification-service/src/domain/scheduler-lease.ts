/**
 * Which replica runs the ticks: a lease in the key-value store, taken and renewed with
 * compare-and-set. The lease only keeps replicas from all trying every tick; it is not what
 * makes a tick run once (a holder paused past its lease, or a reader whose clock runs ahead,
 * may both think they hold it for a moment). The tick fence (tick-fence.ts) is.
 */
import { parseRecord, type KeyValueStore } from './key-value-store.js';

export const LEASE_KEY = 'lease.scheduler';

/** The lease's key; `scope` names one side's own lease during the canary (`lease.scheduler.target`). */
export function leaseKey(scope?: string): string {
  return scope === undefined ? LEASE_KEY : `${LEASE_KEY}.${scope}`;
}

export interface LeaseRecord {
  readonly holder: string;
  /** Until when (ms since the epoch, by the holder's clock) no one else may take it. */
  readonly until: number;
}

function isLeaseRecord(value: unknown): value is LeaseRecord {
  return typeof value === 'object' && value !== null && typeof (value as LeaseRecord).holder === 'string' && typeof (value as LeaseRecord).until === 'number';
}

export interface SchedulerLeaseOptions {
  readonly store: KeyValueStore;
  /** This replica's name, unique among the replicas (pod name and a random part). */
  readonly holder: string;
  readonly ttlMs: number;
  readonly clock: () => Date;
  readonly key?: string;
}

export class SchedulerLease {
  private held = false;
  private readonly key: string;

  constructor(private readonly options: SchedulerLeaseOptions) {
    this.key = options.key ?? LEASE_KEY;
  }

  /** Whether the last tryHold() took or renewed the lease. */
  get holding(): boolean {
    return this.held;
  }

  /**
   * Takes the lease when free or expired, renews it when ours. Answers whether we hold it now.
   * A lost compare-and-set means another replica wrote first: it holds the lease, we do not.
   */
  async tryHold(): Promise<boolean> {
    const now = this.options.clock().getTime();
    const value = JSON.stringify({ holder: this.options.holder, until: now + this.options.ttlMs } satisfies LeaseRecord);
    const current = await this.options.store.get(this.key);
    let revision: number | undefined;
    if (current === undefined) {
      revision = await this.options.store.create(this.key, value);
    } else {
      const lease = parseRecord(this.key, current.value, isLeaseRecord);
      if (lease.holder !== this.options.holder && lease.until > now) {
        this.held = false;
        return false;
      }
      revision = await this.options.store.update(this.key, value, current.revision);
    }
    this.held = revision !== undefined;
    return this.held;
  }

  /** Gives the lease up at a graceful stop, so another replica takes over at once, not after the TTL. */
  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    const current = await this.options.store.get(this.key);
    if (current === undefined) return;
    const lease = parseRecord(this.key, current.value, isLeaseRecord);
    if (lease.holder !== this.options.holder) return;
    await this.options.store.update(this.key, JSON.stringify({ holder: this.options.holder, until: 0 } satisfies LeaseRecord), current.revision);
  }
}
