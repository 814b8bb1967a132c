/**
 * The notification context's per-chat canary (ARCHITECTURE.md, Decided 13), counted: the real
 * publisher handlers on the test bed's PostgreSQL, served on a real JetStream bus (a private
 * nats-server); two scheduler replicas per side, each started as the service and the monolith
 * start theirs (startNotificationContext) with its own real KvRouter following the weight this
 * test writes into nova_routing, as the operator does. Telegram is a port that counts sends.
 *
 * The property: while posts fall due every second and the notification weight steps 0 → 100 and
 * back to 0, every due post is published exactly once (one send per post, one PUBLISHED answer),
 * and each is handed by the side its owner's bucket gives it at the weight of the moment. A hand-off
 * by the other side is allowed only inside a weight change (between its write and the moment every
 * router applied it, plus one tick), counted and reported.
 *
 * Durable work items: a scheduler that dies after handing part of a tick's posts (its request in
 * flight, the publisher still working on it) leaves the rest due, and the next tick of another
 * replica hands them: every post once.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { connectJetStreamBus, KvRouter, openRoutingBuckets, type Bus, type NovaBus } from '@nova/bus';
import { CreatePostRequestSchema, encodeRoutingRecord, LinkChannelRequestSchema, ListDueRequestSchema, PublishDueRequestSchema } from '@nova/contracts';
import { migrate } from '@nova/db';
import type { EventPublisher } from '@nova/domain';
import { handDuePosts, sideChats, sideOfChat, tickIdAt, tickStart, type SchedulerSide, type TickRecord } from '@nova/notification-service/domain';
import { busDuePosts, notificationWeight, openSchedulerBucket, NatsKvStore, startNotificationContext, type NotificationContextConfig } from '@nova/notification-service/wiring';
import { createPublisherHandlers, openPublisherDatabase, PUBLISHER_MIGRATIONS_DIR, type ChannelTelegram, type PublisherDatabase } from '@nova/publisher-service/domain';
import { TelegramClients } from '@nova/telegram';
import { serveContext } from '@nova/wiring';
import { Registry } from 'prom-client';
import { memoryLogger, startPrivateNats, testMetrics, until, type PrivateNats } from '../bus/support/nats.js';
import { createTestDatabase, type TestDatabase } from '../domain/support/database.js';

jest.setTimeout(240_000);

const INTERVAL_MS = 1_000;
const CONFIG: NotificationContextConfig = { NOVA_NOTIFY_PUBLISH_INTERVAL: INTERVAL_MS, NOVA_NOTIFY_SUBSCRIPTION_INTERVAL: 3_600_000, NOVA_SCHEDULER_LEASE_TTL: 3_000 };
/** 0 → 100 → 0, each held for a few ticks. */
const WEIGHTS = [10, 30, 50, 70, 90, 100, 60, 20, 0];
const STEP_MS = 2_500;
const OWNERS = Array.from({ length: 40 }, (_, i) => 7_000_001n + BigInt(i));
const BOT_OF = (owner: bigint): bigint => owner + 1_000_000_000n;
const CHANNEL_OF = (owner: bigint): bigint => -1_002_000_000_000n - owner;
const ctx = {};

let nats: PrivateNats;
let nc: NatsConnection;
let database: TestDatabase;
let db: PublisherDatabase;
let publisherBus: NovaBus;
let callerBus: NovaBus;
let routing: KV;
let fence = 0;
const stops: (() => Promise<void>)[] = [];
const routers: KvRouter[] = [];

/** Every send Telegram took: the post's text (unique per post) and the channel. */
const sends: { text: string; chatId: bigint }[] = [];
const telegram: ChannelTelegram = {
  getChat: (_botId, chatId) => Promise.resolve({ id: chatId, kind: 'channel', title: `Channel ${chatId.toString()}` }),
  getBotMembership: () => Promise.resolve({ status: 'administrator', canPostMessages: true }),
  sendPost: (_botId, chatId, post) => {
    sends.push({ text: post.text, chatId });
    return Promise.resolve({ messageId: BigInt(sends.length) });
  },
};
const noEvents: EventPublisher = { publish: () => Promise.resolve() };

