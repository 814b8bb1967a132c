/**
 * A deploy never changes a live TELEGRAM stream's partition count (issue 20): a process built or
 * configured with another count than the stream was created with keeps the stream's, says so in
 * its log, and its ordered consumers bind the stream's partitions. Changing the count in place
 * would move chats to other partitions while the old ones still hold their earlier updates.
 * Real JetStream (a nats-server of its own: the bus declares the fixed streams).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectJetStreamBus, partitionsOf, partitionTransform, type JetStreamTransport, type NovaBus } from '@nova/bus';
import { memoryLogger, startPrivateNats, testMetrics, until, type PrivateNats } from './support/nats.js';

let nats: PrivateNats;
const buses: NovaBus<JetStreamTransport>[] = [];

beforeAll(async () => {
  nats = await startPrivateNats();
});

afterAll(async () => {
  await Promise.all(buses.map((bus) => bus.close()));
  await nats.stop();
});

async function connectWith(name: string, partitions: number | undefined): Promise<{ bus: NovaBus<JetStreamTransport>; lines: () => Record<string, unknown>[] }> {
  const { logger, lines } = memoryLogger(name);
  const bus = await connectJetStreamBus({ servers: [nats.info.url], name, metrics: testMetrics(), logger, ...(partitions === undefined ? {} : { partitions }) });
  buses.push(bus);
  return { bus, lines };
}

describe('the TELEGRAM stream\'s partition count', () => {
  it('is set by the process that creates the stream, and kept by every later one that asks for another', async () => {
    const first = await connectWith('first', 8);
    const created = await first.bus.transport.jsm.streams.info('TELEGRAM');
    expect(partitionsOf(created.config)).toBe(8);
    expect(first.lines().filter((line) => line.level === 'warn')).toEqual([]);

    // A later deploy built with another default (or configured with another count).
    const later = await connectWith('later', 32);
    const after = await later.bus.transport.jsm.streams.info('TELEGRAM');
    expect(after.config.subject_transform).toEqual(partitionTransform(8));
    const warnings = later.lines().filter((line) => line.level === 'warn');
    expect(warnings).toEqual([expect.objectContaining({ stream: 'TELEGRAM', livePartitions: 8, askedPartitions: 32 })]);
    expect(String(warnings[0]?.msg)).toMatch(/keeps its 8 partitions \(this process asked for 32\).*drain-and-switch/);

    // Its ordered consumer binds the live stream's 8 partitions, and a chat's updates reach it.
    const handled: bigint[] = [];
    const binding = await later.bus.consumeUpdates({ name: 'partition-count', context: 'bot', botIds: [77], handle: (update) => { handled.push(update.updateId); return Promise.resolve(); } });
    const consumers: string[] = [];
    for await (const info of later.bus.transport.jsm.consumers.list('TELEGRAM')) consumers.push(info.name);
    expect(consumers.filter((name) => name.startsWith('partition-count')).length).toBe(8);
    for (const updateId of [1n, 2n, 3n]) await first.bus.publishUpdate({ botId: 77n, chatId: 5n, updateId, kind: 'message' });
    await until('the chat\'s three updates handled', () => handled.length === 3);
    expect(handled).toEqual([1n, 2n, 3n]);
    await binding.stop();
  });

  it('a process that asks for the live count changes nothing and says nothing', async () => {
    const same = await connectWith('same', 8);
    expect(partitionsOf((await same.bus.transport.jsm.streams.info('TELEGRAM')).config)).toBe(8);
    expect(same.lines().filter((line) => line.level === 'warn')).toEqual([]);
  });
});
