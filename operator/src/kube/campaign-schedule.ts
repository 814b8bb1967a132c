/**
 * When a replica that does not lead tries for the Lease next (the campaign of leader-election.ts).
 *
 * client-go tries every retryPeriod × (1 + random × 1.2) and at no other moment. After a leader's
 * SIGKILL its standby therefore took the Lease up to two jittered periods after it ran out: it
 * counts the lease from when IT saw the last renewal (its next try after the renewal, up to 4.4 s
 * later at the defaults), and takes it at its first try after that count ran out (up to 4.4 s
 * more): 15.5–20 s at a 15 s lease (docs/chaos.md).
 *
 * Here a replica also tries AT the moment the Lease it last saw becomes takeable: a lease duration
 * (the one the Lease states) plus TAKEOVER_MARGIN_MS after it saw the Lease change, or at once
 * when it saw it free (released: an empty holder) or its own. The elector's watch of the Lease
 * (lease-watch.ts) reports every renewal within milliseconds, so that moment is the dead leader's
 * last renewal + the lease duration: the failover is the lease duration less the time between
 * that renewal and the kill.
 *
 * Everything else stays client-go's jittered period: the first campaign, where candidates race for
 * a free Lease and the jitter spreads them; every try after one that did not win (the
 * resourceVersion precondition let another candidate win, or a request failed), so a takeover
 * moment is tried once and never becomes a loop; and every try while the watch is down, when the
 * tries' own reads are the only sightings (the old timing, never a stuck campaign).
 *
 * A takeover moment is only a reason to try. Whether the Lease may be taken is decided by the
 * attempt on a fresh read, by client-go's rules, unchanged (leader-election.ts's header).
 */
import type { Clock, TimerHandle } from '../runtime/clock.js';

/**
 * Tries land this long after the computed expiry: Node's timers may fire a millisecond before
 * Date.now() shows their due time, and a try that finds the Lease a millisecond short of expired
 * is a wasted read (it is tried again at the same moment, which still lies ahead of it).
 */
export const TAKEOVER_MARGIN_MS = 5;

/** client-go's JitterFactor for the retry period. */
export const JITTER_FACTOR = 1.2;

/** The Lease as this replica last saw it. */
export interface LeaseSighting {
  /** '' when nobody holds it (released, or deleted). */
  readonly holder: string;
  /** This replica's clock when it saw the Lease last change (the elector's `observedAt`). */
  readonly changedAt: number;
  /** The lease duration the Lease itself states (its holder's). */
  readonly durationMs: number;
}

export interface CampaignScheduleOptions {
  readonly clock: Clock;
  /** This replica's identity: a Lease it holds itself is takeable at once. */
  readonly identity: string;
  readonly retryPeriodMs: number;
  /** In [0, 1): the jitter's draw. */
  readonly random: () => number;
}

interface Waiter {
  readonly finish: () => void;
  timer: TimerHandle | undefined;
}

export class CampaignSchedule {
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private periodicAt = Number.NEGATIVE_INFINITY;
  private takeoverAt: number | undefined;
  private waiter: Waiter | undefined;

  constructor(private readonly options: CampaignScheduleOptions) {}

  /**
   * An attempt that did not win started at `startedAt` (the clock before its read: the moment its
   * expiry check was made for). The next periodic try is one jittered retry period after it.
   */
  attempted(startedAt: number): void {
    this.lastAttemptAt = startedAt;
    this.periodicAt = startedAt + this.options.retryPeriodMs * (1 + this.options.random() * JITTER_FACTOR);
    this.rearm();
  }

  /** The Lease as seen now, by an attempt's read or by the watch; moves a pending wait. */
  sighted(sighting: LeaseSighting): void {
    this.takeoverAt = takeableAt(sighting, this.options.identity);
    this.rearm();
  }

  /**
   * The takeover moment when it comes before the next periodic try and no attempt was made at or
   * after it yet (one that was, and lost, is not repeated at once); otherwise the periodic try.
   */
  nextAttemptAt(): number {
    const takeover = this.takeoverAt;
    if (takeover !== undefined && takeover > this.lastAttemptAt && takeover < this.periodicAt) return takeover;
    return this.periodicAt;
  }

  /**
   * Resolves at nextAttemptAt(), as sightings move it while waiting, or at once when `signal`
   * aborts. One wait at a time (the campaign loop's).
   */
  wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const finish = (): void => {
        waiter.timer?.cancel();
        if (this.waiter === waiter) this.waiter = undefined;
        signal.removeEventListener('abort', finish);
        resolve();
      };
      const waiter: Waiter = { finish, timer: undefined };
      this.waiter = waiter;
      signal.addEventListener('abort', finish, { once: true });
      this.rearm();
    });
  }

  private rearm(): void {
    const waiter = this.waiter;
    if (waiter === undefined) return;
    waiter.timer?.cancel();
    waiter.timer = this.options.clock.setTimer(this.nextAttemptAt() - this.options.clock.now(), waiter.finish);
  }
}

/** When the Lease as seen may be taken: the elector's expiry rule, plus the margin. */
function takeableAt(sighting: LeaseSighting, identity: string): number {
  if (sighting.holder === '' || sighting.holder === identity) return sighting.changedAt;
  return sighting.changedAt + sighting.durationMs + TAKEOVER_MARGIN_MS;
}
