/**
 * Routing of stored messages on real JetStream: the side is decided when a message is published
 * (Telegram updates by the stored subject, telegram.update.* or telegram.legacy.*; events by the
 * Nova-Route header stamped for every consuming context), so a message stored before a switch is
 * handled by the side it was addressed to, and every message exactly once, while the weight
 * moves under a stream of messages. A legacy process and a target process stand in for the
 * monolith and the services; a third one publishes, like the webhook gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { routingBucket, type Binding } from '@nova/bus';
import type { Side } from '@nova/platform';
import { startBusProcess, startPrivateNats, until, Weights, type BusProcess } from './support/fleet.js';

const BOT = 4242n;

let nats: Awaited<ReturnType<typeof startPrivateNats>>;
let weights: Weights;
let legacy: BusProcess;
let target: BusProcess;
let publisher: BusProcess;
/** Every handling: message id → the sides that handled it, in order. */
const handled = new Map<string, Side[]>();
/** Per chat, the side that handled each of its updates, by update id (the publishing order). */
const sidesOfChat = new Map<string, Map<bigint, Side>>();

function record(id: string, side: Side): void {
  handled.set(id, [...(handled.get(id) ?? []), side]);
}

function consumeUpdates(process: BusProcess, side: Side, name: string): Promise<Binding> {
  return process.bus.consumeUpdates({
    name, context: 'bot', botIds: [BOT], ackWaitMs: 5_000,
    handle: (update, delivery) => {
      expect(delivery.subject).toBe(`telegram.update.${String(BOT)}.${String(update.chatId)}`);
      record(delivery.idempotencyKey, side);
      const chat = String(update.chatId);
      sidesOfChat.set(chat, (sidesOfChat.get(chat) ?? new Map<bigint, Side>()).set(update.updateId, side));
      return Promise.resolve();
    },
  });
}

function consumeEvents(process: BusProcess, side: Side, name: string): Promise<Binding> {
  return process.bus.consumeEvents({
    name, context: 'notification', subjects: ['nova.user.registered'],
    handle: (_event, delivery) => { record(delivery.idempotencyKey, side); return Promise.resolve(); },
  });
}

beforeAll(async () => {
  nats = await startPrivateNats();
  // A TELEGRAM stream as the bus declared it before routing (one side's subjects, 2-token
  // partition transform): the first routed process brings it to the shape both sides need.
  const nc = await connect({ servers: [nats.info.url] });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({
    name: 'TELEGRAM', subjects: ['telegram.update.>'],
    subject_transform: { src: 'telegram.update.*.*', dest: 'telegram.update.{{wildcard(1)}}.{{wildcard(2)}}.{{partition(16,1,2)}}' },
  });
  await nc.close();
  [legacy, target, publisher] = await Promise.all([
    startBusProcess(nats.info.url, 'monolith-1', 'legacy'),
    startBusProcess(nats.info.url, 'bot-service-1', 'target'),
    startBusProcess(nats.info.url, 'webhook-gateway-1', 'target'),
  ]);
  weights = new Weights(nats.info.url);
});

afterAll(async () => {
  await Promise.all([legacy.bus.close(), target.bus.close(), publisher.bus.close()]);
  await weights.close();
  await nats.stop();
});

describe('the TELEGRAM stream', () => {
  it('was brought to both sides\' subjects and a partition transform that covers them', async () => {
    const info = await publisher.bus.transport.jsm.streams.info('TELEGRAM');
    expect(info.config.subjects).toEqual(['telegram.update.>', 'telegram.legacy.>']);
    expect(info.config.subject_transform).toEqual({ src: 'telegram.*.*.*', dest: 'telegram.{{wildcard(1)}}.{{wildcard(2)}}.{{wildcard(3)}}.{{partition(16,2,3)}}' });
  });
});

