import { RecordingTelegram } from '@nova/telegram';
import type { Context } from 'telegraf';
import type { Chat, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update } from 'telegraf/types';
import type { ReplyMarkup } from '../telegram-gateway.js';
import type { Reply } from './reply.js';

/**
 * What the bots' telegraf handlers send becomes outbox rows, not Bot API calls: the handlers run
 * on a ReplyRecorder's telegram, which turns each sendMessage into a Reply. The processor writes
 * those replies into outgoing_replies in the update's own transaction, and deliverReplies sends
 * them after the commit (Decided 4: a redelivered update finds them recorded and answers nothing
 * twice). A call the outbox cannot hold is refused, so nothing reaches Telegram behind its back.
 */

/** A handler made a Telegram call that the reply outbox cannot hold (a bug in the handler, not bad input). */
export class UnrecordableCallError extends Error {
  override readonly name = 'UnrecordableCallError';
  constructor(
    readonly method: string,
    readonly reason: string,
  ) {
    super(`cannot record ${method} into the reply outbox: ${reason}`);
  }
}

/** What sendMessage may carry into the outbox (its columns); the keys telegraf sets to undefined are ignored. */
const RECORDED_FIELDS = new Set(['chat_id', 'text', 'reply_markup']);

/** The Message telegraf's caller gets back: not sent yet, so message_id 0 (Telegram numbers it when the outbox sends it). */
export type RecordedMessage = Message.TextMessage;

type Json = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Buttons that only send their text back (no contact, location or web app requests: the outbox does not model them). */
function isKeyboard(value: unknown): boolean {
  const isTextButton = (button: unknown) => isObject(button) && typeof button.text === 'string' && Object.keys(button).length === 1;
  return Array.isArray(value) && value.every((row) => Array.isArray(row) && row.every(isTextButton));
}

function optionalBoolean(value: unknown): boolean {
  return value === undefined || typeof value === 'boolean';
}

/** The reply keyboards the outbox keeps (ReplyMarkup), read back from telegraf's payload. */
function replyMarkupOf(value: unknown): ReplyMarkup | undefined {
  if (value === undefined) return undefined;
  if (isObject(value) && value.remove_keyboard === true && Object.keys(value).length === 1) return { remove_keyboard: true };
  if (isObject(value) && isKeyboard(value.keyboard) && optionalBoolean(value.resize_keyboard) && optionalBoolean(value.is_persistent)) {
    const extra = Object.keys(value).filter((key) => !['keyboard', 'resize_keyboard', 'is_persistent'].includes(key));
    if (extra.length === 0) return value as ReplyMarkup;
  }
  throw new UnrecordableCallError('sendMessage', 'reply_markup must be a reply keyboard (buttons with text only) or its removal');
}

export class ReplyRecorder {
  readonly #replies: Reply[] = [];
  /** The telegraf Telegram to build the update's context with. */
  readonly telegram = new RecordingTelegram((method, payload) => this.#record(method, payload));

  /**
   * @param chat the chat of the update being answered: a bot answers where it was spoken to.
   * @param now the date the recorded messages carry.
   */
  constructor(
    private readonly chat: Chat | undefined,
    private readonly now: Date,
  ) {}

  /** A recorder for the replies to this update: in its message's chat (an update without a message has no one to answer). */
  static answering(update: Update, now: Date): ReplyRecorder {
    return new ReplyRecorder('message' in update ? update.message.chat : undefined, now);
  }

  /** The replies recorded so far, in the order the handlers sent them. */
  get replies(): readonly Reply[] {
    return this.#replies;
  }

  #record(method: string, payload: Json): RecordedMessage {
    if (method !== 'sendMessage') throw new UnrecordableCallError(method, 'the outbox holds messages only; other calls go through the TelegramGateway');
    const unknown = Object.keys(payload).filter((key) => payload[key] !== undefined && !RECORDED_FIELDS.has(key));
    if (unknown.length > 0) throw new UnrecordableCallError(method, `the outbox keeps chat_id, text and reply_markup, not ${unknown.join(', ')}`);
    const { chat_id: chatId, text } = payload;
    if (this.chat === undefined || chatId !== this.chat.id) throw new UnrecordableCallError(method, 'a reply goes to the chat of the update it answers');
    if (typeof text !== 'string') throw new UnrecordableCallError(method, 'text must be a string');
    const replyMarkup = replyMarkupOf(payload.reply_markup);
    this.#replies.push({ chatId: BigInt(this.chat.id), text, ...(replyMarkup === undefined ? {} : { replyMarkup }) });
    return { message_id: 0, date: Math.floor(this.now.getTime() / 1000), chat: this.chat, text };
  }
}

/** telegraf's type for a reply keyboard the outbox holds (the domain's are read-only). */
function telegrafMarkup(markup: ReplyMarkup): ReplyKeyboardMarkup | ReplyKeyboardRemove {
  if ('remove_keyboard' in markup) return { remove_keyboard: true };
  return { ...markup, keyboard: markup.keyboard.map((row) => row.map((button) => ({ ...button }))) };
}

/** Sends a reply the decision layer made, through the context's telegram (a ReplyRecorder's: into the outbox). */
export async function say(ctx: Context, reply: Reply): Promise<void> {
  await ctx.telegram.sendMessage(Number(reply.chatId), reply.text, reply.replyMarkup === undefined ? {} : { reply_markup: telegrafMarkup(reply.replyMarkup) });
}
