import { NotFoundError, PermissionDeniedError } from '@nova/domain';
import type { Bot as BotRow } from '../../generated/prisma/client.js';
import type { BotDatabase, BotTransaction } from '../database.js';

/** The bot, if the caller owns it: NOT_FOUND when there is none, PERMISSION_DENIED when it is someone else's. */
export async function ownedBot(db: BotDatabase | BotTransaction, botId: bigint, owner: bigint): Promise<BotRow> {
  const row = await db.bot.findUnique({ where: { botId } });
  if (row === null) throw new NotFoundError(`no child bot ${botId}`, { bot_id: botId.toString() });
  if (row.ownerTelegramId !== owner) {
    throw new PermissionDeniedError(`child bot ${botId} belongs to another user`, { bot_id: botId.toString() });
  }
  return row;
}
