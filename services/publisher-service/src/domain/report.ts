/**
 * The owner's report of a publication, as a message from the main bot (besides the
 * nova.publisher.post_published event): which channels got the post, which did not and why. Sent
 * once per post, leased like a channel (a crash between Telegram's answer and the record can
 * send it twice, never more); a post whose report failed transiently is taken again by
 * publish_due.
 */
import type { Clock } from '@nova/domain';
import type { PublisherDatabase } from './database.js';
import type { PostDelivery } from '../generated/prisma/client.js';
import type { PostWithDeliveries } from './mapping.js';
import { MAX_TEXT } from './validation.js';
import { ChannelNotSentError, ChannelRefusedError, leaseStartBy, type OwnerNotifier, type UnrecordedSend } from './ports.js';

export interface ReportDeps {
  readonly db: PublisherDatabase;
  readonly notifier: OwnerNotifier;
  readonly clock: Clock;
  readonly sendLeaseMs: number;
  /** Told of a report the main bot sent whose record failed: it goes out again after its lease. */
  readonly onUnrecordedSend?: UnrecordedSend;
}

/**
 * The report's text: plain (no parse mode), one line per channel in the owner's order. A
 * broadcast's report would pass Telegram's 4096 characters: then the failed channels come first
 * and what does not fit is counted ("… and 812 more sent"), so the message is never refused.
 */
export function reportText(post: PostWithDeliveries, titles: ReadonlyMap<bigint, string>): string {
  const sent = post.deliveries.filter((delivery) => delivery.sentAt !== null).length;
  const line = (delivery: PostDelivery): string => {
    const name = titles.get(delivery.chatId) ?? delivery.chatId.toString();
    return delivery.sentAt === null ? `✗ ${name}: ${delivery.failure ?? 'not sent'}` : `✓ ${name}`;
  };
  const head = `Post #${post.id.toString()} published in ${String(sent)} of ${String(post.deliveries.length)} channels.`;
  const full = [head, ...post.deliveries.map(line)].join('\n');
  if (full.length <= MAX_TEXT) return full;
  const failed = post.deliveries.filter((delivery) => delivery.sentAt === null);
  const lines = [head];
  let length = head.length;
  const reserve = 64; // room for the closing count
  let shownFailed = 0;
  for (const delivery of failed) {
    const next = line(delivery);
    if (length + 1 + next.length > MAX_TEXT - reserve) break;
    lines.push(next);
    length += 1 + next.length;
    shownFailed += 1;
  }
  const more = [failed.length - shownFailed > 0 ? `${String(failed.length - shownFailed)} more failed` : '', sent > 0 ? `${String(sent)} sent` : ''].filter((part) => part !== '');
  lines.push(`… and ${more.join(', ')}.`);
  return lines.join('\n');
}

export type ReportOutcome = 'sent' | 'refused' | 'pending';

/** `signal`: the caller's send window; a report not started within it (or its lease's first half) is not sent. */
export async function sendOwnerReport(deps: ReportDeps, postId: bigint, signal?: AbortSignal): Promise<ReportOutcome> {
  if (signal?.aborted === true) return 'pending';
  const now = deps.clock();
  const claimed = await deps.db.post.updateMany({
    where: { id: postId, status: 'PUBLISHED', reportSentAt: null, reportFailure: null, OR: [{ reportLeaseUntil: null }, { reportLeaseUntil: { lt: now } }] },
    data: { reportLeaseUntil: new Date(now.getTime() + deps.sendLeaseMs) },
  });
  if (claimed.count === 0) return 'pending';
  const post = await deps.db.post.findUniqueOrThrow({ where: { id: postId }, include: { deliveries: { orderBy: { position: 'asc' } } } });
  const channels = await deps.db.channel.findMany({ where: { chatId: { in: post.deliveries.map((delivery) => delivery.chatId) } }, select: { chatId: true, title: true } });
  const text = reportText(post, new Map(channels.map((channel) => [channel.chatId, channel.title])));
  try {
    // Started in the first half of its lease or not at all: never beside another sender's copy.
    await deps.notifier.sendReport(post.ownerTelegramId, text, { startBy: leaseStartBy(deps.sendLeaseMs, signal) });
  } catch (error) {
    if (error instanceof ChannelRefusedError) {
      await deps.db.post.update({ where: { id: postId }, data: { reportLeaseUntil: null, reportFailure: `${String(error.errorCode)} ${error.description}` } });
      return 'refused';
    }
    if (error instanceof ChannelNotSentError) {
      await deps.db.post.update({ where: { id: postId }, data: { reportLeaseUntil: null } });
      return 'pending';
    }
    // No answer (a timeout): it may have been sent, and goes out again once its lease runs out.
    deps.onUnrecordedSend?.('report', error);
    return 'pending';
  }
  try {
    await deps.db.post.update({ where: { id: postId }, data: { reportLeaseUntil: null, reportSentAt: deps.clock() } });
    return 'sent';
  } catch (error) {
    // Sent, and not recorded: it goes out again once its lease runs out.
    deps.onUnrecordedSend?.('report', error);
    return 'pending';
  }
}

/** Published posts whose report is still to send (a transient failure, or a crash before it). */
export async function postsAwaitingReport(db: PublisherDatabase, limit: number): Promise<bigint[]> {
  const rows = await db.post.findMany({ where: { status: 'PUBLISHED', reportSentAt: null, reportFailure: null }, orderBy: { id: 'asc' }, take: limit, select: { id: true } });
  return rows.map((row) => row.id);
}
