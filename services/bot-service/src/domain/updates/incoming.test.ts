import { describe, expect, it } from '@jest/globals';
import { MalformedUpdateError, readIncomingUpdate } from './incoming.js';

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

describe('readIncomingUpdate', () => {
  it('reads a private text message with its sender', () => {
    const raw = {
      update_id: 10,
      message: {
        message_id: 1,
        date: 1_700_000_000,
        chat: { id: 42, type: 'private', first_name: 'Анна' },
        from: { id: 42, is_bot: false, first_name: 'Анна', username: 'anna', language_code: 'ru' },
        text: '/start',
        entities: [{ type: 'bot_command', offset: 0, length: 6 }],
      },
    };
    const update = readIncomingUpdate(encode(raw));
    expect(update).toEqual({
      raw,
      updateId: 10n,
      message: {
        chatId: 42n,
        chatType: 'private',
        sender: { id: 42n, isBot: false, firstName: 'Анна', lastName: undefined, username: 'anna', languageCode: 'ru' },
        text: '/start',
      },
    });
  });

  it('keeps group chats negative, and a message without text or sender as such', () => {
    const update = readIncomingUpdate(encode({ update_id: 11, message: { chat: { id: -1001234567890, type: 'supergroup' }, sticker: {} } }));
    expect(update.message).toEqual({ chatId: -1001234567890n, chatType: 'supergroup', sender: undefined, text: undefined });
  });

  it('says "no message" for other kinds of update', () => {
    expect(readIncomingUpdate(encode({ update_id: 12, edited_message: { chat: { id: 1, type: 'private' } } })).message).toBeUndefined();
    expect(readIncomingUpdate(encode({ update_id: 13, message: { chat: { id: 1, type: 'secret' } } })).message).toBeUndefined();
  });

  it('refuses what is not an update with MalformedUpdateError', () => {
    for (const raw of ['not json', '[1]', '{"message":{}}', '{"update_id":-1}', '{"update_id":1.5}']) {
      expect(() => readIncomingUpdate(encode(raw))).toThrow(MalformedUpdateError);
    }
    expect(() => readIncomingUpdate(new Uint8Array([0xff, 0xfe]))).toThrow(/UTF-8 JSON/);
  });

  it('refuses a message whose text or entities telegraf could not route on', () => {
    const chat = { id: 1, type: 'private' };
    expect(() => readIncomingUpdate(encode({ update_id: 14, message: { chat, text: 42 } }))).toThrow(/text is not a string/);
    for (const entities of [{}, [{ type: 'bot_command', offset: '0', length: 6 }], [null]]) {
      expect(() => readIncomingUpdate(encode({ update_id: 15, message: { chat, text: '/start', entities } }))).toThrow(MalformedUpdateError);
    }
  });
});
