import { UnavailableError, type Clock } from '@nova/domain';
import type { BotTokens } from '../bot-tokens.js';
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
  await tx.outgoingReply.createMany({
    data: replies.map((reply, seq) => ({
      effectKey,
      seq,
      botId,
      chatId: reply.chatId,
      text: reply.text,
      ...(reply.replyMarkup === undefined ? {} : { replyMarkup: reply.replyMarkup }),
    })),
  });
}

export interface DeliveryDeps {
  readonly db: BotDatabase;
  readonly gateway: TelegramGateway;
  readonly tokens: BotTokens;
  readonly clock: Clock;
  /** How long a sender holds a reply before another may take it over; default 60 s. */
  readonly leaseMs?: number;
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

/** Sends the unsent replies of one update, in order. Throws a retryable error on a transient failure, keeping order. */
export async function deliverReplies(deps: DeliveryDeps, effectKey: string): Promise<DeliveryReport> {
  const { db } = deps;
  const pending = await db.outgoingReply.findMany({ where: { effectKey, sentAt: null, failure: null }, orderBy: { seq: 'asc' } });
  let sent = 0;
  let failed = 0;
  for (const reply of pending) {
    const now = deps.clock();
    const lease = await db.outgoingReply.updateMany({
      where: { id: reply.id, sentAt: null, failure: null, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      data: { leaseUntil: new Date(now.getTime() + (deps.leaseMs ?? DEFAULT_LEASE_MS)) },
    });
    if (lease.count === 0) {
      const current = await db.outgoingReply.findUnique({ where: { id: reply.id }, select: { sentAt: true, failure: true } });
      if (current?.sentAt != null || current?.failure != null) continue;
      throw new RepliesBusyError(`reply ${reply.seq} of ${effectKey} is being sent by another worker`, { effect_key: effectKey });
    }
    const settle = (data: { sentAt: Date } | { failure: string }) =>
      db.outgoingReply.update({ where: { id: reply.id }, data: { ...data, leaseUntil: null } });
    const token = await deps.tokens.tokenFor(reply.botId);
    if (token === undefined) {
      await settle({ failure: 'the bot is no longer connected' });
      failed += 1;
      continue;
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
      failed += 1;
    } else {
      await settle({ sentAt: deps.clock() });
      sent += 1;
    }
  }
  return { sent, failed };
}
