/**
 * Checks of the publisher's requests, before anything is stored. Each failure is an
 * InvalidArgumentError naming the field (details.field); values are never echoed.
 */
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { PostContent } from '@nova/contracts';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { InvalidArgumentError, telegramChatId, text } from '@nova/domain';
import type { OutgoingPost, PostButton, PostEntity } from './ports.js';
import { refusal } from './refuse.js';

/** Telegram's limits (Bot API: sendMessage text 1-4096, sendPhoto caption 0-1024 characters after entity parsing). */
export const MAX_TEXT = 4096;
export const MAX_CAPTION = 1024;
/** Telegram refuses more than 100 inline buttons in one keyboard; 8 fit side by side. */
const MAX_BUTTONS = 100;
const MAX_BUTTONS_PER_ROW = 8;
const MAX_BUTTON_TEXT = 64;
/**
 * A broadcast's reach: 10,000 chats are about 5.5 minutes of one bot's budget, and their ids about
 * 100 kB of request (NATS takes 1 MB per message).
 */
export const MAX_CHANNELS_PER_POST = 10_000;
const MAX_PHOTO_REF = 2048;
const BUTTON_URL = /^(https?|tg):\/\/\S+$/;

/** Entity types of the Bot API (MessageEntity.type) that a post's author can set. */
const ENTITY_TYPES = new Set([
  'mention', 'hashtag', 'cashtag', 'bot_command', 'url', 'email', 'phone_number', 'bold', 'italic', 'underline',
  'strikethrough', 'spoiler', 'blockquote', 'expandable_blockquote', 'code', 'pre', 'text_link', 'custom_emoji',
]);

export function postContent(content: PostContent | undefined): OutgoingPost {
  if (content === undefined) throw refusal(InvalidArgumentError, 'content-missing', {}, { field: 'content' });
  const photo = text(content.photo, 'content.photo', { max: MAX_PHOTO_REF, pattern: /^\S+$/, patternHint: 'a file_id or URL without whitespace' });
  // A photo post may have no caption; a text post needs text. Limits are Telegram's, in UTF-16 units.
  const body = photo === undefined
    ? text(content.text, 'content.text', { max: MAX_TEXT, required: true })
    : text(content.text, 'content.text', { max: MAX_CAPTION });
  if (body !== undefined && body.trim() === '' && photo === undefined) throw refusal(InvalidArgumentError, 'text-blank', {}, { field: 'content.text' });
  const finalText = body ?? '';
  return { text: finalText, entities: entities(content, finalText.length), photo, buttons: buttons(content) };
}

function entities(content: PostContent, textLength: number): PostEntity[] {
  return content.entities.map((entity, index) => {
    const field = `content.entities[${String(index)}]`;
    if (!ENTITY_TYPES.has(entity.type)) throw refusal(InvalidArgumentError, 'entity-type', { position: String(index + 1) }, { field: `${field}.type` });
    if (entity.offset < 0 || entity.length <= 0 || entity.offset + entity.length > textLength) {
      throw refusal(InvalidArgumentError, 'entity-outside', { position: String(index + 1) }, { field });
    }
    if (entity.type === 'text_link' && !BUTTON_URL.test(entity.url)) throw refusal(InvalidArgumentError, 'entity-url', { position: String(index + 1) }, { field: `${field}.url` });
    return {
      type: entity.type,
      offset: entity.offset,
      length: entity.length,
      ...(entity.url === '' ? {} : { url: entity.url }),
      ...(entity.language === '' ? {} : { language: entity.language }),
      ...(entity.customEmojiId === '' ? {} : { custom_emoji_id: entity.customEmojiId }),
    };
  });
}

function buttons(content: PostContent): PostButton[][] {
  const rows = content.buttons.map((row, r) => {
    if (row.buttons.length === 0 || row.buttons.length > MAX_BUTTONS_PER_ROW) {
      throw refusal(InvalidArgumentError, 'button-row-size', { row: String(r + 1), max: String(MAX_BUTTONS_PER_ROW) }, { field: `content.buttons[${String(r)}]` });
    }
    return row.buttons.map((button, b) => {
      const field = `content.buttons[${String(r)}][${String(b)}]`;
      const label = text(button.text, `${field}.text`, { max: MAX_BUTTON_TEXT, required: true }) ?? '';
      const url = text(button.url, `${field}.url`, { max: MAX_PHOTO_REF, required: true, pattern: BUTTON_URL, patternHint: 'an http(s) or tg:// URL' }) ?? '';
      return { text: label, url };
    });
  });
  if (rows.flat().length > MAX_BUTTONS) throw refusal(InvalidArgumentError, 'buttons-too-many', { max: String(MAX_BUTTONS) }, { field: 'content.buttons' });
  return rows;
}

/** The chats of a post: at least one, each a chat id, no repeats (order kept). */
export function postChats(chatIds: readonly bigint[]): bigint[] {
  if (chatIds.length === 0) throw refusal(InvalidArgumentError, 'no-chats', {}, { field: 'chat_ids' });
  if (chatIds.length > MAX_CHANNELS_PER_POST) throw refusal(InvalidArgumentError, 'too-many-chats', { max: String(MAX_CHANNELS_PER_POST) }, { field: 'chat_ids' });
  const seen = new Set<bigint>();
  for (const chatId of chatIds) {
    telegramChatId(chatId, 'chat_ids');
    if (seen.has(chatId)) throw refusal(InvalidArgumentError, 'chat-listed-twice', { chat: chatId.toString() }, { field: 'chat_ids', chat_id: chatId.toString() });
    seen.add(chatId);
  }
  return [...seen];
}

/**
 * When to publish: `now` when absent; a time in the past is refused (a second of slack absorbs
 * the clock difference between the caller and this process).
 */
export function publishTime(at: Timestamp | undefined, now: Date, field = 'publish_at'): Date {
  if (at === undefined) return now;
  const when = timestampDate(at);
  if (Number.isNaN(when.getTime())) throw refusal(InvalidArgumentError, 'time-invalid', {}, { field });
  if (when.getTime() < now.getTime() - 1_000) throw refusal(InvalidArgumentError, 'time-past', {}, { field });
  return when;
}
