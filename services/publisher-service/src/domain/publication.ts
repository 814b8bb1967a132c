/**
 * The worker of a publication's durable work item (nova.publisher.publication_requested, written
 * by startPublication in the transaction that makes the post PUBLISHING). One replica takes it,
 * broadcasts, and acknowledges it when every channel is settled.
 *
 * Waiting is not failing. The item is often taken while another sender still works on the same
 * post: every post that is published within a request (create_post, publish_due) has its work
 * item too, and the outbox may publish it while that request is still sending (the relay's tick,
 * or another request's flush); a redelivery may find rows of a replica that died, leased until
 * their lease runs out; a bot may be busy (its budget lent to another replica, its queue full, a
 * 429 caused by another process). Then the worker waits, keeping the item (the bus's heartbeat),
 * and goes on with the rows that come free, or stops when the post is published by the other
 * sender. Before, it threw PublishIncompleteError and the bus counted every such delivery as a
 * failed message of the publisher context: the analysis of stage 4 read those as the target's
 * errors and rolled the stage back (4.5 % with no fault injected).
 *
 * What still fails the delivery (retried by the bus with its backoff, then dead-lettered): Telegram
 * failing for a bot (5xx, an open circuit, a call with no answer), the database, and a graceful
 * stop (`stopping`: the item goes to another replica). A post cancelled or already published
 * acknowledges it.
 */
import type { EventMessage } from '@nova/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import { FailedPreconditionError, NotFoundError } from '@nova/domain';
import { publishPost, PublishIncompleteError, type PublishDeps } from './publish.js';
import { sendOwnerReport } from './report.js';

/** `stopping` aborts at a graceful stop: no new batch is claimed, and the item is retried (by another replica). */
export type PublicationWorker = (request: EventMessage<'nova.publisher.publication_requested'>, stopping?: AbortSignal) => Promise<void>;

export interface PublicationWorkerOptions {
  /** How often a waiting worker looks at the post again (sooner when a lease it waits for ends). Default 500 ms. */
  readonly pollMs?: number;
}

export function publicationWorker(deps: PublishDeps, options: PublicationWorkerOptions = {}): PublicationWorker {
  const pollMs = options.pollMs ?? 500;
  return async (request, stopping) => {
    for (;;) {
      let retryAfterMs: number | undefined;
      try {
        const { publishedNow } = await publishPost(deps, request.postId, stopping);
        // Published by another sender (a request whose window ended before the report's turn):
        // the report is this item's to send. Leased: never sent twice; publish_due retries it.
        if (!publishedNow) await sendOwnerReport(deps, request.postId, stopping).catch(() => undefined);
        return;
      } catch (error) {
        // Nothing left to do for this item: the post went away or was never to be published.
        if (error instanceof NotFoundError || error instanceof FailedPreconditionError) return;
        if (!(error instanceof PublishIncompleteError) || error.telegramFailed || stopping?.aborted === true) throw error;
        retryAfterMs = error.retryAfterMs;
      }
      // Only waiting: for another sender's rows, or for a busy bot (never sooner than a 429's retry_after).
      await untilWorkComes(deps, request.postId, pollMs, stopping, retryAfterMs ?? 0);
    }
  };
}

/**
 * Returns once the post has an unsettled row no one holds (a busy bot's freed rows, a lease that
 * ran out), has no unsettled row left (to mark it published), or is no longer PUBLISHING, and
 * `atLeastMs` has passed. Looks every `pollMs` at most; throws when `stopping` aborts.
 */
async function untilWorkComes(deps: PublishDeps, postId: bigint, pollMs: number, stopping: AbortSignal | undefined, atLeastMs: number): Promise<void> {
  const unsettled = { postId, sentAt: null, errorCode: null };
  await sleep(atLeastMs, undefined, stopping === undefined ? {} : { signal: stopping });
  for (;;) {
    const held = await deps.db.postDelivery.aggregate({ where: { ...unsettled, leaseUntil: { gte: deps.clock() } }, _min: { leaseUntil: true } });
    const firstEnd = held._min.leaseUntil;
    const delay = firstEnd === null ? pollMs : Math.min(pollMs, Math.max(10, firstEnd.getTime() - deps.clock().getTime() + 1));
    await sleep(delay, undefined, stopping === undefined ? {} : { signal: stopping });
    const post = await deps.db.post.findUnique({ where: { id: postId }, select: { status: true } });
    if (post?.status !== 'PUBLISHING') return;
    const now = deps.clock();
    const [left, free] = await Promise.all([
      deps.db.postDelivery.count({ where: unsettled }),
      deps.db.postDelivery.count({ where: { ...unsettled, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] } }),
    ]);
    if (left === 0 || free > 0) return;
  }
}
