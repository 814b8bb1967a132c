/**
 * The business connections of child bots, as the bots context forwards Telegram's
 * business_connection updates: which Telegram Business account connected which bot, with which
 * rights. Telegram may deliver an older report after a newer one (redelivery, parallel webhooks):
 * the newer `date` wins. Which connection a story goes through is read here; its rights are asked
 * of Telegram again right before posting.
 */
import { create } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { RecordBusinessConnectionResponseSchema, type RecordBusinessConnectionRequest, type RecordBusinessConnectionResponse } from '@nova/contracts';
import { FailedPreconditionError, InvalidArgumentError, telegramChatId, telegramId, type Clock, type HandlerContext } from '@nova/domain';
import type { BusinessConnection as ConnectionRow } from '../generated/prisma/client.js';
import type { PublisherDatabase } from './database.js';
import { connectionMessage } from './story-mapping.js';
import { connectionIdOf } from './story-validation.js';
import { refusal } from './refuse.js';

export function recordBusinessConnectionHandler(db: PublisherDatabase, clock: Clock) {
  return async (request: RecordBusinessConnectionRequest, _ctx: HandlerContext): Promise<RecordBusinessConnectionResponse> => {
    const connection = request.connection;
    if (connection === undefined) throw refusal(InvalidArgumentError, 'field-required', { field: 'connection' }, { field: 'connection' });
    const connectionId = connectionIdOf(connection.connectionId);
    if (connectionId === undefined) throw new InvalidArgumentError('connection.connection_id is required', { field: 'connection.connection_id' });
    if (connection.date === undefined) throw refusal(InvalidArgumentError, 'field-required', { field: 'connection.date' }, { field: 'connection.date' });
    const data = {
      botId: telegramId(connection.botId, 'connection.bot_id'),
      userTelegramId: telegramId(connection.userTelegramId, 'connection.user_telegram_id'),
      userChatId: telegramChatId(connection.userChatId, 'connection.user_chat_id'),
      canManageStories: connection.canManageStories,
      isEnabled: connection.isEnabled,
      date: timestampDate(connection.date),
      recordedAt: clock(),
    };
    const stored = await db.$transaction(async (tx) => {
      // Serialises reports of one connection, so "the newer wins" holds under concurrency too.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${connectionId}))`;
      const existing = await tx.businessConnection.findUnique({ where: { connectionId } });
      if (existing !== null && existing.date.getTime() > data.date.getTime()) return existing;
      return tx.businessConnection.upsert({ where: { connectionId }, create: { connectionId, ...data }, update: data });
    });
    return create(RecordBusinessConnectionResponseSchema, { connection: connectionMessage(stored) });
  };
}

/** Why a story cannot go out through a bot's business connection, in words the owner can act on. */
export class NoStoryConnectionError extends FailedPreconditionError {
  override readonly name = 'NoStoryConnectionError';
}

/**
 * The connection a story of `owner` through `botId` uses: the one named, when it is the bot's;
 * otherwise the owner's own business account's enabled connection of the bot (the newest).
 */
export async function storyConnection(db: PublisherDatabase, botId: bigint, owner: bigint, named: string | undefined): Promise<ConnectionRow> {
  const details = { bot_id: botId.toString() };
  if (named !== undefined) {
    const row = await db.businessConnection.findUnique({ where: { connectionId: named } });
    if (row?.botId !== botId || !row.isEnabled) throw refusal(NoStoryConnectionError, 'business-connection-missing', { bot: botId.toString() }, { ...details, business_connection_id: named });
    return row;
  }
  const row = await db.businessConnection.findFirst({ where: { botId, userTelegramId: owner, isEnabled: true }, orderBy: { date: 'desc' } });
  if (row === null) {
    throw refusal(NoStoryConnectionError, 'business-connection-missing', { bot: botId.toString() }, details);
  }
  return row;
}
