/**
 * The scheduler's metrics and logs: ticks run, items handed, failures, which replica is active,
 * and when each job last ticked (alert when no replica ticked for 2 intervals:
 * time() - nova_scheduler_last_tick_timestamp_seconds > 2 * interval, taking the max over replicas).
 */
import type { Logger, Metrics } from '@nova/platform';
import type { SchedulerObserver } from '../domain/index.js';
import type { HandOffLag } from './jobs.js';

/** From a due post's time (30 s ticks) to an hourly job's reminders and expiries (up to a day behind after an outage). */
const LAG_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 15, 30, 45, 60, 120, 300, 900, 1_800, 3_600, 7_200, 21_600, 86_400];

/**
 * nova_scheduler_handoff_lag_seconds{job}: from when an item fell due (a post's publish time, a
 * subscription's end, a reminder's window start) to when this replica handed it on and the owning
 * context answered. Its p99 over the publish interval is the benchmark's ratio.
 */
export function handOffLagMetric(metrics: Metrics, clock: () => Date = () => new Date()): HandOffLag {
  const lag = metrics.histogram('nova_scheduler_handoff_lag_seconds', 'Seconds from an item falling due to the scheduler handing it on, by job', ['job'], LAG_BUCKETS);
  return (job, dueAt) => {
    lag.observe({ job }, Math.max(0, (clock().getTime() - dueAt.getTime()) / 1000));
  };
}

export function schedulerObserver(metrics: Metrics, logger: Logger, holder: string): SchedulerObserver {
  const ticks = metrics.counter('nova_scheduler_ticks_total', 'Scheduler ticks this replica claimed and ran, by job and outcome', ['job', 'outcome']);
  const items = metrics.counter('nova_scheduler_items_total', 'Items the scheduler\'s ticks handed on (posts published, subscriptions expired)', ['job']);
  const skipped = metrics.counter('nova_scheduler_ticks_skipped_total', 'Ticks no replica ran because the scheduler was down longer than the catch-up allows', ['job']);
  const active = metrics.gauge('nova_scheduler_active', 'Whether this replica holds the scheduler lease (1) or stands by (0)', []);
  const lastTick = metrics.gauge('nova_scheduler_last_tick_timestamp_seconds', 'When this replica last ran a tick of the job', ['job']);
  active.set({}, 0);
  return {
    activeChanged(isActive) {
      active.set({}, isActive ? 1 : 0);
      logger.info({ holder, active: isActive }, isActive ? 'scheduler lease taken: this replica runs the ticks' : 'scheduler lease not held: standing by');
    },
    tickRan(job, tick, count) {
      ticks.inc({ job, outcome: 'ok' });
      items.inc({ job }, count);
      lastTick.set({ job }, Date.now() / 1000);
      logger.info({ job, tick, items: count }, 'tick ran');
    },
    tickFailed(job, tick, error) {
      ticks.inc({ job, outcome: 'error' });
      lastTick.set({ job }, Date.now() / 1000);
      logger.warn({ job, tick, err: error }, 'tick failed; its work is retried by the next tick');
    },
    ticksSkipped(job, count) {
      skipped.inc({ job }, count);
      logger.warn({ job, count }, 'scheduler was down longer than the catch-up: skipped ticks');
    },
    leaseFailed(error) {
      logger.warn({ err: error }, 'could not reach the scheduler lease');
    },
  };
}
