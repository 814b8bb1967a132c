import { readIncomingUpdate, type IncomingUpdate } from './incoming.js';

/** For unit tests: updates shaped as Telegram sends them, read as the processor reads them. */

export interface Person {
  readonly id: number;
  readonly first_name: string;
  readonly is_bot?: boolean;
}

export interface ChatSpec {
  readonly id: number;
  readonly type: string;
}

/** A leading "/command" or "/command@name", marked as Telegram marks it (a bot_command entity). */
function commandEntities(text: string): { type: 'bot_command'; offset: number; length: number }[] {
  const command = /^\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?/.exec(text);
  return command === null ? [] : [{ type: 'bot_command', offset: 0, length: command[0].length }];
}

let nextUpdateId = 1;

/** A message from `from` (in their private chat unless `chat` is given): text, or a sticker when text is undefined. */
export function messageUpdate(from: Person | undefined, text: string | undefined, chat: ChatSpec | undefined = from && { id: from.id, type: 'private' }): IncomingUpdate {
  const entities = text === undefined ? [] : commandEntities(text);
  const update = {
    update_id: nextUpdateId++,
    message: {
      message_id: 1,
      date: 1_700_000_000,
      chat,
      ...(from === undefined ? {} : { from: { is_bot: false, ...from } }),
      ...(text === undefined ? { sticker: { file_id: 'x' } } : { text }),
      ...(entities.length > 0 ? { entities } : {}),
    },
  };
  return readIncomingUpdate(new TextEncoder().encode(JSON.stringify(update)));
}

export function rawUpdate(update: Record<string, unknown>): IncomingUpdate {
  return readIncomingUpdate(new TextEncoder().encode(JSON.stringify({ update_id: nextUpdateId++, ...update })));
}