type HandOff = { side: SchedulerSide; replica: string; ids: bigint[]; at: number };
const handOffs: HandOff[] = [];
const publishedBy: { side: SchedulerSide; ids: bigint[] }[] = [];
/** Per side: posts in publish_due calls that answered, and publish_due posts or list_due calls that failed. */
const calls = { legacy: { handed: 0, failed: 0 }, target: { handed: 0, failed: 0 } };
/** Per side: what the notification context told its bus it did (recordWork), as the stage-6 analysis reads it. */
const work = { legacy: { ok: 0, error: 0, other: 0 }, target: { ok: 0, error: 0, other: 0 } };

/** A replica's bus: the test's NATS bus, recording each hand-off (publish_due by id), what it published, and the work reported. */
function recordingBus(side: SchedulerSide, replica: string): Pick<Bus, 'request' | 'recordWork'> {
  const request = async (subject: string, message: unknown, options?: unknown): Promise<unknown> => {
    const at = Date.now();
    const ask = callerBus.request.bind(callerBus) as (s: string, m: unknown, o?: unknown) => Promise<unknown>;
    if (subject === 'svc.publisher.list_due') return ask(subject, message, options).catch((error: unknown) => { calls[side].failed += 1; throw error; });
    if (subject !== 'svc.publisher.publish_due') return ask(subject, message, options);
    const ids = [...(message as { postIds: bigint[] }).postIds];
    handOffs.push({ side, replica, ids, at });
    const answer = (await ask(subject, message, options).catch((error: unknown) => { calls[side].failed += ids.length; throw error; })) as { publishedPostIds: bigint[] };
    calls[side].handed += ids.length;
    publishedBy.push({ side, ids: [...answer.publishedPostIds] });
    return answer;
  };
  const recordWork: Bus['recordWork'] = (context, done) => {
    if (context !== 'notification') work[side].other += done.items;
    else work[side][done.ok ? 'ok' : 'error'] += done.items;
  };
  return { request: request as Bus['request'], recordWork };
}

async function writeWeight(weight: number): Promise<void> {
  fence += 1;
  await routing.put('notification', encodeRoutingRecord({ weight, fence, owner: { namespace: 'nova', name: 'stage-6-notifications', uid: 'canary-test' }, released: false, writtenAt: new Date().toISOString() }));
}

async function startReplica(side: SchedulerSide, index: number, bucket: string): Promise<void> {
  const name = `${side}-${String(index)}`;
  const { logger } = memoryLogger(name);
  const router = await KvRouter.start({ nc, side, process: name, logger, heartbeatMs: 1_000 });
  routers.push(router);
  const host = { logger, metrics: testMetrics(side), readiness: { add: () => undefined }, onStop: (_name: string, step: () => Promise<void>) => { stops.push(step); } };
  const clients = new TelegramClients({ apiRoot: 'http://127.0.0.1:9', registry: new Registry() });
  startNotificationContext(host, {
    bus: recordingBus(side, name),
    store: new NatsKvStore(await openSchedulerBucket(nc, bucket)),
    config: CONFIG,
    clients,
    mainBotToken: '1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    routing: { side, weight: notificationWeight(router) },
  });
}

beforeAll(async () => {
  nats = await startPrivateNats();
  nc = await connect({ servers: nats.info.url, name: 'canary-test' });
  database = await createTestDatabase('nova_notify_canary');
  await migrate({ connectionString: database.url, schema: 'publisher_service', migrationsDir: PUBLISHER_MIGRATIONS_DIR });
  db = openPublisherDatabase({ connectionString: database.url, maxConnections: 8 });
  const handlers = createPublisherHandlers({
    db,
    publisher: noEvents,
    telegram,
    notifier: { sendReport: () => Promise.resolve() },
    locales: { localeOf: () => Promise.resolve('en' as const) },
    bots: { ownerOf: (botId) => Promise.resolve(botId - 1_000_000_000n) },
    entitlement: { hasPostingSubscription: () => Promise.resolve(true) },
    sendLeaseMs: 30_000,
  });
  for (const owner of OWNERS) await handlers.link_channel(create(LinkChannelRequestSchema, { ownerTelegramId: owner, botId: BOT_OF(owner), chatId: CHANNEL_OF(owner) }), ctx);
  const logger = memoryLogger('canary-publisher').logger;
  publisherBus = await connectJetStreamBus({ servers: [nats.info.url], name: 'publisher', metrics: testMetrics(), logger });
  await serveContext(publisherBus, 'publisher', handlers);
  // The subscriptions job has nothing to do here; answered so its hourly tick does not fail.
  await publisherBus.serve('payment', {
    'svc.payment.expiring': () => Promise.resolve({ subscriptions: [] }),
    'svc.payment.expire_due': () => Promise.resolve({ expired: 0 }),
  });
  callerBus = await connectJetStreamBus({ servers: [nats.info.url], name: 'schedulers', metrics: testMetrics(), logger: memoryLogger('canary-schedulers').logger });
  ({ routing } = await openRoutingBuckets(nc));
});

