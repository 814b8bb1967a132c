import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { UnprocessableMessageError, type Delivery } from '@nova/bus';
import { TelegramUpdateSchema } from '@nova/contracts';
import { UnavailableError } from '@nova/domain';
import { createLogger } from '@nova/platform';
import { Writable } from 'node:stream';
import { MalformedUpdateError, TokenKeyMismatchError, type UpdateProcessor } from '../domain/index.js';
import { updateHandler } from './update-handler.js';

const logger = createLogger({ name: 'test', level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });
const delivery: Delivery = { subject: 'telegram.update.1.2', idempotencyKey: '1:9', deliveryCount: 1, redelivered: false, routingKey: '2', sequence: 5, partition: 3 };
const update = create(TelegramUpdateSchema, { botId: 1n, chatId: 2n, updateId: 9n });

function failingWith(error: Error): UpdateProcessor {
  return () => Promise.reject(error);
}

async function outcome(process: UpdateProcessor): Promise<unknown> {
  try {
    await updateHandler(process, logger)(update, delivery);
    return 'acked';
  } catch (error) {
    return error;
  }
}

describe('updateHandler', () => {
  it('acks a processed update, lets the bus retry what may pass, dead-letters at once what cannot', async () => {
    expect(await outcome(() => Promise.resolve({ effectKey: 'update:1:9', repeated: false, registration: 'known', delivery: { sent: 1, failed: 0 } }))).toBe('acked');
    const unavailable = new UnavailableError('Telegram sendMessage failed: 502');
    expect(await outcome(failingWith(unavailable))).toBe(unavailable);
    const bug = new TypeError('cannot read properties of undefined');
    expect(await outcome(failingWith(bug))).toBe(bug);

    const malformed = await outcome(failingWith(new MalformedUpdateError('the update is not UTF-8 JSON', { field: 'raw_update' })));
    expect(malformed).toBeInstanceOf(UnprocessableMessageError);
    expect((malformed as Error).message).toBe('update 1:9 cannot be processed: MalformedUpdateError: the update is not UTF-8 JSON');
    const wrongKey = await outcome(failingWith(new TokenKeyMismatchError(1n, 'aaaa', 'bbbb')));
    expect(wrongKey).toBeInstanceOf(UnprocessableMessageError);
    expect((wrongKey as Error).cause).toBeInstanceOf(TokenKeyMismatchError);
  });
});
