/**
 * The bus on real JetStream (a nats-server of its own): msgID de-duplication, redelivery with
 * backoff, poison → DLQ → replay with the nova-bus CLI, per-chat order under a failing message
 * with other chats progressing, and the per-message metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectJetStreamBus, listDeadLetters, type Delivery, type JetStreamTransport, type NovaBus } from '@nova/bus';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { memoryLogger, startPrivateNats, testMetrics, until, type PrivateNats } from './support/nats.js';
import { NODE, ROOT } from './support/processes.js';

let nats: PrivateNats;
let publisher: NovaBus<JetStreamTransport>;
let consumer: NovaBus<JetStreamTransport>;
const consumerMetrics = testMetrics('target');

beforeAll(async () => {
  nats = await startPrivateNats();
  publisher = await connectJetStreamBus({ servers: [nats.info.url], name: 'publisher', metrics: testMetrics(), logger: memoryLogger('publisher').logger });
  consumer = await connectJetStreamBus({ servers: [nats.info.url], name: 'consumer', metrics: consumerMetrics, logger: memoryLogger('consumer').logger });
});

afterAll(async () => {
  await consumer.close();
  await publisher.close();
  await nats.stop();
});

const user = (telegramId: bigint) => ({ user: { telegramId, firstName: `user ${String(telegramId)}` }, botId: 1n });

describe('publish', () => {
  it('stores a repeated msgID once (JetStream de-duplication) and the consumer sees it once', async () => {
    const seen: string[] = [];
    const binding = await consumer.consumeUpdates({ name: 'dedup', context: 'bot', botIds: [9001], handle: (update) => { seen.push(String(update.updateId)); return Promise.resolve(); } });
    const update = { botId: 9001n, chatId: 5n, updateId: 42n, kind: 'message' };
    const first = await publisher.publishUpdate(update);
    const again = await publisher.publishUpdate(update);
    await publisher.publishUpdate({ ...update, updateId: 43n });
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ duplicate: true, sequence: first.sequence });
    await until('both updates consumed', () => seen.length >= 2);
    await new Promise((done) => setTimeout(done, 300));
    expect(seen).toEqual(['42', '43']);
    await binding.stop();
  });
});

describe('redelivery', () => {
  it('retries a failing handler after the backoff, with the same idempotency key and a growing delivery count', async () => {
    const attempts: { at: number; delivery: Delivery }[] = [];
    const binding = await consumer.consumeEvents({
      name: 'redelivery', context: 'user', subjects: ['nova.user.registered'], maxDeliver: 5, backoffMs: [300, 600],
      handle: (_event, delivery) => {
        attempts.push({ at: Date.now(), delivery });
        return attempts.length < 3 ? Promise.reject(new Error(`transient failure ${String(attempts.length)}`)) : Promise.resolve();
      },
    });
    await publisher.publishEvent('nova.user.registered', user(1001n), { key: 1001n });
    await until('three attempts', () => attempts.length >= 3);
    expect(attempts.map((a) => a.delivery.deliveryCount)).toEqual([1, 2, 3]);
    expect(attempts.map((a) => a.delivery.redelivered)).toEqual([false, true, true]);
    expect(new Set(attempts.map((a) => a.delivery.idempotencyKey))).toEqual(new Set(['nova.user.registered:1001']));
    const [a, b, c] = attempts.map((x) => x.at) as [number, number, number];
    expect(b - a).toBeGreaterThanOrEqual(280);
    expect(c - b).toBeGreaterThanOrEqual(580);
    await binding.stop();
  });
});

describe('dead letters', () => {
  it('moves a poison message to the DLQ after maxDeliver attempts, and a replay by the CLI gets it processed', async () => {
    let healthy = false;
    const processed: Delivery[] = [];
    const binding = await consumer.consumeUpdates({
      name: 'poison', context: 'bot', botIds: [9002], maxDeliver: 2, backoffMs: [100],
      handle: (update, delivery) => {
        if (update.updateId === 666n && !healthy) return Promise.reject(new Error('cannot handle update 666 (token 123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA)'));
        processed.push(delivery);
        return Promise.resolve();
      },
    });
    await publisher.publishUpdate({ botId: 9002n, chatId: -77n, updateId: 666n, kind: 'message' });
    await publisher.publishUpdate({ botId: 9002n, chatId: -77n, updateId: 667n, kind: 'message' });
    await until('the poison is dead-lettered', async () => (await listDeadLetters(consumer.transport.jsm, { subject: 'telegram.update.9002.*' })).length === 1);
    await until('the next update of the chat went on', () => processed.some((d) => d.idempotencyKey === '9002:667'));
    const [dead] = await listDeadLetters(consumer.transport.jsm, { subject: 'telegram.update.9002.*' });
    expect(dead).toMatchObject({ stream: 'TELEGRAM', subject: 'telegram.update.9002.-77', deliveries: 2, consumer: 'poison', msgId: '9002:666' });
    expect(dead?.error).toContain('cannot handle update 666');
    expect(dead?.error).not.toContain('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');

    const run = promisify(execFile);
    const listed = await run(NODE, [resolve(ROOT, 'packages/bus/dist/cli.js'), 'dlq', 'list', '--server', nats.info.url]);
    expect(listed.stdout).toContain(`${String(dead?.dlqSequence)}\tTELEGRAM\ttelegram.update.9002.-77`);
    healthy = true;
    const replayed = await run(NODE, [resolve(ROOT, 'packages/bus/dist/cli.js'), 'dlq', 'replay', '--seq', String(dead?.dlqSequence), '--server', nats.info.url]);
    expect(replayed.stdout).toContain('-> telegram.update.9002.-77');
    await until('the replayed update is processed', () => processed.some((d) => d.idempotencyKey === '9002:666'));
    const replay = processed.find((d) => d.idempotencyKey === '9002:666');
    expect(replay?.subject).toBe('telegram.update.9002.-77');
    expect(replay?.routingKey).toBe('-77');
    expect(await listDeadLetters(consumer.transport.jsm, { subject: 'telegram.update.9002.*' })).toEqual([]);
    await binding.stop();
  });

  it('refuses a replay without a selection', async () => {
    const run = promisify(execFile);
    await expect(run(NODE, [resolve(ROOT, 'packages/bus/dist/cli.js'), 'dlq', 'replay', '--server', nats.info.url])).rejects.toMatchObject({ code: 2 });
  });
});

describe('per-chat order', () => {
  it('holds a chat behind its failing message while chats in other partitions go on', async () => {
    const BOT = 9003n;
    const log: { chat: string; update: number; at: number; partition: number | undefined; deliveryCount: number }[] = [];
    let failures = 0;
    const binding = await consumer.consumeUpdates({
      name: 'order', context: 'bot', botIds: [BOT], maxDeliver: 5, backoffMs: [800],
      handle: (update, delivery) => {
        if (update.chatId === 1n && update.updateId === 1002n && failures < 2) {
          failures++;
          return Promise.reject(new Error('chat 1 update 2 fails twice'));
        }
        log.push({ chat: String(update.chatId), update: Number(update.updateId), at: Date.now(), partition: delivery.partition, deliveryCount: delivery.deliveryCount });
        return Promise.resolve();
      },
    });
    const chats = Array.from({ length: 12 }, (_, i) => i + 1);
    for (let i = 1; i <= 5; i++) {
      for (const chat of chats) await publisher.publishUpdate({ botId: BOT, chatId: BigInt(chat), updateId: BigInt(chat * 1000 + i), kind: 'message' });
    }
    await until('every update handled', () => log.length === chats.length * 5, 30_000);
    for (const chat of chats) {
      const updates = log.filter((e) => e.chat === String(chat)).map((e) => e.update);
      expect({ chat, updates }).toEqual({ chat, updates: [1, 2, 3, 4, 5].map((i) => chat * 1000 + i) });
    }
    const held = log.find((e) => e.update === 1002);
    expect(held?.deliveryCount).toBe(3);
    const partitionOfChat1 = log.find((e) => e.chat === '1')?.partition;
    const otherPartitions = chats.filter((chat) => log.find((e) => e.chat === String(chat))?.partition !== partitionOfChat1);
    expect(otherPartitions.length).toBeGreaterThan(0);
    // Chats in other partitions finished while chat 1 waited for its retries.
    for (const chat of otherPartitions) {
      const last = Math.max(...log.filter((e) => e.chat === String(chat)).map((e) => e.at));
      expect({ chat, finishedBeforeChat1Resumed: last < (held?.at ?? 0) }).toEqual({ chat, finishedBeforeChat1Resumed: true });
    }
    await binding.stop();
  });
});

describe('metrics', () => {
  it('counts handled messages by context and outcome, labelled with the side', async () => {
    const text = await consumerMetrics.text();
    expect(text).toMatch(/nova_bus_messages_total\{namespace="test",side="target",context="bot",outcome="ok"\} \d+/);
    expect(text).toMatch(/nova_bus_messages_total\{namespace="test",side="target",context="user",outcome="error"\} 2/);
    expect(text).toMatch(/nova_bus_message_duration_seconds_bucket\{le="0.005",namespace="test",side="target",context="bot"\} \d+/);
    expect(text).toMatch(/nova_bus_dead_letters_total\{namespace="test",side="target",context="bot"\} 1/);
  });

  it('counts work done outside a message (a scheduler\'s hand-offs) in the same series, an item per message', async () => {
    consumer.recordWork('notification', { ok: true, seconds: 0.003, items: 20 });
    consumer.recordWork('notification', { ok: false, seconds: 0.5, items: 3 });
    consumer.recordWork('notification', { ok: true, seconds: 0.1, items: 0 });
    const text = await consumerMetrics.text();
    expect(text).toMatch(/nova_bus_messages_total\{namespace="test",side="target",context="notification",outcome="ok"\} 20\n/);
    expect(text).toMatch(/nova_bus_messages_total\{namespace="test",side="target",context="notification",outcome="error"\} 3\n/);
    expect(text).toMatch(/nova_bus_message_duration_seconds_bucket\{le="0.005",namespace="test",side="target",context="notification"\} 20\n/);
    expect(text).toMatch(/nova_bus_message_duration_seconds_count\{namespace="test",side="target",context="notification"\} 23\n/);
  });
});