/** Stops every scheduler replica (newest first, as a process stops) and its router. */
async function stopReplicas(): Promise<void> {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  for (const router of routers.splice(0)) router.stop();
}

afterAll(async () => {
  await stopReplicas();
  await callerBus.close();
  await publisherBus.close();
  await db.$disconnect();
  await database.drop();
  await nc.close();
  await nats.stop();
});

/** Posts created through the real handler, due at the given times (past ones are moved there after creating, as time would); answers id → owner. */
async function schedulePosts(times: readonly Date[], tag: string): Promise<Map<bigint, bigint>> {
  const handlers = createPublisherHandlers({ db, publisher: noEvents, telegram, notifier: { sendReport: () => Promise.resolve() }, locales: { localeOf: () => Promise.resolve('en' as const) }, bots: { ownerOf: () => Promise.resolve(undefined) }, entitlement: { hasPostingSubscription: () => Promise.resolve(true) } });
  const owners = new Map<bigint, bigint>();
  const inAnHour = new Date(Date.now() + 3_600_000);
  for (const [index, at] of times.entries()) {
    const owner = OWNERS[index % OWNERS.length] ?? 0n;
    // create_post refuses a time in the past: a time that is already here is set after creating.
    const publishAt = at.getTime() > Date.now() + 60_000 ? at : inAnHour;
    const { post } = await handlers.create_post(create(CreatePostRequestSchema, { ownerTelegramId: owner, chatIds: [CHANNEL_OF(owner)], content: { text: `${tag} ${String(index)}` }, publishAt: timestampFromDate(publishAt) }), ctx);
    if (post === undefined) throw new Error('no post');
    if (publishAt !== at) await db.post.update({ where: { id: post.postId }, data: { publishAt: at } });
    owners.set(post.postId, owner);
  }
  return owners;
}

function sendsOf(text: string): number {
  return sends.filter((send) => send.text === text).length;
}

async function allApplied(weight: number): Promise<void> {
  await until(`every replica routes notification at ${String(weight)}`, () => routers.every((router) => router.weight('notification').weight === weight), 20_000);
}

async function tickHistory(bucket: KV, key: string): Promise<number[]> {
  const ticks: number[] = [];
  for await (const entry of await bucket.history({ key })) if (entry.operation === 'PUT') ticks.push((JSON.parse(entry.string()) as TickRecord).tick);
  return ticks;
}

