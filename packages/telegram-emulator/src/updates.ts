/** Builds the Updates a simulated user causes, as Telegram would send them. */
import { randomBytes } from 'node:crypto';
import type { BotState } from './bot-state.js';
import type { CallbackQuery, Chat, Message, MessageEntity, Update, User } from './wire.js';
import { unixTime } from './wire.js';

export interface UserSpec {
  readonly id: number;
  readonly first_name: string;
  readonly last_name?: string;
  readonly username?: string;
  readonly language_code?: string;
}

export interface UserMessage {
  readonly from: UserSpec;
  /** Default: the private chat with `from`. */
  readonly chat?: Chat;
  readonly text: string;
}

export interface UserClick {
  readonly from: UserSpec;
  /** The bot's message whose inline button was pressed. */
  readonly chatId: number;
  readonly messageId: number;
  readonly data: string;
}

/** `/command` and `/command@botname` at the start of a word, as Telegram marks them (UTF-16 offsets). */
export function commandEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (const match of text.matchAll(/(^|\s)(\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?)/gu)) {
    const offset = match.index + (match[1]?.length ?? 0);
    entities.push({ type: 'bot_command', offset, length: match[2]?.length ?? 0 });
  }
  return entities;
}

export function asUser(spec: UserSpec): User {
  return { ...spec, is_bot: false };
}

export function privateChatOf(user: UserSpec): Chat {
  return {
    id: user.id,
    type: 'private',
    first_name: user.first_name,
    ...(user.last_name === undefined ? {} : { last_name: user.last_name }),
    ...(user.username === undefined ? {} : { username: user.username }),
  };
}

export function messageUpdate(bot: BotState, input: UserMessage): Update {
  const chat = input.chat ?? privateChatOf(input.from);
  bot.knowChat(chat);
  const entities = commandEntities(input.text);
  const message: Message = {
    message_id: bot.takeMessageId(chat.id),
    from: asUser(input.from),
    chat,
    date: unixTime(),
    text: input.text,
    ...(entities.length > 0 ? { entities } : {}),
  };
  bot.storeMessage(message);
  return { update_id: bot.takeUpdateId(), message };
}

export function callbackQueryUpdate(bot: BotState, click: UserClick, message: Message): Update {
  const query: CallbackQuery = {
    id: BigInt(`0x${randomBytes(8).toString('hex')}`).toString(),
    from: asUser(click.from),
    message,
    chat_instance: String(click.chatId * 7919 + bot.id),
    data: click.data,
  };
  bot.callbackQueries.set(query.id, { query, answer: undefined });
  return { update_id: bot.takeUpdateId(), callback_query: query };
}