describe('updates, routed at publish by their stored subject', () => {
  it('handles each update once, by one side, while the weight moves 0 → 30 → 60 → 100 → 0 under the stream', async () => {
    const [legacyUpdates, targetUpdates] = await Promise.all([consumeUpdates(legacy, 'legacy', 'monolith-updates'), consumeUpdates(target, 'target', 'bot-service-updates')]);
    const chats = Array.from({ length: 200 }, (_, index) => BigInt(900_000 + index * 31));
    let updateId = 1n;
    let published = 0;
    const publishing = { on: true };
    const publishingDone = (async () => {
      while (publishing.on) {
        await Promise.all(chats.map((chat) => publisher.bus.publishUpdate({ botId: BOT, chatId: chat, updateId: updateId++, kind: 'message' })));
        published += chats.length;
      }
    })();
    for (const weight of [30, 60, 100, 0]) {
      await until(`${String(published)} updates published before the switch to ${String(weight)}`, () => published >= 400 * (1 + [30, 60, 100, 0].indexOf(weight)));
      await weights.set('bot', weight);
    }
    await until('some updates published after the last switch', () => published >= 2_200);
    publishing.on = false;
    await publishingDone;
    await until(`all ${String(published)} updates handled`, () => handled.size === published, 60_000);
    await Promise.all([legacyUpdates.stop(), targetUpdates.stop()]);

    const twice = [...handled.entries()].filter(([, sides]) => sides.length !== 1);
    expect(twice).toEqual([]);
    const sides = [...handled.values()].flat();
    expect(sides.filter((side) => side === 'target').length).toBeGreaterThan(0);
    expect(sides.filter((side) => side === 'legacy').length).toBeGreaterThan(0);
    // In publishing order, one chat's side changes only with the weight: at most legacy → target →
    // legacy as it rose then fell to 0. (In handling order the two sides interleave at a switch:
    // the old side may still finish a chat's earlier update while the new side takes its next.)
    for (const [chat, byUpdate] of sidesOfChat) {
      const chatSides = [...byUpdate.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, side]) => side);
      const switches = chatSides.filter((side, index) => index > 0 && side !== chatSides[index - 1]).length;
      expect({ chat, switches: switches <= 2, last: chatSides.at(-1) }).toEqual({ chat, switches: true, last: 'legacy' });
    }
  });

  it('an update already stored is handled by the side it was addressed to, whatever the weight is now', async () => {
    handled.clear();
    const chats = Array.from({ length: 50 }, (_, index) => BigInt(1_000_000 + index));
    // Nobody consumes: both sides are down while the updates are stored at weight 0 (all legacy's).
    for (const chat of chats) await publisher.bus.publishUpdate({ botId: BOT, chatId: chat, updateId: 10_000n + chat, kind: 'message' });
    await weights.set('bot', 100);
    const [targetUpdates, legacyUpdates] = [await consumeUpdates(target, 'target', 'bot-service-updates'), await consumeUpdates(legacy, 'legacy', 'monolith-updates')];
    await until('the 50 stored updates handled', () => handled.size === 50);
    expect(new Set([...handled.values()].flat())).toEqual(new Set(['legacy']));
    await Promise.all([legacyUpdates.stop(), targetUpdates.stop()]);
    await weights.set('bot', 0);
  });
});

describe('events, routed at publish by the Nova-Route stamp of each consuming context', () => {
  it('handles each event once, on the side of the consuming context (notification) the stamp names', async () => {
    handled.clear();
    await weights.set('notification', 50);
    const [legacyEvents, targetEvents] = await Promise.all([consumeEvents(legacy, 'legacy', 'monolith-notify'), consumeEvents(target, 'target', 'notification-service-notify')]);
    const users = Array.from({ length: 200 }, (_, index) => 500_000 + index);
    for (const user of users) await publisher.bus.publishEvent('nova.user.registered', { user: { telegramId: BigInt(user) }, botId: BOT }, { key: user, routingKey: user });
    await until('every event handled once', () => handled.size === users.length && [...handled.values()].every((sides) => sides.length === 1));
    for (const user of users) {
      const expected: Side = routingBucket('notification', String(user)) < 50 ? 'target' : 'legacy';
      expect({ user, side: handled.get(`nova.user.registered:${String(user)}`)?.[0] }).toEqual({ user, side: expected });
    }

    // Stored while both consumers are down, at 50; handled after a rollback to 0 by the side stamped at publish.
    await Promise.all([legacyEvents.stop(), targetEvents.stop()]);
    handled.clear();
    const later = users.map((user) => user + 10_000);
    for (const user of later) await publisher.bus.publishEvent('nova.user.registered', { user: { telegramId: BigInt(user) }, botId: BOT }, { key: user, routingKey: user });
    await weights.set('notification', 0);
    await Promise.all([consumeEvents(legacy, 'legacy', 'monolith-notify'), consumeEvents(target, 'target', 'notification-service-notify')]);
    await until('the stored events handled', () => handled.size === later.length);
    const onTarget = later.filter((user) => handled.get(`nova.user.registered:${String(user)}`)?.[0] === 'target');
    expect(onTarget).toEqual(later.filter((user) => routingBucket('notification', String(user)) < 50));
    expect(onTarget.length).toBeGreaterThan(0);
    await until('nothing handled twice', () => [...handled.values()].every((sides) => sides.length === 1));
  });
});
