/**
 * The plan's two jobs as requests to the contexts that own the work. Both are safe to repeat and
 * resume: publish_due hands each due post once (per-channel leases in the publisher) and
 * expire_due moves each subscription with a conditional update (one event each).
 */
import type { Bus } from '@nova/bus';
import type { ScheduledJob } from '../domain/index.js';

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

export function expireSubscriptionsJob(bus: Pick<Bus, 'request'>, intervalMs: number): ScheduledJob {
  return {
    name: 'subscriptions',
    intervalMs,
    async run() {
      const answer = await bus.request('svc.payment.expire_due', { limit: 0 }, { timeoutMs: 30_000 });
      return answer.expired;
    },
  };
}
