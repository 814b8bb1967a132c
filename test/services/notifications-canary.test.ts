/**
 * The canary's wiring in the deployables (from dist/): the monolith and the notification service
 * on the routed bus (NOVA_ROUTING=kv) each run their own active scheduler (their own lease and
 * tick records in nova_scheduler), and the notification weight in nova_routing decides which one
 * hands a due post: at 0 the monolith's, at 100 the service's. The post is a real one (a channel
 * of Anna's child bot in the Telegram emulator, the monolith's publisher context answering on the
 * legacy subjects); which side handed it is read from each process's
 * nova_scheduler_handoff_lag_seconds, and each reports it as its work in nova_bus_messages_total
 * {context="notification"}, the series the stage-6 analysis compares. The counting property across the weights is
 * test/notifications/canary.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { connectServiceBus, openRoutingBuckets, type NovaBus } from '@nova/bus';
import { encodeRoutingRecord } from '@nova/contracts';
import { openSchedulerBucket } from '@nova/notification-service/wiring';
import type { EmulatedBot } from '@nova/telegram-emulator';
import { memoryLogger, testMetrics } from '../bus/support/nats.js';
import { ANNA, onboardingScript } from './support/script.js';
import { sample, type RunningService } from './support/services.js';
import { until } from './support/until.js';
import { World } from './support/world.js';

jest.setTimeout(300_000);

const SHORT = { NOVA_NOTIFY_PUBLISH_INTERVAL: '1s', NOVA_NOTIFY_SUBSCRIPTION_INTERVAL: '2s', NOVA_SCHEDULER_LEASE_TTL: '3s', NOVA_ROUTING: 'kv' };
const CHANNEL = { id: -1_002_000_000_606, type: 'channel' as const, title: 'Canary news' };
const owner = BigInt(ANNA.id);
let world: World;
let monolith: RunningService;
let service: RunningService;
let bus: NovaBus;
let nc: NatsConnection;
let scheduler: KV;
let routing: KV;
let child: EmulatedBot;

beforeAll(async () => {
  world = await World.create('svc_notify_canary');
  ({ monolith } = await world.startMonolith('jetstream', SHORT));
  ({ child } = await onboardingScript(world.emulator, world.mainBot));
  world.emulator.joinChat(child.id, CHANNEL, { status: 'administrator', canPostMessages: true });
  bus = await connectServiceBus('kv', { servers: [world.nats.url], name: 'notification-canary-test', metrics: testMetrics(), logger: memoryLogger('notification-canary-test').logger });
  service = await world.start('notification-service', { NOVA_NATS_URL: world.nats.url, NOVA_MAIN_BOT_TOKEN: world.secrets.mainBotToken, NOVA_TELEGRAM_API_ROOT: world.emulator.apiRoot, ...SHORT });
  nc = await connect({ servers: world.nats.url, name: 'notification-canary-test-kv' });
  scheduler = await openSchedulerBucket(nc);
  ({ routing } = await openRoutingBuckets(nc));
});

afterAll(async () => {
  await nc.close();
  await bus.close();
  await world.close();
});

async function handed(process: RunningService): Promise<number> {
  return sample(await process.metrics(), 'nova_scheduler_handoff_lag_seconds_count', { job: 'publish_due' }) ?? 0;
}

/** The side's scheduler work as the stage-6 analysis reads it: the notification context's messages. */
async function work(process: RunningService): Promise<number> {
  return sample(await process.metrics(), 'nova_bus_messages_total', { context: 'notification', outcome: 'ok' }) ?? 0;
}

async function routesAt(process: RunningService, weight: number): Promise<boolean> {
  return sample(await process.metrics(), 'nova_routing_weight', { context: 'notification' }) === weight;
}

async function schedulePost(text: string): Promise<void> {
  await bus.request('svc.publisher.create_post', { ownerTelegramId: owner, chatIds: [BigInt(CHANNEL.id)], content: { text }, publishAt: timestampFromDate(new Date(Date.now() + 1_500)) }, { routingKey: owner, timeoutMs: 30_000 });
}

function channelTexts(): string[] {
  return world.emulator.messagesTo(CHANNEL.id, { botId: child.id }).map((message) => message.text ?? '');
}

describe('the monolith and the notification service on the routed bus', () => {
  it('each run their own scheduler; the notification weight decides which side hands a due post', async () => {
    await bus.request('svc.publisher.grant_posting', { telegramId: owner, grantedBy: 1n, until: timestampFromDate(new Date(Date.now() + 86_400_000)) }, { routingKey: owner });
    await bus.request('svc.publisher.link_channel', { ownerTelegramId: owner, botId: BigInt(child.id), chatId: BigInt(CHANNEL.id) }, { routingKey: owner });
    // Both sides active at once: their leases are their own.
    await until('both sides hold their own lease', async () => sample(await monolith.metrics(), 'nova_scheduler_active') === 1 && sample(await service.metrics(), 'nova_scheduler_active') === 1, 60_000);

    // No weight written: 0, every chat the monolith's.
    await schedulePost('At weight 0');
    await until('the post at weight 0 is in the channel', () => channelTexts().includes('At weight 0'), 30_000);
    await until('the monolith counted its hand-off', async () => (await handed(monolith)) === 1, 10_000);
    expect(await handed(service)).toBe(0);
    // And reported it as its work, in the series a stage-6 check compares: the service did none.
    expect(await work(monolith)).toBeGreaterThanOrEqual(1);
    expect(await work(service)).toBe(0);

    await routing.put('notification', encodeRoutingRecord({ weight: 100, fence: 1, owner: { namespace: 'nova', name: 'stage-6-notifications', uid: 'notifications-canary-test' }, released: false, writtenAt: new Date().toISOString() }));
    await until('both sides route notification at 100', async () => (await routesAt(monolith, 100)) && (await routesAt(service, 100)), 30_000);
    await schedulePost('At weight 100');
    await until('the post at weight 100 is in the channel', () => channelTexts().includes('At weight 100'), 30_000);
    await until('the service counted its hand-off', async () => (await handed(service)) === 1, 10_000);
    expect(await handed(monolith)).toBe(1);
    expect(channelTexts()).toEqual(['At weight 0', 'At weight 100']);
    expect(await work(service)).toBeGreaterThanOrEqual(1);

    // The records are per side; the shared one of an unrouted fleet is not written.
    for (const key of ['lease.scheduler.legacy', 'lease.scheduler.target', 'tick.publish_due.legacy', 'tick.publish_due.target']) expect(await scheduler.get(key)).not.toBeNull();
    expect(await scheduler.get('tick.publish_due')).toBeNull();
  });
});
