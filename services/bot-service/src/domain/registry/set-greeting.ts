import { create } from '@bufbuild/protobuf';
import { SetBotGreetingResponseSchema, type SetBotGreetingRequest, type SetBotGreetingResponse } from '@nova/contracts';
import { telegramId, type Clock, type HandlerContext } from '@nova/domain';
import type { BotDatabase } from '../database.js';
import { validGreeting } from '../greeting.js';
import { botMessage } from '../mapping.js';
import { ownedBot } from './owned-bot.js';

/** Changes what a child bot answers; only its owner may. Repeating it changes nothing more. */
export async function setBotGreeting(
  deps: { readonly db: BotDatabase; readonly clock: Clock },
  request: SetBotGreetingRequest,
  _ctx: HandlerContext,
): Promise<SetBotGreetingResponse> {
  const botId = telegramId(request.botId, 'bot_id');
  const owner = telegramId(request.ownerTelegramId, 'owner_telegram_id');
  const greeting = validGreeting(request.greeting);
  return deps.db.$transaction(async (tx) => {
    await ownedBot(tx, botId, owner);
    const row = await tx.bot.update({ where: { botId }, data: { greeting, updatedAt: deps.clock() } });
    const audience = await tx.botAudience.count({ where: { botId } });
    return create(SetBotGreetingResponseSchema, { bot: botMessage(row, audience) });
  });
}
