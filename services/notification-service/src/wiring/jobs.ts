/**
 * The plan's two jobs as requests to the contexts that own the work. Both are safe to repeat and
 * resume: publish_due hands each due post once (per-channel leases in the publisher) and
 * expire_due moves each subscription with a conditional update (one event each).
 */
import type { Bus } from '@nova/bus';
import { sendDueReminders, type ReminderDeps, type ScheduledJob } from '../domain/index.js';

/** publish_due calls per tick at most: each hands up to the publisher's default limit (20) posts. */
const MAX_PUBLISH_CALLS_PER_TICK = 50;

export function publishDueJob(bus: Pick<Bus, 'request'>, intervalMs: number): ScheduledJob {
  return {
    name: 'publish_due',
    intervalMs,
    async run() {
      let handed = 0;
      // A backlog larger than one call's limit is drained in this tick, not one limit per interval.
      for (let call = 0; call < MAX_PUBLISH_CALLS_PER_TICK; call++) {
        const answer = await bus.request('svc.publisher.publish_due', { limit: 0 }, { timeoutMs: Math.max(5_000, Math.min(intervalMs, 30_000)) });
        handed += answer.publishedPostIds.length;
        if (answer.remaining === 0 || answer.publishedPostIds.length === 0) break;
      }
      return handed;
    },
  };
}

/**
 * The hourly job: reminders for subscriptions ending within 3 days and within 1 day, then the
 * expiry of ended ones. A failure of the reminders does not hold the expiry back; the tick reports
 * it after both ran (its reminders are retried by the next tick).
 */
export function subscriptionsJob(bus: Pick<Bus, 'request'>, intervalMs: number, reminders: ReminderDeps): ScheduledJob {
  return {
    name: 'subscriptions',
    intervalMs,
    async run() {
      let reminded = 0;
      let reminderFailure: unknown;
      try {
        reminded = await sendDueReminders(reminders);
      } catch (error) {
        reminderFailure = error;
      }
      const answer = await bus.request('svc.payment.expire_due', { limit: 0 }, { timeoutMs: 30_000 });
      if (reminderFailure !== undefined) throw new ReminderTickError(reminded, answer.expired, reminderFailure);
      return reminded + answer.expired;
    },
  };
}

/** Reminders failed part way (after `reminded` were sent); the expiry ran. */
export class ReminderTickError extends Error {
  override readonly name = 'ReminderTickError';
  constructor(readonly reminded: number, readonly expired: number, cause: unknown) {
    super(`subscription reminders failed after ${String(reminded)} sent (${String(expired)} subscriptions expired); the rest are retried next tick`, { cause });
  }
}
