import { InvalidArgumentError } from '@nova/domain';
import type { Update } from 'telegraf/types';

/**
 * The part of a Telegram update the bots context acts on: a message with its chat, sender and
 * text (https://core.telegram.org/bots/api#update). Everything else (edits, photos' captions,
 * inline queries) is "no message" for now and is acknowledged without a reply.
 */
export interface IncomingSender {
  readonly id: bigint;
  readonly isBot: boolean;
  readonly firstName: string;
  readonly lastName: string | undefined;
  readonly username: string | undefined;
  readonly languageCode: string | undefined;
}

export type ChatType = 'private' | 'group' | 'supergroup' | 'channel';

export interface IncomingMessage {
  readonly chatId: bigint;
  readonly chatType: ChatType;
  readonly sender: IncomingSender | undefined;
  /** undefined for a message without text (sticker, photo, ...). */
  readonly text: string | undefined;
}

export interface IncomingUpdate {
  readonly updateId: bigint;
  /** undefined when the update is not a new message. */
  readonly message: IncomingMessage | undefined;
  /**
   * The update as Telegram sent it, for telegraf to route. Checked where the routes read it: the
   * fields above, and a message's text and command entities.
   */
  readonly raw: Update;
}

/** The raw update is not a Telegram update at all; redelivering it cannot help. */
export class MalformedUpdateError extends InvalidArgumentError {
  override readonly name = 'MalformedUpdateError';
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function integer(value: unknown): bigint | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

const CHAT_TYPES: readonly string[] = ['private', 'group', 'supergroup', 'channel'];

function sender(value: unknown): IncomingSender | undefined {
  if (!isObject(value)) return undefined;
  const id = integer(value.id);
  if (id === undefined) return undefined;
  return {
    id,
    isBot: value.is_bot === true,
    firstName: typeof value.first_name === 'string' ? value.first_name : '',
    lastName: optionalString(value.last_name),
    username: optionalString(value.username),
    languageCode: optionalString(value.language_code),
  };
}

function isEntity(value: unknown): boolean {
  return isObject(value) && typeof value.type === 'string' && integer(value.offset) !== undefined && integer(value.length) !== undefined;
}

/** telegraf reads a message's text and entities to find commands: they must be what Telegram sends, or the update is not Telegram's. */
function checkTextAndEntities(value: Json): void {
  if ('text' in value && typeof value.text !== 'string') throw new MalformedUpdateError('the message text is not a string', { field: 'raw_update' });
  if ('entities' in value && !(Array.isArray(value.entities) && value.entities.every(isEntity))) {
    throw new MalformedUpdateError('the message entities are not a list of entities', { field: 'raw_update' });
  }
}

function message(value: unknown): IncomingMessage | undefined {
  if (!isObject(value)) return undefined;
  checkTextAndEntities(value);
  if (!isObject(value.chat)) return undefined;
  const chatId = integer(value.chat.id);
  const chatType = value.chat.type;
  if (chatId === undefined || typeof chatType !== 'string' || !CHAT_TYPES.includes(chatType)) return undefined;
  return { chatId, chatType: chatType as ChatType, sender: sender(value.from), text: typeof value.text === 'string' ? value.text : undefined };
}

/** Reads the update JSON the gateway stored (TelegramUpdate.raw_update). */
export function readIncomingUpdate(raw: Uint8Array): IncomingUpdate {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw new MalformedUpdateError('the update is not UTF-8 JSON', { field: 'raw_update' });
  }
  if (!isObject(parsed)) throw new MalformedUpdateError('the update is not a JSON object', { field: 'raw_update' });
  const updateId = integer(parsed.update_id);
  if (updateId === undefined || updateId < 0n) throw new MalformedUpdateError('the update has no update_id', { field: 'raw_update' });
  // What the routes read was checked above; telegraf takes the rest of the update as it is.
  return { updateId, message: message(parsed.message), raw: parsed as unknown as Update };
}
