import { describe, expect, it } from '@jest/globals';
import { MalformedJsonError, NotAnUpdateError, readWebhookUpdate } from './telegram-update.js';

const bytes = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

function refusal(body: Uint8Array): Error {
  try {
    readWebhookUpdate(body);
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected a refusal');
}

describe('readWebhookUpdate', () => {
  it('takes the kind, the chat (the ordering key) and the sender of each kind of update', () => {
    const message = readWebhookUpdate(bytes({ update_id: 7, message: { message_id: 1, chat: { id: -100_5, type: 'supergroup' }, from: { id: 42, first_name: 'Ann' }, text: 'hi' } }));
    expect(message).toMatchObject({ updateId: 7, kind: 'message', chatId: -100_5, userId: 42 });
    const click = readWebhookUpdate(bytes({ update_id: 8, callback_query: { id: 'q', from: { id: 43 }, message: { message_id: 5, chat: { id: 43, type: 'private' } }, data: 'x' } }));
    expect(click).toMatchObject({ kind: 'callback_query', chatId: 43, userId: 43 });
    // No chat: the sender's private chat orders it; neither: 0.
    expect(readWebhookUpdate(bytes({ update_id: 9, inline_query: { id: 'i', from: { id: 44 }, query: '' } }))).toMatchObject({ chatId: 44, userId: 44 });
    expect(readWebhookUpdate(bytes({ update_id: 10, poll_answer: { poll_id: 'p', user: { id: 45 }, option_ids: [0] } }))).toMatchObject({ chatId: 45, userId: 45 });
    expect(readWebhookUpdate(bytes({ update_id: 11, poll: { id: 'p', question: '?' } }))).toMatchObject({ chatId: 0, userId: 0 });
    // A kind this code has never heard of passes on its shape.
    expect(readWebhookUpdate(bytes({ update_id: 12, some_future_kind: { chat: { id: 46 } } }))).toMatchObject({ kind: 'some_future_kind', chatId: 46 });
  });

  it('keeps the body as received, for the consumer and for a replay', () => {
    const body = bytes('{"update_id": 1, "message": {"chat": {"id": 1, "type": "private"}, "text": "тест"}}');
    expect(readWebhookUpdate(body).raw).toBe(body);
  });

  it('refuses what is not JSON, and JSON that is not an Update, saying why without echoing it', () => {
    expect(refusal(bytes('{"update_id": 1, "mess'))).toBeInstanceOf(MalformedJsonError);
    expect(refusal(new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]))).toBeInstanceOf(MalformedJsonError);
    expect(refusal(bytes(''))).toBeInstanceOf(MalformedJsonError);
    const cases: [unknown, RegExp][] = [
      [[1, 2], /not a JSON object/],
      [{ message: {} }, /update_id must be a non-negative integer/],
      [{ update_id: '5', message: {} }, /update_id/],
      [{ update_id: -1, message: {} }, /update_id/],
      [{ update_id: 1.5, message: {} }, /update_id/],
      [{ update_id: 1 }, /exactly one field beside update_id, this one has 0/],
      [{ update_id: 1, message: {}, edited_message: {} }, /this one has 2/],
      [{ update_id: 1, message: 'secret-looking text 123456:AAAA' }, /must be an object/],
      [{ update_id: 1, Message: {} }, /named like "message"/],
    ];
    for (const [body, reason] of cases) {
      const error = refusal(bytes(body));
      expect(error).toBeInstanceOf(NotAnUpdateError);
      expect(error.message).toMatch(reason);
      expect(error.message).not.toContain('AAAA');
    }
  });
});
