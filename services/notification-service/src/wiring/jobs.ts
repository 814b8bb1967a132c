/**
 * The plan's two jobs as requests to the contexts that own the work. Each lists its due work with
 * the owners (svc.publisher.list_due, svc.payment.expiring), keeps this side's chats (the owner's
 * routing bucket in context notification, chat-ownership.ts) and hands those by id
 * (svc.publisher.publish_due, svc.payment.expire_due). Both are safe to repeat and resume:
 * publish_due hands each post once (per-channel leases in the publisher) and expire_due moves
 * each subscription with a conditional update (one event each).
 */
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { Bus } from '@nova/bus';
import type { DuePost } from '@nova/contracts';
import { handDuePosts, ownedSubscriptions, reported, sendDueReminders, UpcomingPosts, type ChatOwnership, type DueItem, type DuePostsPort, type HandOffCall, type ReminderDeps, type ScheduledJob } from '../domain/index.js';

/** Told of each item handed on, with when it fell due: nova_scheduler_handoff_lag_seconds{job}. */
export type HandOffLag = (job: string, dueAt: Date) => void;

/** How long one publish_due (20 posts) may take: Telegram's pacing per channel and a loaded publisher. */
const PUBLISH_TIMEOUT_MS = 30_000;

/** Subscriptions expired per tick at most (expire_due's own maximum per call). */
const MAX_EXPIRED_PER_TICK = 5_000;

function dueItem(post: DuePost): DueItem {
  return { id: post.postId, owner: post.ownerTelegramId, dueAt: post.publishAt === undefined ? new Date(0) : timestampDate(post.publishAt) };
}

/** The publisher as the publish tick sees it, on the bus. */
export function busDuePosts(bus: Pick<Bus, 'request'>, timeoutMs: number): DuePostsPort {
  return {
    async list(after, limit, before) {
      const cursor = after === undefined ? {} : { afterPublishAt: timestampFromDate(after.dueAt), afterPostId: after.id };
      const ahead = before === undefined ? {} : { dueBefore: timestampFromDate(before) };
      const answer = await bus.request('svc.publisher.list_due', { limit, ...cursor, ...ahead }, { timeoutMs });
      return { due: answer.posts.map(dueItem), awaitingReport: answer.awaitingReport.map(dueItem) };
    },
    async publish(ids) {
      return (await bus.request('svc.publisher.publish_due', { postIds: [...ids] }, { timeoutMs })).publishedPostIds;
    },
  };
}

/**
 * `called`: each call's outcome, for the stage-6 analysis (domain/hand-off-call.ts). After each
 * tick the posts falling due before the next one get a timer each (domain/upcoming-posts.ts), so
 * they go out at their time; the job's `upcoming` is those timers.
 */
export function publishDueJob(bus: Pick<Bus, 'request'>, intervalMs: number, chats: ChatOwnership, lag?: HandOffLag, called?: HandOffCall, clock: () => Date = () => new Date()): ScheduledJob & { readonly upcoming: UpcomingPosts } {
  const name = 'publish_due';
  // A tick never overlaps the next one (the scheduler waits for it), so a slow publisher only
  // delays the next tick; a call given up on early would be published anyway, its answer lost.
  const posts = busDuePosts(bus, PUBLISH_TIMEOUT_MS);
  const handed = (dueAt: Date): void => lag?.(name, dueAt);
  const upcoming = new UpcomingPosts({ posts, chats, clock, horizonMs: intervalMs, handed, called });
  return {
    name,
    intervalMs,
    upcoming,
    async run() {
      const published = await handDuePosts({ posts, chats, handed, called });
      // The timers only bring posts forward: a listing that failed (counted by `called`) leaves
      // them to the next tick and does not fail this one, whose work is done.
      await upcoming.arm().catch(() => 0);
      return published;
    },
    standDown: () => { upcoming.disarm(); },
  };
}

/**
 * The hourly job: reminders for this side's subscriptions ending within 3 days and within 1 day,
 * then the expiry of its ended ones. A failure of the reminders does not hold the expiry back;
 * the tick reports it after both ran (its reminders are retried by the next tick).
 */
export function subscriptionsJob(bus: Pick<Bus, 'request'>, intervalMs: number, reminders: ReminderDeps, chats: ChatOwnership, lag?: HandOffLag, called?: HandOffCall): ScheduledJob {
  const name = 'subscriptions';
  const ownReminders: ReminderDeps = { ...reminders, subscriptions: ownedSubscriptions(reminders.subscriptions, chats), sent: (dueAt) => lag?.(name, dueAt), called };
  return {
    name,
    intervalMs,
    async run() {
      let reminded = 0;
      let reminderFailure: unknown;
      try {
        reminded = await sendDueReminders(ownReminders);
      } catch (error) {
        reminderFailure = error;
      }
      const expired = await expireOwnedSubscriptions(bus, chats, reminders.clock, (dueAt) => lag?.(name, dueAt), called);
      if (reminderFailure !== undefined) throw new ReminderTickError(reminded, expired, reminderFailure);
      return reminded + expired;
    },
  };
}

/**
 * Lists the active subscriptions whose period ended (renewed or not), keeps this side's and
 * expires those by id. The side with none still calls (named_only): the payments context marks
 * stale pending invoices expired in the same call, whichever side asks.
 */
async function expireOwnedSubscriptions(bus: Pick<Bus, 'request'>, chats: ChatOwnership, clock: () => Date, handed: (dueAt: Date) => void, called: HandOffCall | undefined): Promise<number> {
  if (chats.snapshot().none) return 0;
  const now = clock();
  const listed = await reported(called, () => bus.request('svc.payment.expiring', { endsFrom: timestampFromDate(new Date(0)), endsBefore: timestampFromDate(new Date(now.getTime() + 1)), limit: MAX_EXPIRED_PER_TICK, includeRenewed: true }, { timeoutMs: 30_000 }), 0, 1);
  const owned = chats.snapshot();
  const mine = listed.subscriptions.filter((subscription) => owned.owns(subscription.telegramId));
  const answer = await reported(called, () => bus.request('svc.payment.expire_due', { subscriptionIds: mine.map((subscription) => subscription.id), namedOnly: true }, { timeoutMs: 30_000 }), mine.length, Math.max(1, mine.length));
  // Answered: every one named is expired now (by this call, or by the other side's during a weight change).
  for (const subscription of mine) if (subscription.endsAt !== undefined) handed(timestampDate(subscription.endsAt));
  return answer.expired;
}

/** Reminders failed part way (after `reminded` were sent); the expiry ran. */
export class ReminderTickError extends Error {
  override readonly name = 'ReminderTickError';
  constructor(readonly reminded: number, readonly expired: number, cause: unknown) {
    super(`subscription reminders failed after ${String(reminded)} sent (${String(expired)} subscriptions expired); the rest are retried next tick`, { cause });
  }
}
