import { retryRecord, UnavailableError, type Clock } from '@nova/domain';
import type { BotTokens } from '../bot-tokens.js';
import type { OutgoingReply } from '../../generated/prisma/client.js';
import type { BotDatabase, BotTransaction } from '../database.js';
import { callTelegram } from '../telegram-calls.js';
import { TelegramRejectedError, type ReplyMarkup, type TelegramGateway } from '../telegram-gateway.js';
import type { Reply } from './reply.js';

/**
 * Replies are written in the transaction that processes their update and sent afterwards. A
 * sender leases a reply before calling Telegram and marks it sent after, so a redelivered update
 * sends only what is still unsent and two senders never send the same reply; a crash between
 * Telegram's answer and the mark is the one window in which a reply can go out twice.
 */

export async function recordReplies(tx: BotTransaction, effectKey: string, botId: bigint, replies: readonly Reply[]): Promise<void> {
  if (replies.length === 0) return;
  await tx.outgoingReply.createMany({ data: replies.map((reply, seq) => replyRow(effectKey, seq, botId, reply)) });
}

/** A recorded reply, as its sender needs it. */
export type RecordedReply = Pick<OutgoingReply, 'id' | 'seq' | 'botId' | 'chatId' | 'text' | 'replyMarkup'>;

/**
 * recordReplies for the sender that is about to send them (issue 20): the rows are written
 * already leased to it until `leaseUntil` and returned, so sendRecordedReplies needs neither the
 * read of the pending replies nor a lease per reply after the commit (two round trips fewer per
 * update). The lease is the one deliverReplies would take a moment later: a crash between the
 * commit and the send leaves the replies to a redelivery once it lapses, as a crash after taking
 * the lease always did.
 */
export async function recordLeasedReplies(tx: BotTransaction, effectKey: string, botId: bigint, replies: readonly Reply[], leaseUntil: Date): Promise<RecordedReply[]> {
  if (replies.length === 0) return [];
  const rows = await tx.outgoingReply.createManyAndReturn({
    data: replies.map((reply, seq) => ({ ...replyRow(effectKey, seq, botId, reply), leaseUntil })),
    select: { id: true, seq: true, botId: true, chatId: true, text: true, replyMarkup: true },
  });
  return rows.sort((a, b) => a.seq - b.seq);
}

function replyRow(effectKey: string, seq: number, botId: bigint, reply: Reply) {
  return {
    effectKey,
    seq,
    botId,
    chatId: reply.chatId,
    text: reply.text,
    ...(reply.replyMarkup === undefined ? {} : { replyMarkup: reply.replyMarkup }),
  };
}

export interface DeliveryDeps {
  readonly db: BotDatabase;
  readonly gateway: TelegramGateway;
  readonly tokens: BotTokens;
  readonly clock: Clock;
  /** How long a sender holds a reply before another may take it over; default 60 s. */
  readonly leaseMs?: number;
  /** Aborted when the process stops: a failed "sent" mark is then no longer retried (markSent). */
  readonly stopping?: AbortSignal;
}

export interface DeliveryReport {
  readonly sent: number;
  /** Refused by Telegram for good (blocked by the user, chat gone) or the bot is gone; not retried. */
  readonly failed: number;
}

/** Another sender holds one of the replies right now; the update should be retried later. */
export class RepliesBusyError extends UnavailableError {
  override readonly name = 'RepliesBusyError';
}

const DEFAULT_LEASE_MS = 60_000;

/** When a reply recorded now may be taken over by another sender (see recordLeasedReplies). */
export function leaseEnd(deps: Pick<DeliveryDeps, 'clock' | 'leaseMs'>): Date {
  return new Date(deps.clock().getTime() + (deps.leaseMs ?? DEFAULT_LEASE_MS));
}

