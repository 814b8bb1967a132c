import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { BotSchema, type Bot } from '@nova/contracts';
import type { Bot as BotRow } from '../generated/prisma/client.js';

/** A row as the contract's Bot: no token, no secret, only what may travel on the bus. */
export function botMessage(row: BotRow, audienceSize: bigint | number): Bot {
  return create(BotSchema, {
    botId: row.botId,
    username: row.username,
    ownerTelegramId: row.ownerTelegramId,
    greeting: row.greeting,
    createdAt: timestampFromDate(row.createdAt),
    audienceSize: BigInt(audienceSize),
    blocked: row.blockedAt !== null,
    blockedReason: row.blockedReason ?? '',
  });
}
