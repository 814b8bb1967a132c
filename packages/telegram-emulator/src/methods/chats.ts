import { badRequest, forbidden } from '../api-failure.js';
import type { BotState } from '../bot-state.js';
import { requiredChatId, type Params } from '../params.js';
import type { Chat } from '../wire.js';

/**
 * The chat named by chat_id, if this bot may reach it (a user talked to it, or it was added to
 * the group or channel): a bot that was removed gets Telegram's 403 for every call there.
 */
export function writableChat(bot: BotState, params: Params): Chat {
  const chatId = requiredChatId(params);
  const chat = typeof chatId === 'number' ? bot.chats.get(chatId) : [...bot.chats.values()].find((known) => `@${known.username ?? ''}` === chatId);
  // A person who exists (wrote to another bot) but never started this one: Telegram's 403.
  if (chat === undefined && typeof chatId === 'number' && bot.people.has(chatId)) throw forbidden('bot can\'t initiate conversation with a user');
  if (chat === undefined) throw badRequest('chat not found');
  if (chat.type === 'private' && bot.blockedBy.has(chat.id)) throw forbidden('bot was blocked by the user');
  const membership = bot.memberships.get(chat.id);
  if (membership?.status === 'kicked') throw forbidden(`bot was kicked from the ${chat.type} chat`);
  if (membership?.status === 'left') throw forbidden(`bot is not a member of the ${chat.type} chat`);
  return chat;
}

/**
 * writableChat, for sending or editing a message: in a channel only an administrator with
 * can_post_messages may post (Telegram answers 400 "need administrator rights in the channel
 * chat"). A channel known without a membership keeps the old behaviour (writable).
 */
export function postableChat(bot: BotState, params: Params): Chat {
  const chat = writableChat(bot, params);
  const membership = bot.memberships.get(chat.id);
  if (chat.type === 'channel' && membership !== undefined && membership.status !== 'creator' && !(membership.status === 'administrator' && membership.canPostMessages === true)) {
    throw badRequest('need administrator rights in the channel chat');
  }
  return chat;
}
