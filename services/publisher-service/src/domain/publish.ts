/**
 * Publishing one post to its channels, idempotently (Decided 4). Each (post, channel) row is
 * claimed with a lease in its own transaction before the Telegram call and settled (sent, or
 * failed for good) right after it, so a repeated or concurrent publish of the same post sends
 * only what no one sent and no one is sending. Telegram has no idempotency key: a sender that
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
import { PostPublishedSchema, eventMsgId } from '@nova/contracts';
import { appendToOutbox, FailedPreconditionError, NotFoundError, outboxRecord, UnavailableError, type Clock, type EventPublisher } from '@nova/domain';
import type { PublisherDatabase } from './database.js';
import { isSettled, postMessage, storedContent, WITH_DELIVERIES, type PostWithDeliveries } from './mapping.js';
import { flushPublisherOutbox } from './outbox-store.js';
import { ChannelNotSentError, ChannelRefusedError, type ChannelTelegram, type OutgoingPost, type OwnerNotifier, type PostingEntitlement } from './ports.js';
import { sendOwnerReport } from './report.js';

export interface PublishDeps {
  readonly db: PublisherDatabase;
  readonly telegram: ChannelTelegram;
  readonly publisher: EventPublisher;
  /** Sends the owner's report from the main bot once the post is published. */
  readonly notifier: OwnerNotifier;
  /** Checked again at publication: a subscription that ended since the post was made stops it. */
  readonly entitlement: PostingEntitlement;
  readonly clock: Clock;
  /** How long a sender holds a channel it is sending to. Longer than one Telegram call with its retries. */
  readonly sendLeaseMs: number;
}

/** Error code recorded for a failure that is the publisher's own (no Telegram answer). */
const OWN_FAILURE = 0;

/** Channels left unsettled; the post stays PUBLISHING and a later publish goes on. */
export class PublishIncompleteError extends UnavailableError {
  override readonly name = 'PublishIncompleteError';
}

export type PublishResult = { readonly post: PostWithDeliveries; readonly publishedNow: boolean };

export async function publishPost(deps: PublishDeps, postId: bigint): Promise<PublishResult> {
  const post = await deps.db.post.findUnique({ where: { id: postId }, include: WITH_DELIVERIES });
  if (post === null) throw new NotFoundError(`no post ${postId.toString()}`, { post_id: postId.toString() });
  if (post.status === 'CANCELLED') throw new FailedPreconditionError(`post ${postId.toString()} was cancelled`, { post_id: postId.toString() });
  if (post.status === 'PUBLISHED') return { post, publishedNow: false };
  // From here on edits and cancelling are refused (they need SCHEDULED).
  await deps.db.post.updateMany({ where: { id: postId, status: 'SCHEDULED' }, data: { status: 'PUBLISHING', updatedAt: deps.clock() } });

  if (!(await deps.entitlement.hasPostingSubscription(post.ownerTelegramId, deps.clock()))) {
    // Every channel still open fails with the reason; the post is published (reported) as such.
    await deps.db.postDelivery.updateMany({
      where: { postId, sentAt: null, errorCode: null, OR: [{ leaseUntil: null }, { leaseUntil: { lt: deps.clock() } }] },
      data: { leaseUntil: null, errorCode: OWN_FAILURE, failure: 'the owner\'s posting subscription has ended' },
    });
  }
  const content = storedContent(post);
  // Channels in parallel: the Telegram client paces each chat and the bot as Telegram's limits
  // say, so one slow or rate-limited channel does not hold the others back.
  const current = await deps.db.postDelivery.findMany({ where: { postId }, orderBy: { position: 'asc' } });
  const pending = current.filter((delivery) => !isSettled(delivery));
  const results = await Promise.allSettled(pending.map((delivery) => sendToChannel(deps, post.id, post.ownerTelegramId, delivery.chatId, content)));
  const unsettled: string[] = [];
  for (const [index, result] of results.entries()) {
    // A database failure: the row keeps its lease or state, and the publish is retried as a whole.
    if (result.status === 'rejected') throw result.reason instanceof Error ? result.reason : new Error(String(result.reason));
    if (result.value !== 'settled') unsettled.push(`${String(pending[index]?.chatId)} (${result.value})`);
  }
  if (unsettled.length > 0) {
    throw new PublishIncompleteError(`post ${postId.toString()}: channels not yet settled: ${unsettled.join(', ')}`, { post_id: postId.toString() });
  }
  const publishedNow = await markPublished(deps, postId);
  if (publishedNow) {
    // The relay and publish_due retry what fails here; the publication itself is done.
    await flushPublisherOutbox(deps.db, deps.publisher).catch(() => undefined);
    await sendOwnerReport(deps, postId).catch(() => undefined);
  }
  const final = await deps.db.post.findUniqueOrThrow({ where: { id: postId }, include: WITH_DELIVERIES });
  return { post: final, publishedNow };
}

type SendOutcome = 'settled' | 'held by another sender' | 'transient failure';

async function sendToChannel(deps: PublishDeps, postId: bigint, owner: bigint, chatId: bigint, content: OutgoingPost): Promise<SendOutcome> {
  const now = deps.clock();
  const key = { postId, chatId };
  // The lease: only an unsettled row whose lease is free or ran out is taken.
  const claimed = await deps.db.postDelivery.updateMany({
    where: { ...key, sentAt: null, errorCode: null, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
    data: { leaseUntil: new Date(now.getTime() + deps.sendLeaseMs) },
  });
  if (claimed.count === 0) {
    const row = await deps.db.postDelivery.findUniqueOrThrow({ where: { postId_chatId: key } });
    return isSettled(row) ? 'settled' : 'held by another sender';
  }
  // The channel as linked now: unlinked (or moved to another owner) since the post was made means it fails.
  const channel = await deps.db.channel.findUnique({ where: { chatId } });
  if (channel?.ownerTelegramId !== owner) {
    await deps.db.postDelivery.update({ where: { postId_chatId: key }, data: { leaseUntil: null, errorCode: OWN_FAILURE, failure: 'the channel was unlinked before the post was published' } });
    return 'settled';
  }
  await deps.db.postDelivery.update({ where: { postId_chatId: key }, data: { botId: channel.botId } });
  try {
    const { messageId } = await deps.telegram.sendPost(channel.botId, chatId, content);
    await deps.db.postDelivery.update({ where: { postId_chatId: key }, data: { leaseUntil: null, sentAt: deps.clock(), messageId } });
    return 'settled';
  } catch (error) {
    if (error instanceof ChannelRefusedError) {
      await deps.db.postDelivery.update({ where: { postId_chatId: key }, data: { leaseUntil: null, errorCode: error.errorCode, failure: error.description } });
      return 'settled';
    }
    // Not sent (Telegram answered with a failure, or never answered: then the lease stays and
    // runs out, since the message may have been posted). A clear failure frees the channel now.
    if (error instanceof ChannelNotSentError) await deps.db.postDelivery.update({ where: { postId_chatId: key }, data: { leaseUntil: null } });
    return 'transient failure';
  }
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
