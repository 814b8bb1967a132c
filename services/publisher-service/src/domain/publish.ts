/**
 * Publishing one post to its channels, idempotently (Decided 4). Each (post, channel) row is
 * claimed with a lease before the Telegram call (in batches per bot, broadcast.ts) and settled
 * (sent, or failed for good) right after it, so a repeated or concurrent publish of the same
 * post sends only what no one sent and no one is sending. Telegram has no idempotency key: a sender that
 * dies between the call and the settle leaves a lease that runs out, and that one channel is
 * sent again (at most one double per send in flight at the crash).
 *
 * A channel Telegram refuses for good (bot kicked, rights lost, chat gone) fails alone and is
 * reported; a transient failure (429 after retries, 5xx, open circuit) leaves the channel
 * unsettled and the publish throws UnavailableError for a later retry. When every channel is
 * settled the post becomes PUBLISHED and nova.publisher.post_published is written to the outbox
 * in the same transaction, exactly once.
 */
import { create } from '@bufbuild/protobuf';
import { PostPublishedSchema, PublicationRequestedSchema, eventMsgId } from '@nova/contracts';
import { appendToOutbox, FailedPreconditionError, NotFoundError, outboxRecord, UnavailableError, type Clock, type EventPublisher, type HandlerContext } from '@nova/domain';
import { broadcastPost, CLAIM_BATCH, OWN_FAILURE } from './broadcast.js';
import type { PublisherDatabase } from './database.js';
import { postMessage, storedContent, WITH_DELIVERIES, type PostWithDeliveries } from './mapping.js';
import { flushPublisherOutbox } from './outbox-store.js';
import type { ChannelTelegram, OwnerNotifier, PostingEntitlement, RecipientLocales, UnrecordedKind, UnrecordedSend } from './ports.js';
import { sendOwnerReport } from './report.js';
import { refusal } from './refuse.js';

export interface PublishDeps {
  readonly db: PublisherDatabase;
  readonly telegram: ChannelTelegram;
  readonly publisher: EventPublisher;
  /** Sends the owner's report from the main bot once the post is published. */
  readonly notifier: OwnerNotifier;
  /** The owner's language, for the report. */
  readonly locales: RecipientLocales;
  /** Checked again at publication: a subscription that ended since the post was made stops it. */
  readonly entitlement: PostingEntitlement;
  readonly clock: Clock;
  /** How long a sender holds a channel it is sending to. Longer than one Telegram call with its retries. */
  readonly sendLeaseMs: number;
  /** Told of a send Telegram may have taken that was not recorded: it may go out twice. */
  readonly onUnrecordedSend?: UnrecordedSend;
  /** How long a failing "sent" record is retried while the row or report is still leased (ports.ts, recordDeadline). */
  readonly recordRetryMs?: number;
  /** Told of each failed "sent" record that will be tried again (a log line, a test waiting for one). */
  readonly onRecordRetry?: (kind: UnrecordedKind, error: unknown) => void;
}

/**
 * Channels left unsettled; the post stays PUBLISHING and a later publish goes on. `telegramFailed`
 * says why: Telegram failed for one of its bots (5xx, an open circuit, a call with no answer), or
 * (false) the rows left are only waiting: held by another sender of the same post (the request
 * that made it due, another replica) or for a busy bot. Waiting is no failure.
 */
export class PublishIncompleteError extends UnavailableError {
  override readonly name = 'PublishIncompleteError';
  constructor(
    message: string,
    details: Record<string, string>,
    readonly telegramFailed: boolean,
    /** Telegram's longest `retry_after` in the run (a 429 beyond the client's retries): the next try waits at least this. */
    readonly retryAfterMs?: number,
  ) {
    super(message, details);
  }
}

/**
 * Channels a post may have and still be published within the request that makes it due (about a
 * second of one bot's budget); a bigger one is a broadcast, left to its work item.
 */
export const INLINE_PUBLISH_MAX = CLAIM_BATCH;

export type PublishResult = { readonly post: PostWithDeliveries; readonly publishedNow: boolean };

/** What a request keeps of its time, after its sends stop starting, to settle, mark and answer. */
const ANSWER_RESERVE_MS = 1_500;

/**
 * How long a request starts sends at most, however far its deadline. A channel takes 20 posts a
 * minute and the owner's chat one message a second, so a post made seconds after the last one
 * waits its turn: inside the request that wait was the request's latency (p95 4–4.5 s on both
 * sides of stage 4, whose analysis reads it). What has not started by then is the post's work
 * item's (it holds the post durably); the post is answered PUBLISHING.
 */
export const REQUEST_START_MS = 1_000;

/**
 * How many milliseconds from `now` a request with `deadline` may start sends: its deadline less a
 * reserve (at most half its time), so that it answers while its caller still waits however busy
 * the bot is, and REQUEST_START_MS at most. Whole milliseconds (AbortSignal.timeout takes no other).
 */
