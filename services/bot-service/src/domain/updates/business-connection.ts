/**
 * A child bot's business_connection update (a Telegram Business account connected the bot,
 * changed its rights or disconnected it), read into the publisher's contract. The bots context
 * receives every child bot update; the publisher, which posts stories through these connections,
 * owns them (svc.publisher.record_business_connection).
 */
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { BusinessConnectionSchema, type BusinessConnection } from '@nova/contracts';
import type { Update } from 'telegraf/types';
import { MalformedUpdateError } from './incoming.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function safeInteger(value: unknown, field: string): bigint {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new MalformedUpdateError(`business_connection.${field} is not an integer`, { field: `business_connection.${field}` });
  return BigInt(value);
}

/** The update's BusinessConnection for `botId`, or undefined when the update is another kind. */
export function businessConnectionOf(raw: Update, botId: bigint): BusinessConnection | undefined {
  if (!('business_connection' in raw)) return undefined;
  const connection: unknown = raw.business_connection;
  if (!isObject(connection) || typeof connection.id !== 'string' || connection.id === '' || !isObject(connection.user)) {
    throw new MalformedUpdateError('business_connection is not a BusinessConnection', { field: 'business_connection' });
  }
  const rights = isObject(connection.rights) ? connection.rights : {};
  return create(BusinessConnectionSchema, {
    connectionId: connection.id,
    botId,
    userTelegramId: safeInteger(connection.user.id, 'user.id'),
    userChatId: safeInteger(connection.user_chat_id, 'user_chat_id'),
    canManageStories: rights.can_manage_stories === true,
    isEnabled: connection.is_enabled === true,
    date: timestampFromDate(new Date(Number(safeInteger(connection.date, 'date')) * 1000)),
  });
}