/** Sends the unsent replies of one update, in order. Throws a retryable error on a transient failure, keeping order. */
export async function deliverReplies(deps: DeliveryDeps, effectKey: string): Promise<DeliveryReport> {
  const { db } = deps;
  const pending = await db.outgoingReply.findMany({ where: { effectKey, sentAt: null, failure: null }, orderBy: { seq: 'asc' } });
  const report = { sent: 0, failed: 0 };
  for (const reply of pending) {
    const lease = await db.outgoingReply.updateMany({
      where: { id: reply.id, sentAt: null, failure: null, OR: [{ leaseUntil: null }, { leaseUntil: { lt: deps.clock() } }] },
      data: { leaseUntil: leaseEnd(deps) },
    });
    if (lease.count === 0) {
      const current = await db.outgoingReply.findUnique({ where: { id: reply.id }, select: { sentAt: true, failure: true } });
      if (current?.sentAt != null || current?.failure != null) continue;
      throw new RepliesBusyError(`reply ${reply.seq} of ${effectKey} is being sent by another worker`, { effect_key: effectKey });
    }
    await sendLeased(deps, reply, report, (botId) => deps.tokens.tokenFor(botId));
  }
  return report;
}

/**
 * Sends replies this sender recorded leased (recordLeasedReplies), in order. `tokenFor` may
 * answer from what the update's transaction already read (the child bot's row), falling back to
 * deps.tokens.
 */
export async function sendRecordedReplies(deps: DeliveryDeps, replies: readonly RecordedReply[], tokenFor?: (botId: bigint) => Promise<string | undefined>): Promise<DeliveryReport> {
  const report = { sent: 0, failed: 0 };
  for (const reply of replies) await sendLeased(deps, reply, report, tokenFor ?? ((botId) => deps.tokens.tokenFor(botId)));
  return report;
}

/** Sends one reply this sender holds the lease of, and settles it: sent, or refused for good. */
async function sendLeased(deps: DeliveryDeps, reply: RecordedReply, report: { sent: number; failed: number }, tokenFor: (botId: bigint) => Promise<string | undefined>): Promise<void> {
  const { db } = deps;
  const settle = (data: { sentAt: Date } | { failure: string }) =>
    db.outgoingReply.update({ where: { id: reply.id }, data: { ...data, leaseUntil: null } });
  const token = await tokenFor(reply.botId);
  if (token === undefined) {
    await settle({ failure: 'the bot is no longer connected' });
    report.failed += 1;
    return;
  }
  const message = {
    chatId: reply.chatId,
    text: reply.text,
    ...(reply.replyMarkup === null ? {} : { replyMarkup: reply.replyMarkup as unknown as ReplyMarkup }),
  };
  let result: 'sent' | TelegramRejectedError;
  try {
    result = await callTelegram('sendMessage', token, async () => {
      await deps.gateway.sendMessage(token, message);
      return 'sent' as const;
    });
  } catch (error) {
    await db.outgoingReply.update({ where: { id: reply.id }, data: { leaseUntil: null } });
    throw error;
  }
  if (result instanceof TelegramRejectedError) {
    await settle({ failure: `${result.errorCode} ${result.description}` });
    report.failed += 1;
  } else {
    await markSent(deps, () => settle({ sentAt: deps.clock() }));
    report.sent += 1;
  }
}

/** How long a reply Telegram accepted keeps trying to record that it was sent (markSent). */
export const MARK_SENT_RETRY_MS = 30_000;

/**
 * Records a send Telegram accepted. The send cannot be taken back, only its record is missing
 * (issue 21: the database restarting): throwing at once had the update redelivered and the reply
 * sent again once its lease lapsed. So the mark is retried (@nova/domain's retryRecord) for up to
 * MARK_SENT_RETRY_MS, while this handler still holds its update, then thrown as before; also
 * thrown at once when the process stops. test/services/postgres-restart.test.ts: no reply twice.
 */
async function markSent(deps: Pick<DeliveryDeps, 'stopping'>, mark: () => Promise<unknown>): Promise<void> {
  await retryRecord(mark, { until: Date.now() + MARK_SENT_RETRY_MS, stopping: deps.stopping });
}