describe('the notification canary', () => {
  it('publishes every due post once while the weight steps 0 → 100 → 0, each handed by its owner\'s side', async () => {
    await writeWeight(0);
    for (const side of ['legacy', 'target'] as const) for (const index of [1, 2]) await startReplica(side, index, 'canary_scheduler');
    await allApplied(0);

    // Three posts fall due every second, from 2 s from now until the last step is over.
    const start = Date.now() + 2_000;
    const span = (WEIGHTS.length + 1) * STEP_MS;
    const times = Array.from({ length: Math.floor(span / 1_000) * 3 }, (_, i) => new Date(start + Math.floor(i / 3) * 1_000 + (i % 3) * 300));
    const owners = await schedulePosts(times, 'canary');

    // The schedule of weights, with when each was written and when every router had applied it.
    const changes: { weight: number; from: number; applied: number }[] = [{ weight: 0, from: 0, applied: 0 }];
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + STEP_MS - Date.now())));
    for (const weight of WEIGHTS) {
      const from = Date.now();
      await writeWeight(weight);
      await allApplied(weight);
      changes.push({ weight, from, applied: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, from + STEP_MS - Date.now())));
    }
    await until('every post published', async () => (await db.post.count({ where: { id: { in: [...owners.keys()] }, status: { not: 'PUBLISHED' } } })) === 0, 60_000);

    // Exactly once: one send per post, and one publish_due answer that published it.
    const texts = [...owners.keys()].map((_, index) => `canary ${String(index)}`);
    expect(texts.filter((text) => sendsOf(text) !== 1)).toEqual([]);
    // No call answered a post as published by it twice (an answer lost to a timeout is not counted; the sends are).
    const publishedIds = publishedBy.flatMap((answer) => answer.ids).filter((id) => owners.has(id));
    expect(new Set(publishedIds).size).toBe(publishedIds.length);

    // Each hand-off against the weight in force at its moment.
    let inChange = 0;
    let outside = 0;
    const bothSides = new Set<bigint>();
    const handedBy = new Map<bigint, Set<SchedulerSide>>();
    for (const handOff of handOffs) {
      const index = changes.findLastIndex((change) => change.from <= handOff.at);
      const current = changes[index] ?? changes[0];
      const previous = changes[index - 1];
      for (const id of handOff.ids) {
        const owner = owners.get(id);
        if (owner === undefined) continue;
        const sides = handedBy.get(id) ?? new Set();
        sides.add(handOff.side);
        handedBy.set(id, sides);
        if (current === undefined || sideOfChat(current.weight, owner) === handOff.side) continue;
        // The other side: only while a change is being applied (and the tick that read the old weight).
        const duringChange = previous !== undefined && sideOfChat(previous.weight, owner) === handOff.side && handOff.at <= current.applied + INTERVAL_MS;
        if (duringChange) inChange += 1;
        else outside += 1;
      }
    }
    for (const [id, sides] of handedBy) if (sides.size > 1) bothSides.add(id);
    const bySide = { legacy: 0, target: 0 };
    for (const answer of publishedBy) for (const id of answer.ids) if (owners.has(id)) bySide[answer.side] += 1;
    process.stdout.write(`notification canary: ${String(owners.size)} posts, published by legacy ${String(bySide.legacy)} / target ${String(bySide.target)}; hand-offs by the other side during a change ${String(inChange)}, outside ${String(outside)}; posts handed by both sides ${String(bothSides.size)}\n`);
    expect(outside).toBe(0);
    // A change window is a few tens of ms against 1 s ticks: a handful of posts at most.
    expect(inChange).toBeLessThanOrEqual(WEIGHTS.length * 3);
    // Both sides worked, and every post was handed by someone.
    expect(bySide.legacy).toBeGreaterThan(0);
    expect(bySide.target).toBeGreaterThan(0);
    expect(handedBy.size).toBe(owners.size);
    // Each side reported its work as the notification context's messages (what a stage-6 check
    // compares): a post per post handed in a call that answered, a failed one per failed item.
    const reportedAsCalled = (): boolean => (['legacy', 'target'] as const).every((side) => work[side].ok === calls[side].handed && work[side].error === calls[side].failed);
    // The last call's answer may still be on its way to its scheduler (the rows say PUBLISHED first).
    await until('each side reported the work of its calls', reportedAsCalled, 5_000).catch(() => undefined);
    expect(work).toEqual({ legacy: { ok: calls.legacy.handed, error: calls.legacy.failed, other: 0 }, target: { ok: calls.target.handed, error: calls.target.failed, other: 0 } });
    expect(work.target.ok).toBeGreaterThan(0);

    // One active scheduler per side: each side's publish ticks were claimed once each.
    const bucket = await openSchedulerBucket(nc, 'canary_scheduler');
    for (const side of ['legacy', 'target']) {
      const ticks = await tickHistory(bucket, `tick.publish_due.${side}`);
      expect(ticks.length).toBeGreaterThan(5);
      expect(new Set(ticks).size).toBe(ticks.length);
    }
    // Back at 0, the target hands nothing.
    const last = changes.at(-1);
    expect(handOffs.filter((handOff) => handOff.side === 'target' && last !== undefined && handOff.at > last.applied + INTERVAL_MS)).toEqual([]);
    await stopReplicas();
  });

  it('resumes a tick that died half way: the rest is handed by the next tick, every post once', async () => {
    await stopReplicas(); // already, unless the test above failed half way
    const due = new Date(Date.now() - 1_000);
    const owners = await schedulePosts(Array.from({ length: 60 }, () => due), 'durable');
    const posts = busDuePosts(callerBus, 30_000);
    // The legacy side at weight 0: every chat is its.
    const everyChat = sideChats('legacy', () => 0);
    // A replica that dies while its third publish_due is in flight: the request was sent (the
    // publisher goes on with it), the scheduler never hears the answer and hands nothing more.
    let calls = 0;
    let inFlight: Promise<unknown> | undefined;
    const dying = {
      list: posts.list.bind(posts),
      publish: (ids: readonly bigint[]) => {
        calls += 1;
        if (calls < 3) return posts.publish(ids);
        inFlight = posts.publish(ids);
        return Promise.reject(new Error('killed'));
      },
    };
    await expect(handDuePosts({ posts: dying, chats: everyChat, batchSize: 10, concurrency: 1 })).rejects.toThrow('killed');
    const ids = [...owners.keys()];
    // Handed is what left SCHEDULED: a handed post may still be PUBLISHING (its sends are paced).
    const handedBefore = await db.post.count({ where: { id: { in: ids }, status: { not: 'SCHEDULED' } } });
    expect(handedBefore).toBeGreaterThanOrEqual(20);
    expect(handedBefore).toBeLessThan(60);
    // The next tick, on another replica, while the dead one's last request may still be running.
    const resumed = await handDuePosts({ posts, chats: everyChat, batchSize: 10 });
    await inFlight;
    expect(resumed).toBeGreaterThan(0);
    // Later ticks hand whatever is still due, until every post's sends are done.
    let lastTick = Date.now();
    await until('every post published', async () => {
      const left = await db.post.count({ where: { id: { in: ids }, status: { not: 'PUBLISHED' } } });
      if (left > 0 && Date.now() - lastTick >= 1_000) {
        await handDuePosts({ posts, chats: everyChat });
        lastTick = Date.now();
      }
      return left === 0;
    }, 60_000);
    expect(await db.post.count({ where: { id: { in: ids }, status: 'PUBLISHED' } })).toBe(60);
    const texts = ids.map((_, index) => `durable ${String(index)}`);
    expect(texts.filter((text) => sendsOf(text) !== 1)).toEqual([]);
  });

  it('list_due pages by due time without repeats, and publish_due by id takes only the named posts still due', async () => {
    await stopReplicas();
    // Due posts the tests above left (a failed one's) would share the pages with this test's.
    await handDuePosts({ posts: busDuePosts(callerBus, 30_000), chats: sideChats('legacy', () => 0) });
    await until('no post left due', async () => (await db.post.count({ where: { status: { in: ['SCHEDULED', 'PUBLISHING'] }, publishAt: { lte: new Date() } } })) === 0, 60_000);
    const handlers = createPublisherHandlers({ db, publisher: noEvents, telegram, notifier: { sendReport: () => Promise.resolve() }, locales: { localeOf: () => Promise.resolve('en' as const) }, bots: { ownerOf: () => Promise.resolve(undefined) }, entitlement: { hasPostingSubscription: () => Promise.resolve(true) } });
    const soon = new Date(Date.now() - 1_000);
    const later = new Date(Date.now() + 1_800_000);
    const owners = await schedulePosts([soon, soon, soon, soon, soon, later], 'paged');
    const [first, second, third, , , notDue] = [...owners.keys()];
    const pageOne = await handlers.list_due(create(ListDueRequestSchema, { limit: 3 }), ctx);
    const last = pageOne.posts.at(-1);
    const pageTwo = await handlers.list_due(create(ListDueRequestSchema, { limit: 3, afterPublishAt: last?.publishAt, afterPostId: last?.postId ?? 0n }), ctx);
    const listed = [...pageOne.posts, ...pageTwo.posts].map((post) => post.postId).filter((id) => owners.has(id));
    expect(listed).toEqual([...owners.keys()].slice(0, 5));
    expect(pageOne.posts[0]?.ownerTelegramId).toBe(owners.get(first ?? 0n));
    const answer = await handlers.publish_due(create(PublishDueRequestSchema, { postIds: [first ?? 0n, second ?? 0n, notDue ?? 0n] }), ctx);
    expect(answer.publishedPostIds).toEqual([first, second]);
    expect(answer.remaining).toBe(0);
    // Looking ahead (the scheduler's timers): the post due in half an hour is listed with due_before past it, not without; beyond an hour is refused.
    const ahead = await handlers.list_due(create(ListDueRequestSchema, { dueBefore: timestampFromDate(new Date(later.getTime() + 1_000)) }), ctx);
    expect(ahead.posts.map((post) => post.postId)).toContain(notDue);
    const now = await handlers.list_due(create(ListDueRequestSchema, {}), ctx);
    expect(now.posts.map((post) => post.postId)).not.toContain(notDue);
    await expect(handlers.list_due(create(ListDueRequestSchema, { dueBefore: timestampFromDate(new Date(Date.now() + 2 * 3_600_000)) }), ctx)).rejects.toThrow('due_before must be at most an hour ahead');
    expect(await db.post.findMany({ where: { id: { in: [third ?? 0n, notDue ?? 0n] } }, select: { status: true } })).toEqual([{ status: 'SCHEDULED' }, { status: 'SCHEDULED' }]);
    // Cleared for the other tests' counts.
    await handDuePosts({ posts: busDuePosts(callerBus, 30_000), chats: sideChats('legacy', () => 0) });
  });

  it('hands a post at its time, not at the next tick: the active scheduler arms a timer for each post due before its next tick', async () => {
    await stopReplicas();
    const interval = 10_000;
    const { logger } = memoryLogger('on-time');
    const host = { logger, metrics: testMetrics('legacy'), readiness: { add: () => undefined }, onStop: (_name: string, step: () => Promise<void>) => { stops.push(step); } };
    // No canary (routing off): one replica does every chat's work, at ticks 10 s apart.
    startNotificationContext(host, {
      bus: recordingBus('legacy', 'on-time'),
      store: new NatsKvStore(await openSchedulerBucket(nc, 'on_time_scheduler')),
      config: { ...CONFIG, NOVA_NOTIFY_PUBLISH_INTERVAL: interval },
      clients: new TelegramClients({ apiRoot: 'http://127.0.0.1:9', registry: new Registry() }),
      mainBotToken: '1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    // Ten posts due 2-3.8 s into a tick window that starts at least 3 s from now: a tick (the one
    // at the window's start) lists them ahead; without its timers they would wait for the next
    // tick, 10 s after the window's start. The 6 s between is the margin: no load makes a timer that late.
    const windowStart = tickStart(tickIdAt(new Date(Date.now() + 3_000), interval) + 1, interval);
    const times = Array.from({ length: 10 }, (_, i) => new Date(windowStart + 2_000 + i * 200));
    const owners = await schedulePosts(times, 'on-time');
    const ids = [...owners.keys()];
    await until('every post published', async () => (await db.post.count({ where: { id: { in: ids }, status: { not: 'PUBLISHED' } } })) === 0, 60_000);
    expect(ids.map((_, index) => `on-time ${String(index)}`).filter((text) => sendsOf(text) !== 1)).toEqual([]);
    const dueAt = new Map(ids.map((id, index) => [id, times[index]?.getTime() ?? 0]));
    const handed = handOffs.filter((handOff) => handOff.replica === 'on-time').flatMap((handOff) => handOff.ids.filter((id) => dueAt.has(id)).map((id) => ({ id, at: handOff.at })));
    const firstHandOff = new Map<bigint, number>();
    for (const { id, at } of handed) if (!firstHandOff.has(id)) firstHandOff.set(id, at);
    // Each post was handed once its time came and before the next tick would have.
    expect(ids.filter((id) => (firstHandOff.get(id) ?? Number.POSITIVE_INFINITY) >= windowStart + interval)).toEqual([]);
    expect(ids.filter((id) => (firstHandOff.get(id) ?? 0) < (dueAt.get(id) ?? 0) - 50)).toEqual([]);
    const late = ids.map((id) => (firstHandOff.get(id) ?? 0) - (dueAt.get(id) ?? 0));
    process.stdout.write(`on-time posts: handed ${String(Math.min(...late))}-${String(Math.max(...late))} ms after their time (ticks every ${String(interval / 1000)} s)\n`);
    await stopReplicas();
  });
});
