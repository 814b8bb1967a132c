/**
 * The single active scheduler: every replica runs one of these; the one holding the lease runs
 * the jobs' ticks, each tick claimed on the fence first. A replica that took over from a dead
 * holder runs the ticks the dead one never claimed (up to `maxCatchUp` per job), so a hand-over
 * loses none; a tick the dead holder claimed but did not finish is not run again (the jobs are
 * idempotent and resumable: the next tick picks up what is still due).
 */
import type { SchedulerLease } from './scheduler-lease.js';
import { tickIdAt } from './tick.js';
import type { TickFence } from './tick-fence.js';

export interface ScheduledJob {
  /** Names the job's tick record and metrics: `publish_due`, `subscriptions`. */
  readonly name: string;
  readonly intervalMs: number;
  /** Does the tick's work; answers how many items it handed on (posts, expired subscriptions). */
  run(tick: number): Promise<number>;
  /** This replica stopped being the active one (lease lost or given up): drop work armed beyond the ticks. */
  standDown?(): void;
}

/** What the scheduler reports, for metrics and logs (the wiring implements it). */
export interface SchedulerObserver {
  activeChanged(active: boolean): void;
  tickRan(job: string, tick: number, items: number): void;
  tickFailed(job: string, tick: number, error: unknown): void;
  ticksSkipped(job: string, count: number): void;
  leaseFailed(error: unknown): void;
}

export interface SchedulerOptions {
  readonly lease: SchedulerLease;
  readonly fence: TickFence;
  readonly jobs: readonly ScheduledJob[];
  readonly clock: () => Date;
  readonly observer: SchedulerObserver;
  readonly leaseTtlMs: number;
  /** Ticks a new holder runs to catch up per job; older missed ones are skipped (and counted). */
  readonly maxCatchUp?: number;
}

export const DEFAULT_MAX_CATCH_UP = 10;

export class Scheduler {
  private lastLeaseAttempt = Number.NEGATIVE_INFINITY;
  private active = false;
  private readonly running = new Map<string, Promise<void>>();
  /** The newest tick this replica knows claimed, per job: saves a store read per poll. */
  private readonly known = new Map<string, number>();

  constructor(private readonly options: SchedulerOptions) {}

  /**
   * One step of the scheduler: renews (or tries to take) the lease every third of its TTL, and
   * while holding it starts each job whose current tick is not claimed yet. Called by a timer.
   */
  async poll(): Promise<void> {
    const now = this.options.clock().getTime();
    if (now - this.lastLeaseAttempt >= this.options.leaseTtlMs / 3 || !this.active) {
      this.lastLeaseAttempt = now;
      let holding = false;
      try {
        holding = await this.options.lease.tryHold();
      } catch (error) {
        this.options.observer.leaseFailed(error);
      }
      if (holding !== this.active) {
        this.active = holding;
        this.options.observer.activeChanged(holding);
        if (!holding) this.standDown();
        // A replica that held the lease before may be behind what others claimed since.
        if (holding) this.known.clear();
      }
    }
    if (!this.active) return;
    for (const job of this.options.jobs) {
      if (this.running.has(job.name)) continue;
      const current = tickIdAt(this.options.clock(), job.intervalMs);
      if ((this.known.get(job.name) ?? Number.NEGATIVE_INFINITY) >= current) continue;
      const run = this.runDueTicks(job, current).finally(() => this.running.delete(job.name));
      this.running.set(job.name, run);
    }
  }

  /** Waits for the ticks in flight (at a stop). */
  async idle(): Promise<void> {
    await Promise.all(this.running.values());
  }

  /** Gives the lease up (graceful stop): another replica takes over at once. */
  async release(): Promise<void> {
    this.active = false;
    this.standDown();
    await this.options.lease.release();
  }

  private standDown(): void {
    for (const job of this.options.jobs) job.standDown?.();
  }

  get isActive(): boolean {
    return this.active;
  }

  private async runDueTicks(job: ScheduledJob, current: number): Promise<void> {
    const maxCatchUp = this.options.maxCatchUp ?? DEFAULT_MAX_CATCH_UP;
    let first = current;
    try {
      const last = await this.options.fence.lastTick(job.name);
      if (last !== undefined) {
        first = Math.max(last + 1, current - maxCatchUp + 1);
        if (first > last + 1) this.options.observer.ticksSkipped(job.name, first - last - 1);
      }
      for (let tick = first; tick <= current; tick++) {
        if (!this.active) return;
        if (!(await this.options.fence.claim(job.name, tick))) {
          // Someone else claimed it (or a later one): they are ahead of us, stop here.
          this.known.set(job.name, current);
          return;
        }
        this.known.set(job.name, tick);
        try {
          this.options.observer.tickRan(job.name, tick, await job.run(tick));
        } catch (error) {
          // The tick stays claimed: its work is retried by the next tick, never run twice.
          this.options.observer.tickFailed(job.name, tick, error);
        }
      }
    } catch (error) {
      this.options.observer.tickFailed(job.name, first, error);
    }
  }
}
