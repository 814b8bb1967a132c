/**
 * The monolith's bus: same interface and semantics as on JetStream where domain code relies on
 * them (typed errors, timeouts, no responders, msgID de-dup, retries visible to handlers, dead
 * letters and replay, per-chat order with chats in parallel).
 */
import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger, Metrics } from '@nova/platform';
import { CircuitOpenError } from '@nova/resilience';
import { createInProcessBus } from '../connect.js';
import { InvalidArgumentError, NoRespondersError, NotFoundError, RequestTimeoutError, UnprocessableMessageError } from '../errors.js';
import type { Delivery } from '../types.js';

function bus(options: { circuit?: { failureThreshold: number; windowSize: number; openMs: number } } = {}) {
  const logger = createLogger({ name: 'test', level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });
  const metrics = new Metrics({ namespace: 'test', side: 'legacy', defaults: false });
  return { bus: createInProcessBus({ metrics, logger, requestTimeoutMs: 500, ...options }), metrics };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('in-process requests', () => {
  it('answers through protobuf, with typed errors, timeouts and no-responders', async () => {
    const { bus: b, metrics } = bus();
    await b.serve('user', {
      'svc.user.get': async (request) => {
        if (request.telegramId === 0n) throw new InvalidArgumentError('telegram_id must be set');
        if (request.telegramId === 404n) throw new NotFoundError('no such user', { telegram_id: '404' });
        if (request.telegramId === 999n) await new Promise((resolve) => setTimeout(resolve, 1_000));
        return { user: { telegramId: request.telegramId, firstName: 'Ann' } };
      },
    });
    expect((await b.request('svc.user.get', { telegramId: 5n })).user?.telegramId).toBe(5n);
    await expect(b.request('svc.user.get', { telegramId: 404n })).rejects.toMatchObject({ constructor: NotFoundError, details: { telegram_id: '404' }, service: 'user' });
    await expect(b.request('svc.user.get', { telegramId: 0n })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(b.request('svc.user.get', { telegramId: 999n }, { timeoutMs: 50 })).rejects.toBeInstanceOf(RequestTimeoutError);
    await expect(b.request('svc.bot.get', { botId: 1n })).rejects.toBeInstanceOf(NoRespondersError);
    expect(await metrics.text()).toMatch(/nova_bus_messages_total\{namespace="test",side="legacy",context="user",outcome="ok"\} [1-9]/);
    await b.close();
  });

  it('opens the callee\'s circuit on repeated no-responders, as on NATS', async () => {
    const { bus: b } = bus({ circuit: { failureThreshold: 2, windowSize: 2, openMs: 60_000 } });
    for (let i = 0; i < 2; i++) await expect(b.request('svc.bot.get', { botId: 1n })).rejects.toBeInstanceOf(NoRespondersError);
    await expect(b.request('svc.bot.get', { botId: 1n })).rejects.toBeInstanceOf(CircuitOpenError);
    await b.close();
  });
});

describe('in-process events and updates', () => {
  it('de-duplicates msgIDs, retries with the same idempotency key, dead-letters and replays', async () => {
    const { bus: b } = bus();
    const deliveries: Delivery[] = [];
    let healthy = false;
    await b.consumeEvents({
      name: 'welcome', context: 'bot', subjects: ['nova.user.registered'], maxDeliver: 2, backoffMs: [10],
      handle: (_event, delivery) => {
        deliveries.push(delivery);
        return healthy ? Promise.resolve() : Promise.reject(new Error('not yet'));
      },
    });
    const event = { user: { telegramId: 1n }, botId: 1n };
    const first = await b.publishEvent('nova.user.registered', event, { key: 1n });
    expect(await b.publishEvent('nova.user.registered', event, { key: 1n })).toEqual({ duplicate: true, sequence: first.sequence });
    await until(() => b.transport.deadLetters().length === 1);
    expect(deliveries.map((d) => [d.deliveryCount, d.redelivered, d.idempotencyKey])).toEqual([[1, false, 'nova.user.registered:1'], [2, true, 'nova.user.registered:1']]);
    expect(b.transport.deadLetters()[0]).toMatchObject({ subject: 'nova.user.registered', consumer: 'welcome', deliveries: 2, error: 'Error: not yet' });
    healthy = true;
    expect(b.transport.replay([first.sequence])).toBe(1);
    await until(() => deliveries.length === 3);
    expect(deliveries[2]?.idempotencyKey).toBe('nova.user.registered:1');
    expect(b.transport.deadLetters()).toEqual([]);
    await b.close();
  });

  it('dead-letters at once what the handler calls unprocessable, spending no retries on it', async () => {
    const { bus: b } = bus();
    const attempts: number[] = [];
    await b.consumeUpdates({
      name: 'strict', context: 'bot', maxDeliver: 5, backoffMs: [10],
      handle: (_update, delivery) => {
        attempts.push(delivery.deliveryCount);
        return Promise.reject(new UnprocessableMessageError('the update names a bot that is not the main bot'));
      },
    });
    await b.publishUpdate({ botId: 1n, chatId: 1n, updateId: 1n });
    await until(() => b.transport.deadLetters().length === 1);
    expect(attempts).toEqual([1]);
    expect(b.transport.deadLetters()[0]).toMatchObject({ consumer: 'strict', deliveries: 1, error: 'UnprocessableMessageError: the update names a bot that is not the main bot' });
    await b.close();
  });

  it('keeps each chat in order behind a failing update while other chats go on', async () => {
    const { bus: b } = bus();
    const log: string[] = [];
    let failures = 0;
    await b.consumeUpdates({
      name: 'updates', context: 'bot', maxDeliver: 5, backoffMs: [100],
      handle: (update) => {
        if (update.chatId === 1n && update.updateId === 2n && failures++ < 2) return Promise.reject(new Error('flaky'));
        log.push(`${String(update.chatId)}:${String(update.updateId)}`);
        return Promise.resolve();
      },
    });
    for (let id = 1; id <= 3; id++) {
      await b.publishUpdate({ botId: 1n, chatId: 1n, updateId: BigInt(id) });
      await b.publishUpdate({ botId: 1n, chatId: 2n, updateId: BigInt(10 + id) });
    }
    await until(() => log.length === 6);
    expect(log.filter((e) => e.startsWith('1:'))).toEqual(['1:1', '1:2', '1:3']);
    // Chat 2 finished while chat 1 waited for its retries.
    expect(log.indexOf('2:13')).toBeLessThan(log.indexOf('1:2'));
    await b.close();
  });
});
