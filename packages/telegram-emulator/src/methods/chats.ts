import { badRequest, forbidden } from '../api-failure.js';
import type { BotState } from '../bot-state.js';
import { requiredChatId, type Params } from '../params.js';
import type { Chat } from '../wire.js';

/** The chat named by chat_id, if this bot may write there (a user talked to it, or it was added to the group). */
export function writableChat(bot: BotState, params: Params): Chat {
  const chatId = requiredChatId(params);
  const chat = typeof chatId === 'number' ? bot.chats.get(chatId) : [...bot.chats.values()].find((known) => `@${known.username ?? ''}` === chatId);
  if (chat === undefined) throw badRequest('chat not found');
  if (chat.type === 'private' && bot.blockedBy.has(chat.id)) throw forbidden('bot was blocked by the user');
  return chat;
}
