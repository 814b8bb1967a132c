/**
 * What a webhook body must be to be stored: a Telegram Update (https://core.telegram.org/bots/api#update),
 * i.e. a JSON object with a non-negative integer `update_id` and exactly one other field, an
 * object, named after the update's kind ("message", "callback_query", ...). Kinds Telegram adds
 * later pass as they are: only the shape is checked, the consumer decides what it handles.
 */

export interface WebhookUpdate {
  readonly updateId: number;
  /** The field Telegram set, e.g. "message". */
  readonly kind: string;
  /** The ordering key: the update's chat, else the sender (their private chat), else 0. */
  readonly chatId: number;
  /** The sender, 0 when the update has none. */
  readonly userId: number;
  /** The body as received: the consumer reads it, and a replay sees the original. */
  readonly raw: Uint8Array;
}

/** The body is not JSON (or not UTF-8). */
export class MalformedJsonError extends Error {
  override readonly name = 'MalformedJsonError';
  constructor() {
    super('the body is not JSON');
  }
}

/** The body is JSON but not a Telegram Update; `reason` says which rule it broke (never echoing the body). */
export class NotAnUpdateError extends Error {
  override readonly name = 'NotAnUpdateError';
  constructor(readonly reason: string) {
    super(`the body is not a Telegram Update: ${reason}`);
  }
}

type Json = Record<string, unknown>;

const KIND = /^[a-z][a-z_]{0,63}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function idOf(value: unknown): number | undefined {
  return isObject(value) && typeof value.id === 'number' && Number.isSafeInteger(value.id) ? value.id : undefined;
}

function chatOf(body: Json): number | undefined {
  return idOf(body.chat) ?? (isObject(body.message) ? idOf(body.message.chat) : undefined);
}

function senderOf(body: Json): number | undefined {
  return idOf(body.from) ?? idOf(body.user);
}

export function readWebhookUpdate(body: Uint8Array): WebhookUpdate {
  let parsed: unknown;
  try {
    parsed = JSON.parse(UTF8.decode(body));
  } catch {
    throw new MalformedJsonError();
  }
  if (!isObject(parsed)) throw new NotAnUpdateError('not a JSON object');
  const updateId = parsed.update_id;
  if (typeof updateId !== 'number' || !Number.isSafeInteger(updateId) || updateId < 0) throw new NotAnUpdateError('update_id must be a non-negative integer');
  const kinds = Object.keys(parsed).filter((key) => key !== 'update_id');
  if (kinds.length !== 1) throw new NotAnUpdateError(`an update has exactly one field beside update_id, this one has ${String(kinds.length)}`);
  const kind = kinds[0] ?? '';
  const content = parsed[kind];
  if (!KIND.test(kind) || !isObject(content)) throw new NotAnUpdateError('the update\'s field must be an object named like "message"');
  const userId = senderOf(content) ?? 0;
  const chatId = chatOf(content) ?? userId;
  return { updateId, kind, chatId, userId, raw: body };
}
