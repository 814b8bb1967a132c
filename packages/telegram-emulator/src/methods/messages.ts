/** sendMessage, editMessageText, sendPhoto, deleteMessage, sendChatAction. */
import { createHash } from 'node:crypto';
import { badRequest } from '../api-failure.js';
import { optionalInteger, optionalJson, optionalString, type Params } from '../params.js';
import { unixTime, type Message } from '../wire.js';
import { postableChat, writableChat } from './chats.js';
import type { MethodHandler } from './types.js';

const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
const PARSE_MODES = new Set(['markdown', 'markdownv2', 'html']);

export const sendMessage: MethodHandler = (bot, params) => {
  const chat = postableChat(bot, params);
  const text = messageText(params);
  const markup = replyMarkup(params);
  const message: Message = {
    message_id: bot.takeMessageId(chat.id),
    from: bot.user,
    chat,
    date: unixTime(),
    text,
    ...entitiesOf(params),
    ...(isInlineKeyboard(markup) ? { reply_markup: markup } : {}),
  };
  bot.storeMessage(message);
  return { result: message };
};

export const editMessageText: MethodHandler = (bot, params) => {
  if (params['inline_message_id'] !== undefined) throw badRequest('MESSAGE_ID_INVALID');
  const chat = postableChat(bot, params);
  const messageId = optionalInteger(params, 'message_id');
  if (messageId === undefined) throw badRequest('message identifier is not specified');
  const current = bot.findMessage(chat.id, messageId);
  if (current === undefined) throw badRequest('message to edit not found');
  if (current.from?.id !== bot.id || current.text === undefined) throw badRequest("message can't be edited");
  const text = messageText(params);
  const markup = replyMarkup(params);
  const newMarkup = isInlineKeyboard(markup) ? markup : undefined;
  if (text === current.text && JSON.stringify(newMarkup) === JSON.stringify(current.reply_markup)) {
    throw badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
  }
  const edited: Message = {
    message_id: current.message_id,
    from: current.from,
    chat: current.chat,
    date: current.date,
    edit_date: unixTime(),
    text,
    ...entitiesOf(params),
    ...(newMarkup === undefined ? {} : { reply_markup: newMarkup }),
  };
  bot.replaceMessage(edited);
  return { result: edited };
};

export const sendPhoto: MethodHandler = (bot, params) => {
  const chat = postableChat(bot, params);
  const photo = params['photo'];
  if (photo === undefined || photo === '') throw badRequest('there is no photo in the request');
  const caption = optionalString(params, 'caption');
  if (caption !== undefined && caption.length > MAX_CAPTION) throw badRequest('message caption is too long');
  checkParseMode(params);
  const fileId = `AgAC${createHash('sha256').update(JSON.stringify(photo)).digest('base64url').slice(0, 40)}`;
  const markup = replyMarkup(params);
  const message: Message = {
    message_id: bot.takeMessageId(chat.id),
    from: bot.user,
    chat,
    date: unixTime(),
    photo: [
      { file_id: `${fileId}-s`, file_unique_id: `${fileId.slice(4, 20)}s`, width: 90, height: 90, file_size: 1_200 },
      { file_id: fileId, file_unique_id: fileId.slice(4, 20), width: 800, height: 800, file_size: 48_000 },
    ],
    ...(caption === undefined || caption === '' ? {} : { caption, ...captionEntitiesOf(params) }),
    ...(isInlineKeyboard(markup) ? { reply_markup: markup } : {}),
  };
  bot.storeMessage(message);
  return { result: message };
};

export const deleteMessage: MethodHandler = (bot, params) => {
  const chat = writableChat(bot, params);
  const messageId = optionalInteger(params, 'message_id');
  if (messageId === undefined || !bot.deleteMessage(chat.id, messageId)) throw badRequest('message to delete not found');
  return { result: true };
};

export const sendChatAction: MethodHandler = (bot, params) => {
  writableChat(bot, params);
  const action = optionalString(params, 'action');
  if (action === undefined || action === '') throw badRequest('action is empty');
  return { result: true };
};

function messageText(params: Params): string {
  const text = optionalString(params, 'text') ?? '';
  if (text.trim() === '') throw badRequest('message text is empty');
  if (text.length > MAX_TEXT) throw badRequest('message is too long');
  checkParseMode(params);
  return text;
}

function checkParseMode(params: Params): void {
  const mode = optionalString(params, 'parse_mode');
  if (mode !== undefined && mode !== '' && !PARSE_MODES.has(mode.toLowerCase())) throw badRequest('unsupported parse_mode');
}

function entitiesOf(params: Params): { entities?: Message['entities'] } {
  const entities = optionalJson(params, 'entities');
  if (entities === undefined) return {};
  if (!Array.isArray(entities)) throw badRequest("can't parse entities: entities must be an Array");
  return { entities: entities as Message['entities'] };
}

/** sendPhoto's caption_entities, kept on the message as Telegram does (Message.caption_entities). */
function captionEntitiesOf(params: Params): { caption_entities?: Message['entities'] } {
  const entities = optionalJson(params, 'caption_entities');
  if (entities === undefined) return {};
  if (!Array.isArray(entities)) throw badRequest("can't parse caption entities: caption_entities must be an Array");
  return { caption_entities: entities as Message['entities'] };
}

function replyMarkup(params: Params): unknown {
  const markup = optionalJson(params, 'reply_markup');
  if (markup === undefined) return undefined;
  if (typeof markup !== 'object' || markup === null) throw badRequest("can't parse reply keyboard markup JSON object");
  if ('inline_keyboard' in markup) {
    const rows: unknown = markup.inline_keyboard;
    if (!Array.isArray(rows) || !rows.every((row) => Array.isArray(row))) {
      throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays');
    }
    for (const button of rows.flat() as unknown[]) {
      if (typeof button !== 'object' || button === null || !('text' in button) || typeof button.text !== 'string') {
        throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
      }
    }
  }
  return markup;
}

/** Only inline keyboards are part of the Message Telegram answers with. */
function isInlineKeyboard(markup: unknown): markup is { inline_keyboard: unknown[] } {
  return typeof markup === 'object' && markup !== null && 'inline_keyboard' in markup;
}

