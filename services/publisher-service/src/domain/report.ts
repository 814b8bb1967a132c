/**
 * The owner's report of a publication, as a message from the main bot (besides the
 * nova.publisher.post_published event): which channels got the post, which did not and why. Sent
 * once per post, leased like a channel (a crash between Telegram's answer and the record can
 * send it twice, never more); a post whose report failed transiently is taken again by
 * publish_due.
 */
import { wordTelegramFailure } from '@nova/contracts';
import { retryRecord, type Clock } from '@nova/domain';
import type { Locale } from '@nova/i18n';
import type { PublisherDatabase } from './database.js';
import type { PostDelivery } from '../generated/prisma/client.js';
import type { PostWithDeliveries } from './mapping.js';
import { MAX_TEXT } from './validation.js';
import { ChannelNotSentError, ChannelRefusedError, leaseStartBy, RECORD_RETRY_MS, recordDeadline, type OwnerNotifier, type RecipientLocales, type UnrecordedKind, type UnrecordedSend } from './ports.js';
import { PUBLISHER_CATALOGUE } from './texts.js';

export interface ReportDeps {
  readonly db: PublisherDatabase;
  readonly notifier: OwnerNotifier;
  /** The owner's language (the users context), so the report reads as the rest of their main bot. */
  readonly locales: RecipientLocales;
  readonly clock: Clock;
  readonly sendLeaseMs: number;
  /** How long a failing "sent" record is retried while the report is still leased (ports.ts, recordDeadline). */
  readonly recordRetryMs?: number;
  /** Told of each failed "sent" record that will be tried again (a log line, a test waiting for one). */
  readonly onRecordRetry?: (kind: UnrecordedKind, error: unknown) => void;
  /** Told of a report the main bot sent whose record failed: it goes out again after its lease. */
  readonly onUnrecordedSend?: UnrecordedSend;
}

/**
 * The report's text in the owner's language: plain (no parse mode), one line per channel in the
 * owner's order. A broadcast's report would pass Telegram's 4096 characters: then the failed
 * channels come first and what does not fit is counted ("… and 812 more failed, 990 sent."), so
 * the report stays one message (one leased send, never a burst of dozens) and is never refused.
 * A failed channel's reason is worded in the owner's language when Telegram's description is one an
 * owner can act on (kicked, no right to post, …: @nova/contracts' wordTelegramFailure), else it is
 * Telegram's own description.
 */
export function reportText(post: PostWithDeliveries, titles: ReadonlyMap<bigint, string>, locale: Locale): string {
  const t = PUBLISHER_CATALOGUE.in(locale);
  const sent = post.deliveries.filter((delivery) => delivery.sentAt !== null).length;
  const line = (delivery: PostDelivery): string => {
    const channel = titles.get(delivery.chatId) ?? delivery.chatId.toString();
    return delivery.sentAt === null ? t('report-failed-line', { channel, reason: wordTelegramFailure(locale, delivery.failure) ?? delivery.failure ?? t('report-not-sent') }) : t('report-sent-line', { channel });
  };
  const head = t('report-head', { number: post.id.toString(), sent, total: post.deliveries.length });
  const full = [head, ...post.deliveries.map(line)].join('\n');
  if (full.length <= MAX_TEXT) return full;
  const failed = post.deliveries.filter((delivery) => delivery.sentAt === null);
  const lines = [head];
  let length = head.length;
  // Room for the closing count: its longest form, with counts as long as any this post can have.
  const most = post.deliveries.length;
  const reserve = 1 + t('report-more-failed-sent', { failed: most, sent: most }).length;
  let shownFailed = 0;
  for (const delivery of failed) {
    const next = line(delivery);
    if (length + 1 + next.length > MAX_TEXT - reserve) break;
    lines.push(next);
    length += 1 + next.length;
    shownFailed += 1;
  }
  const moreFailed = failed.length - shownFailed;
  if (moreFailed > 0 && sent > 0) lines.push(t('report-more-failed-sent', { failed: moreFailed, sent }));
  else if (moreFailed > 0) lines.push(t('report-more-failed', { failed: moreFailed }));
  else lines.push(t('report-more-sent', { sent }));
  return lines.join('\n');
}

export type ReportOutcome = 'sent' | 'refused' | 'pending';

/** `signal`: the caller's send window; a report not started within it (or its lease's first half) is not sent. */
export async function sendOwnerReport(deps: ReportDeps, postId: bigint, signal?: AbortSignal): Promise<ReportOutcome> {
  if (signal?.aborted === true) return 'pending';
  const now = deps.clock();
  const leaseUntil = new Date(now.getTime() + deps.sendLeaseMs);
  const claimed = await deps.db.post.updateMany({
    where: { id: postId, status: 'PUBLISHED', reportSentAt: null, reportFailure: null, OR: [{ reportLeaseUntil: null }, { reportLeaseUntil: { lt: now } }] },
    data: { reportLeaseUntil: leaseUntil },
  });
  if (claimed.count === 0) return 'pending';
  const post = await deps.db.post.findUniqueOrThrow({ where: { id: postId }, include: { deliveries: { orderBy: { position: 'asc' } } } });
  const channels = await deps.db.channel.findMany({ where: { chatId: { in: post.deliveries.map((delivery) => delivery.chatId) } }, select: { chatId: true, title: true } });
  let text: string;
  try {
    text = reportText(post, new Map(channels.map((channel) => [channel.chatId, channel.title])), await deps.locales.localeOf(post.ownerTelegramId));
  } catch {
    // The users context did not say the owner's language: nothing was sent, so the report is
    // freed at once and taken again (publish_due), rather than sent in a language they may not read.
    await deps.db.post.update({ where: { id: postId }, data: { reportLeaseUntil: null } });
    return 'pending';
  }
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
    const at = deps.clock();
    // Sent: its record is retried while the report's lease is still this sender's (ports.ts, recordDeadline).
    await retryRecord(() => deps.db.post.update({ where: { id: postId }, data: { reportLeaseUntil: null, reportSentAt: at } }), { until: recordDeadline(leaseUntil, deps.recordRetryMs ?? RECORD_RETRY_MS), stopping: signal, onRetry: (error) => deps.onRecordRetry?.('report', error) });
    return 'sent';
  } catch (error) {
    // Sent, and still not recorded: it goes out again once its lease runs out.
    deps.onUnrecordedSend?.('report', error);
    return 'pending';
  }
}

/** Published posts whose report is still to send (a transient failure, or a crash before it). */
export async function postsAwaitingReport(db: PublisherDatabase, limit: number): Promise<bigint[]> {
  const rows = await db.post.findMany({ where: { status: 'PUBLISHED', reportSentAt: null, reportFailure: null }, orderBy: { id: 'asc' }, take: limit, select: { id: true } });
  return rows.map((row) => row.id);
}
