import { create } from '@bufbuild/protobuf';
import { PublishDueResponseSchema, type PublishDueRequest, type PublishDueResponse } from '@nova/contracts';
import { FailedPreconditionError, InvalidArgumentError, isRetryable, throwIfAborted, type HandlerContext } from '@nova/domain';
import { AWAITING_REPORT, dueWhere } from './list-due.js';
import { flushPublisherOutbox } from './outbox-store.js';
import { INLINE_PUBLISH_MAX, publishPost, sendWindow, startPublication, type PublishDeps } from './publish.js';
import { postsAwaitingReport, sendOwnerReport } from './report.js';
import { refusal } from './refuse.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 500;

/**
 * A broadcast (more channels than a request publishes) goes out through its work item: a due one
 * is only started here (PUBLISHING, its work item written), and one that a sender is working on
 * (a row under a live lease) is left alone. One that no one works on (its work item lost with an
 * in-process bus, or between retries) is resumed here, bounded by the caller's deadline.
 */
async function leftToItsWorkItem(deps: PublishDeps, postId: bigint): Promise<boolean> {
  const channels = await deps.db.postDelivery.count({ where: { postId } });
  if (channels <= INLINE_PUBLISH_MAX) return false;
  if (await startPublication(deps, postId)) return true;
  const working = await deps.db.postDelivery.count({ where: { postId, sentAt: null, errorCode: null, leaseUntil: { gte: deps.clock() } } });
  return working > 0;
}

/**
 * Publishes the posts whose time has come, oldest first, and those a failed or crashed publish
 * left PUBLISHING, then sends the owners' reports still unsent. Two callers at once (two replicas, a retry) are safe: each channel is leased
 * by one sender. A post that cannot finish now (a transient Telegram failure) counts as remaining
 * and is taken again by the next call; the scheduler (the notification context, stage 6) calls
 * this every few seconds.
 *
 * With post_ids (the scheduler's own side of list_due, during the notification canary) only
 * those posts are taken, each when still due, and only their unsent reports: a post named but
 * published, cancelled or moved to a later time since it was listed is left alone.
 */
export function publishDueHandler(deps: PublishDeps) {
  return async (request: PublishDueRequest, ctx: HandlerContext): Promise<PublishDueResponse> => {
    if (request.limit < 0 || request.limit > MAX_LIMIT) throw refusal(InvalidArgumentError, 'limit-range', { max: String(MAX_LIMIT) }, { field: 'limit' });
    if (request.postIds.length > MAX_LIMIT) throw refusal(InvalidArgumentError, 'post-ids-too-many', { max: String(MAX_LIMIT) }, { field: 'post_ids' });
    const named = request.postIds.length > 0 ? { id: { in: request.postIds } } : {};
    const limit = request.postIds.length > 0 ? request.postIds.length : request.limit === 0 ? DEFAULT_LIMIT : request.limit;
    const now = deps.clock();
    const where = { ...dueWhere(now), ...named };
    const due = await deps.db.post.findMany({ where, orderBy: [{ publishAt: 'asc' }, { id: 'asc' }], take: limit, select: { id: true } });
    const published: bigint[] = [];
    let unfinished = 0;
    // One window for the whole call: a post whose sends did not start in it is left for the next call.
    const sendBy = sendWindow(ctx);
    for (const { id } of due) {
      throwIfAborted(ctx, `publishing post ${id.toString()}`);
      try {
        if (await leftToItsWorkItem(deps, id)) {
          unfinished += 1;
          continue;
        }
        const result = await publishPost(deps, id, sendBy);
        if (result.publishedNow) published.push(id);
      } catch (error) {
        // A post cancelled between the query and now, or a transient failure: the others go on.
        if (isRetryable(error)) unfinished += 1;
        else if (!(error instanceof FailedPreconditionError)) throw error;
      }
    }
    await flushPublisherOutbox(deps.db, deps.publisher).catch(() => undefined); // the work items just started; else the relay's tick
    // Reports a failure or a crash left unsent (one per post, leased like a channel).
    const awaiting = request.postIds.length > 0 ? (await deps.db.post.findMany({ where: { ...AWAITING_REPORT, ...named }, select: { id: true } })).map((row) => row.id) : await postsAwaitingReport(deps.db, limit);
    for (const id of awaiting) {
      throwIfAborted(ctx, `sending the report of post ${id.toString()}`);
      await sendOwnerReport(deps, id);
    }
    // What is still due: the unfinished ones and those beyond the limit.
    const remaining = await deps.db.post.count({ where });
    return create(PublishDueResponseSchema, { publishedPostIds: published, remaining: Math.max(remaining, unfinished) });
  };
}
