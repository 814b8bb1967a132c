/**
 * The legacy side's schedulers: the monolith (jetstream mode, on the same nats-server) and the
 * notification service share the lease bucket, so the two sides never both tick. Whichever holds
 * the lease is SIGKILLed, and the other side takes the ticks over with none doubled or lost
 * (counted in the tick records' history, the fence).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { connectJetStreamBus, type NovaBus } from '@nova/bus';
import type { TickRecord } from '@nova/notification-service/domain';
import { openSchedulerBucket } from '@nova/notification-service/wiring';
import { memoryLogger, testMetrics } from '../bus/support/nats.js';
import { sample, type RunningService } from './support/services.js';
import { until } from './support/until.js';
import { World } from './support/world.js';

jest.setTimeout(300_000);

const SHORT = { NOVA_NOTIFY_PUBLISH_INTERVAL: '1s', NOVA_NOTIFY_SUBSCRIPTION_INTERVAL: '2s', NOVA_SCHEDULER_LEASE_TTL: '3s' };
let world: World;
let bus: NovaBus;
let nc: NatsConnection;
let bucket: KV;
let monolith: RunningService;
let service: RunningService;

beforeAll(async () => {
  world = await World.create('svc_notify_legacy');
  // The service's jobs ask on NATS; the monolith's (routing off) ask its own contexts in-process.
  bus = await connectJetStreamBus({ servers: [world.nats.url], name: 'notification-legacy-test', metrics: testMetrics(), logger: memoryLogger('notification-legacy-test').logger });
  await bus.serve('publisher', { 'svc.publisher.list_due': () => Promise.resolve({ posts: [], awaitingReport: [] }), 'svc.publisher.publish_due': () => Promise.resolve({ publishedPostIds: [], remaining: 0 }) });
  await bus.serve('payment', { 'svc.payment.expire_due': () => Promise.resolve({ expired: 0 }), 'svc.payment.expiring': () => Promise.resolve({ subscriptions: [] }) });
  nc = await connect({ servers: world.nats.url, name: 'notification-legacy-test-kv' });
  bucket = await openSchedulerBucket(nc);
  ({ monolith } = await world.startMonolith('jetstream', SHORT));
  service = await world.start('notification-service', { NOVA_NATS_URL: world.nats.url, NOVA_MAIN_BOT_TOKEN: world.secrets.mainBotToken, NOVA_TELEGRAM_API_ROOT: world.emulator.apiRoot, ...SHORT });
});

afterAll(async () => {
  await nc.close();
  await bus.close();
  await world.close();
});

async function claims(job: string): Promise<TickRecord[]> {
  const found: TickRecord[] = [];
  for await (const entry of await bucket.history({ key: `tick.${job}` })) {
    if (entry.operation === 'PUT') found.push(JSON.parse(entry.string()) as TickRecord);
  }
  return found;
}

async function isActive(process: RunningService): Promise<boolean> {
  return sample(await process.metrics(), 'nova_scheduler_active') === 1;
}

describe('the monolith and the notification service', () => {
  it('share one lease: one side ticks; kill -9 of it and the other side goes on, none doubled or lost', async () => {
    await until('three ticks claimed', async () => (await claims('publish_due')).length >= 3, 60_000);
    const states = [await isActive(monolith), await isActive(service)];
    expect(states.filter(Boolean)).toHaveLength(1);
    const [active, standby] = states[0] === true ? [monolith, service] : [service, monolith];
    const lastBefore = (await claims('publish_due')).at(-1);
    await active.kill('SIGKILL');
    await until('the other side claims ticks', async () => {
      const last = (await claims('publish_due')).at(-1);
      return last !== undefined && last.holder !== lastBefore?.holder && last.tick >= (lastBefore?.tick ?? 0) + 3;
    }, 60_000);
    expect(await isActive(standby)).toBe(true);
    const ticks = (await claims('publish_due')).map((claim) => claim.tick);
    expect(new Set(ticks).size).toBe(ticks.length);
    const first = ticks[0] ?? 0;
    expect(ticks).toEqual(Array.from({ length: ticks.length }, (_, i) => first + i));
  });
});
