/**
 * The notification service as three replica processes from dist/, on the test bed's real
 * nats-server (and the world's PostgreSQL, unused here): one holds the scheduler lease and ticks,
 * the others stand by. SIGKILL of the active one hands the ticks to another within one interval
 * plus the lease TTL, with no tick run twice and none lost, counted two ways: the tick records'
 * history in the KV bucket (the fence), and the list_due requests this test answers in place of
 * the publisher. Two subscriptions ending in two days get their 3-day reminders from the main bot
 * (the Telegram emulator) once each, from the same run, each in its recipient's language as the
 * users context (the user service, a process of its own on the world's PostgreSQL) has it: Vera
 * chose Russian (her Telegram app says German), Edward's app says English. The test answers for
 * the publisher and payments contexts itself: only their requests are counted here.
 *
 * Short intervals (1 s ticks, 3 s lease) through the service's own configuration.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { connectJetStreamBus, type NovaBus } from '@nova/bus';
import { PlanKind, SubscriptionStatus } from '@nova/contracts';
import type { TickRecord } from '@nova/notification-service/domain';
import { openSchedulerBucket } from '@nova/notification-service/wiring';
import { memoryLogger, testMetrics } from '../bus/support/nats.js';
import { sample, terminate, type RunningService } from './support/services.js';
import { until } from './support/until.js';
import { World } from './support/world.js';

jest.setTimeout(300_000);

const INTERVAL_MS = 1_000;
const SUBSCRIBER = { id: 880_000_001, type: 'private' as const, first_name: 'Vera' };
const ENGLISH_SUBSCRIBER = { id: 880_000_002, type: 'private' as const, first_name: 'Edward' };
const LEASE_TTL_MS = 3_000;
let world: World;
let bus: NovaBus;
let nc: NatsConnection;
let bucket: KV;
let replicas: RunningService[] = [];
const listDueCalls: number[] = [];
const expireDueCalls: number[] = [];

beforeAll(async () => {
  world = await World.create('svc_notify');
  bus = await connectJetStreamBus({ servers: [world.nats.url], name: 'notification-test', metrics: testMetrics(), logger: memoryLogger('notification-test').logger });
  // This test answers for the publisher and the payments contexts, and counts what it is asked.
  await bus.serve('publisher', {
    // Each publish tick first lists the due posts (none here, so nothing is handed to publish_due),
    // then the posts about to fall due (due_before: its timers), which this test does not count.
    'svc.publisher.list_due': (request: { dueBefore?: unknown }) => {
      if (request.dueBefore === undefined) listDueCalls.push(Date.now());
      return Promise.resolve({ posts: [], awaitingReport: [] });
    },
  });
  await bus.serve('payment', {
    'svc.payment.expire_due': () => {
      expireDueCalls.push(Date.now());
      return Promise.resolve({ expired: 0 });
    },
    // Two subscriptions ending in two days: each 3-day reminder must reach its user once, whatever the kills.
    'svc.payment.expiring': (request) => {
      const from = timestampDate(request.endsFrom ?? timestampFromDate(new Date(0))).getTime();
      const before = timestampDate(request.endsBefore ?? timestampFromDate(new Date(0))).getTime();
      const ends = Date.now() + 2 * 86_400_000;
      const ending = (id: string, telegramId: number) => ({ id, telegramId: BigInt(telegramId), kind: PlanKind.POSTING, status: SubscriptionStatus.ACTIVE, endsAt: timestampFromDate(new Date(ends)) });
      return Promise.resolve({ subscriptions: ends >= from && ends < before ? [ending('sub-reminded', SUBSCRIBER.id), ending('sub-reminded-en', ENGLISH_SUBSCRIBER.id)] : [] });
    },
  });
  world.emulator.addChat(world.mainBot.id, SUBSCRIBER);
  world.emulator.addChat(world.mainBot.id, ENGLISH_SUBSCRIBER);
  // The users context knows both before any replica ticks: Vera chose Russian, Edward never chose.
  await world.start('user-service', { NOVA_NATS_URL: world.nats.url, NOVA_DATABASE_URL: world.databaseUrl });
  for (const [person, languageCode] of [[SUBSCRIBER, 'de'], [ENGLISH_SUBSCRIBER, 'en']] as const) {
    const telegramId = BigInt(person.id);
    await bus.request('svc.user.upsert', { telegramId, firstName: person.first_name, languageCode, botId: BigInt(world.mainBot.id), effectKey: `register-${String(person.id)}` }, { routingKey: telegramId });
  }
  await bus.request('svc.user.set_language', { telegramId: BigInt(SUBSCRIBER.id), language: 'ru' }, { routingKey: BigInt(SUBSCRIBER.id) });
  nc = await connect({ servers: world.nats.url, name: 'notification-test-kv' });
  bucket = await openSchedulerBucket(nc);
  const env = {
    NOVA_NATS_URL: world.nats.url,
    NOVA_MAIN_BOT_TOKEN: world.secrets.mainBotToken,
    NOVA_TELEGRAM_API_ROOT: world.emulator.apiRoot,
    NOVA_NOTIFY_PUBLISH_INTERVAL: `${String(INTERVAL_MS)}ms`,
    NOVA_NOTIFY_SUBSCRIPTION_INTERVAL: '2s',
    NOVA_SCHEDULER_LEASE_TTL: `${String(LEASE_TTL_MS)}ms`,
  };
  replicas = await Promise.all([1, 2, 3].map(() => world.start('notification-service', env)));
});

afterAll(async () => {
  await nc.close();
  await bus.close();
  await world.close();
});

/** Every claim of a job's ticks, oldest first, from the bucket's history of its tick record. */
async function claims(job: string): Promise<TickRecord[]> {
  const found: TickRecord[] = [];
  for await (const entry of await bucket.history({ key: `tick.${job}` })) {
    if (entry.operation === 'PUT') found.push(JSON.parse(entry.string()) as TickRecord);
  }
  return found;
}