export function sendWindowMs(deadline: number, now: number): number {
  const left = deadline - now;
  return Math.max(0, Math.min(REQUEST_START_MS, Math.floor(left - Math.min(ANSWER_RESERVE_MS, left / 2))));
}

/**
 * Until when a request may start sends (sendWindowMs). Sends still waiting for their turn then are
 * not sent; the post is answered PUBLISHING and its work item (or the next publish_due) finishes
 * it. Undefined when the caller set no deadline (then `ctx.signal` alone, if any, bounds it).
 */
export function sendWindow(ctx: HandlerContext, now: () => number = Date.now): AbortSignal | undefined {
  if (ctx.deadline === undefined) return ctx.signal;
  const window = AbortSignal.timeout(sendWindowMs(ctx.deadline, now()));
  return ctx.signal === undefined ? window : AbortSignal.any([ctx.signal, window]);
}

export async function publishPost(deps: PublishDeps, postId: bigint, signal?: AbortSignal): Promise<PublishResult> {
  const post = await deps.db.post.findUnique({ where: { id: postId }, include: WITH_DELIVERIES });
  if (post === null) throw refusal(NotFoundError, 'post-not-found', { post: postId.toString() }, { post_id: postId.toString() });
  if (post.status === 'CANCELLED') throw refusal(FailedPreconditionError, 'post-cancelled', { post: postId.toString() }, { post_id: postId.toString() });
  if (post.status === 'PUBLISHED') return { post, publishedNow: false };
  // From here on edits and cancelling are refused (they need SCHEDULED); its work item is durable.
  await startPublication(deps, postId);

  if (!(await deps.entitlement.hasPostingSubscription(post.ownerTelegramId, deps.clock()))) {
    // Every channel still open fails with the reason; the post is published (reported) as such.
    await deps.db.postDelivery.updateMany({
      where: { postId, sentAt: null, errorCode: null, OR: [{ leaseUntil: null }, { leaseUntil: { lt: deps.clock() } }] },
      data: { leaseUntil: null, errorCode: OWN_FAILURE, failure: 'the owner\'s posting subscription has ended' },
    });
  }
  // The broadcaster: every bot's channels at once, each bot paced by its Telegram client (and,
  // across replicas, by the bot's shared budget), so one slow or rate-limited bot does not hold
  // the others back.
  const { unsettled, telegramFailed, retryAfterMs } = await broadcastPost(deps, { postId, owner: post.ownerTelegramId, content: storedContent(post) }, signal);
  if (unsettled > 0) {
    const why = telegramFailed ? 'Telegram failed transiently for a bot' : 'held by another sender, a busy bot, or stopped';
    throw new PublishIncompleteError(`post ${postId.toString()}: ${String(unsettled)} channels not yet settled (${why})`, { post_id: postId.toString() }, telegramFailed, retryAfterMs);
  }
  const publishedNow = await markPublished(deps, postId);
  if (publishedNow) {
    // The relay and publish_due retry what fails here; the publication itself is done.
    await flushPublisherOutbox(deps.db, deps.publisher).catch(() => undefined);
    // In a request, started within its window or left to the work item (or publish_due).
    await sendOwnerReport(deps, postId, signal).catch(() => undefined);
  }
  const final = await deps.db.post.findUniqueOrThrow({ where: { id: postId }, include: WITH_DELIVERIES });
  return { post: final, publishedNow };
}

/**
 * SCHEDULED → PUBLISHING, with the publication's work item (nova.publisher.publication_requested)
 * in the context's outbox in the same transaction: once a post starts publishing, some replica
 * will finish it even if this one dies now. False when it had started already.
 */
export async function startPublication(deps: Pick<PublishDeps, 'db' | 'clock'>, postId: bigint): Promise<boolean> {
  return deps.db.$transaction(async (tx) => {
    const { count } = await tx.post.updateMany({ where: { id: postId, status: 'SCHEDULED' }, data: { status: 'PUBLISHING', updatedAt: deps.clock() } });
    if (count === 0) return false;
    const request = create(PublicationRequestedSchema, { postId });
    await appendToOutbox(tx.outboxEvent, [outboxRecord('nova.publisher.publication_requested', request, eventMsgId('nova.publisher.publication_requested', postId))]);
    return true;
  });
}

/** PUBLISHING → PUBLISHED with its event in one transaction; false when someone else did it first. */
async function markPublished(deps: PublishDeps, postId: bigint): Promise<boolean> {
  return deps.db.$transaction(async (tx) => {
    const publishedAt = deps.clock();
    const { count } = await tx.post.updateMany({ where: { id: postId, status: 'PUBLISHING' }, data: { status: 'PUBLISHED', publishedAt, updatedAt: publishedAt } });
    if (count === 0) return false;
    const post = await tx.post.findUniqueOrThrow({ where: { id: postId }, include: WITH_DELIVERIES });
    const event = create(PostPublishedSchema, { post: postMessage(post) });
    await appendToOutbox(tx.outboxEvent, [outboxRecord('nova.publisher.post_published', event, eventMsgId('nova.publisher.post_published', postId))]);
    return true;
  });
}