async function activeReplicas(among: readonly RunningService[]): Promise<RunningService[]> {
  const states = await Promise.all(among.map(async (replica) => sample(await replica.metrics(), 'nova_scheduler_active') === 1));
  return among.filter((_, i) => states[i]);
}

describe('the notification service with three replicas', () => {
  it('ticks on one replica; after kill -9 of it another takes over in time, no tick doubled or lost', async () => {
    await until('one replica holds the lease and ticked three times', async () => (await claims('publish_due')).length >= 3, 60_000);
    const [active, ...others] = await activeReplicas(replicas);
    expect(active).toBeDefined();
    expect(others).toEqual([]);
    if (active === undefined) return;

    const killedAt = Date.now();
    await active.kill('SIGKILL');
    const survivors = replicas.filter((replica) => replica !== active);
    const lastBeforeKill = (await claims('publish_due')).at(-1);
    let takenOverAt = 0;
    await until('another replica claims a tick', async () => {
      const last = (await claims('publish_due')).at(-1);
      if (last === undefined || last.holder === lastBeforeKill?.holder) return false;
      takenOverAt = Date.now();
      return true;
    }, 60_000, 50);
    // One interval plus the lease TTL, and a poll of slack for a loaded machine.
    expect(takenOverAt - killedAt).toBeLessThanOrEqual(INTERVAL_MS + LEASE_TTL_MS + 2_000);
    const afterTakeover = (await claims('publish_due')).at(-1)?.tick ?? 0;
    await until('five more ticks after the hand-over', async () => ((await claims('publish_due')).at(-1)?.tick ?? 0) >= afterTakeover + 5, 60_000);

    const ticks = (await claims('publish_due')).map((claim) => claim.tick);
    expect(new Set(ticks).size).toBe(ticks.length); // none twice
    const first = ticks[0] ?? 0;
    expect(ticks).toEqual(Array.from({ length: ticks.length }, (_, i) => first + i)); // none lost, across the hand-over
    // Every claimed tick asked the publisher, but the killed holder may have died between its
    // claim and its request: at most one claim without a request.
    await until('the publisher has been asked for every tick that finished', () => listDueCalls.length >= ticks.length - 1, 10_000);
    expect(listDueCalls.length).toBeLessThanOrEqual((await claims('publish_due')).length);
    expect(expireDueCalls.length).toBeGreaterThan(0);
    expect(await activeReplicas(survivors)).toHaveLength(1);
    // The reminders: sent by the first holder, never again by the next (their records are in the
    // bucket), each in its recipient's language from the same run.
    expect(world.emulator.messagesTo(SUBSCRIBER.id, { botId: world.mainBot.id }).map((m) => m.text)).toEqual([expect.stringMatching(/^⏳ Подписка «публикации» закончится через 3 дня \(.+ UTC\)\. Чтобы продлить её, отправьте \/subscribe\.$/)]);
    expect(world.emulator.messagesTo(ENGLISH_SUBSCRIBER.id, { botId: world.mainBot.id }).map((m) => m.text)).toEqual([expect.stringMatching(/^⏳ Your posting subscription ends in 3 days \(.+ UTC\)\. Send \/subscribe to renew it\.$/)]);
  });

  it('hands the lease over at once on a graceful stop, and stops with exit code 0', async () => {
    const alive = [];
    for (const replica of replicas) if (replica.process.running) alive.push(replica);
    const [active] = await activeReplicas(alive);
    if (active === undefined) throw new Error('no active replica');
    const lastTick = (await claims('publish_due')).at(-1)?.tick ?? 0;
    expect(await terminate(active)).toBe('exited with code 0');
    const stoppedAt = Date.now();
    await until('the standby replica ticks', async () => {
      const last = (await claims('publish_due')).at(-1);
      return last !== undefined && last.tick > lastTick;
    }, 30_000, 50);
    // Released, not run out: well inside the lease TTL.
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE_TTL_MS + INTERVAL_MS);
    const ticks = (await claims('publish_due')).map((claim) => claim.tick);
    expect(new Set(ticks).size).toBe(ticks.length);
  });
});
