/**
 * The notification context's scheduler (issue 17): due posts handed to the real publisher handlers
 * (on the test bed's PostgreSQL, served on JetStream; Telegram a port that answers at once), and
 * the hand-over after the active replica dies.
 *
 * 1. Hand-off lag: N posts (`--posts`, each a list) fall due at the start of one tick; R replicas
 *    (`--replicas`) run the scheduler as the service does (startNotificationContext, one shared
 *    lease: no routing). Per post, due time → PUBLISHED (the publisher's published_at), p50 and
 *    p99, as a ratio to the tick interval (`--interval` ms; production 30 s).
 * 2. Fail-over: R replicas (2 and 3) of the scheduler with a job that records who ran each tick;
 *    the active one stops dead (its timer cleared, the lease not released: what SIGKILL leaves),
 *    `--failovers` times. From the death to the next tick claimed by another replica, as a ratio
 *    to the lease TTL (3 s here; the bound is one interval plus the TTL).
 *
 * Usage: node bench/dist/notifications.js [--posts 1000,10000] [--replicas 1,2,3] [--interval 5000] [--failovers 5]
 */
import { connectJetStreamBus } from '@nova/bus';
import { migrate } from '@nova/db';
import { Scheduler, SchedulerLease, TickFence, tickIdAt, tickStart, type SchedulerObserver } from '@nova/notification-service/domain';
import { NatsKvStore, openSchedulerBucket, pollIntervalMs, startNotificationContext } from '@nova/notification-service/wiring';
import { createLogger, Metrics } from '@nova/platform';
import { createPublisherHandlers, openPublisherDatabase, PUBLISHER_MIGRATIONS_DIR, type ChannelTelegram } from '@nova/publisher-service/domain';
import { TelegramClients } from '@nova/telegram';
import { createDatabase, startTestbed } from '@nova/testbed';
import { serveContext } from '@nova/wiring';
import { connect } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { option, percentile, textOption, until } from './support.js';

const POSTS = textOption('posts', '1000,10000').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
const REPLICAS = textOption('replicas', '1,2,3').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
const INTERVAL_MS = option('interval', 5_000);
const FAILOVERS = option('failovers', 5);
const LEASE_TTL_MS = 3_000;
const OWNERS = 500;
const fmt = (value: number, digits = 2): string => value.toFixed(digits);
const quiet = createLogger({ name: 'bench-notifications', level: 'warn', destination: new Writable({ write(_chunk, _encoding, done) { done(); } }) });
const metrics = (): Metrics => new Metrics({ namespace: 'bench', side: 'target', defaults: false });

const telegram: ChannelTelegram = {
  getChat: (_botId, chatId) => Promise.resolve({ id: chatId, kind: 'channel', title: 'bench' }),
  getBotMembership: () => Promise.resolve({ status: 'administrator', canPostMessages: true }),
  sendPost: () => Promise.resolve({ messageId: 1n }),
};

console.log(`notification scheduler benchmark: ${String(cpus().length)} cores, Node ${process.version}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const bed = await startTestbed({ components: ['nats', 'postgres'] });
try {
  const { nats, postgres } = bed.info;
  if (nats === undefined || postgres === undefined) throw new Error('the test bed started without NATS or PostgreSQL');
  const databaseUrl = await createDatabase(postgres.url, `bench_notify_${randomBytes(3).toString('hex')}`);
  await migrate({ connectionString: databaseUrl, schema: 'publisher_service', migrationsDir: PUBLISHER_MIGRATIONS_DIR });
  const db = openPublisherDatabase({ connectionString: databaseUrl, maxConnections: 8 });
  const handlers = createPublisherHandlers({
    db, telegram, publisher: { publish: () => Promise.resolve() }, notifier: { sendReport: () => Promise.resolve() },
    locales: { localeOf: () => Promise.resolve('en' as const) }, bots: { ownerOf: () => Promise.resolve(undefined) }, entitlement: { hasPostingSubscription: () => Promise.resolve(true) },
  });
  const publisherBus = await connectJetStreamBus({ servers: [nats.url], name: 'bench-publisher', metrics: metrics(), logger: quiet });
  await serveContext(publisherBus, 'publisher', handlers);
  await publisherBus.serve('payment', { 'svc.payment.expiring': () => Promise.resolve({ subscriptions: [] }), 'svc.payment.expire_due': () => Promise.resolve({ expired: 0 }) });
  const callerBus = await connectJetStreamBus({ servers: [nats.url], name: 'bench-schedulers', metrics: metrics(), logger: quiet });
  const nc = await connect({ servers: [nats.url], name: 'bench-notifications' });
  await db.$executeRawUnsafe(`INSERT INTO publisher_service.channels (chat_id, bot_id, owner_telegram_id, title, kind, linked_at)
    SELECT -1002000000000 - g, 1, 7000000 + g, 'bench', 'CHANNEL'::publisher_service.chat_kind, now() FROM generate_series(0, ${String(OWNERS - 1)}) g`);

  // 1. Hand-off lag.
  let run = 0;
  for (const posts of POSTS) {
    for (const replicas of REPLICAS) {
      run += 1;
      await db.$executeRawUnsafe('TRUNCATE publisher_service.posts CASCADE');
      // Due at the start of a tick at least 2 s away, so every post is in before it.
      let dueTick = tickIdAt(new Date(), INTERVAL_MS) + 1;
      if (tickStart(dueTick, INTERVAL_MS) - Date.now() < 2_000) dueTick += 1;
      const due = new Date(tickStart(dueTick, INTERVAL_MS));
      await db.$executeRawUnsafe(`INSERT INTO publisher_service.posts (owner_telegram_id, text, entities, buttons, publish_at, status, created_at, updated_at)
        SELECT 7000000 + (g % ${String(OWNERS)}), 'bench ' || g, '[]'::jsonb, '[]'::jsonb, $1, 'SCHEDULED'::publisher_service.post_status, now(), now() FROM generate_series(1, ${String(posts)}) g`, due);
      await db.$executeRawUnsafe(`INSERT INTO publisher_service.published_posts (post_id, chat_id, position)
        SELECT id, -1002000000000 - (owner_telegram_id - 7000000), 0 FROM publisher_service.posts`);
      if (Date.now() >= due.getTime()) throw new Error(`inserting ${String(posts)} posts took past their due time; raise --interval`);
      const stops: (() => Promise<void>)[] = [];
      for (let replica = 0; replica < replicas; replica++) {
        const host = { logger: quiet, metrics: metrics(), readiness: { add: () => undefined }, onStop: (_name: string, step: () => Promise<void>) => { stops.push(step); } };
        startNotificationContext(host, {
          bus: callerBus,
          store: new NatsKvStore(await openSchedulerBucket(nc, `bench_lag_${String(run)}`)),
          config: { NOVA_NOTIFY_PUBLISH_INTERVAL: INTERVAL_MS, NOVA_NOTIFY_SUBSCRIPTION_INTERVAL: 3_600_000, NOVA_SCHEDULER_LEASE_TTL: LEASE_TTL_MS },
          clients: new TelegramClients({ apiRoot: 'http://127.0.0.1:9', registry: new Registry() }),
          mainBotToken: '1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        });
      }
      const started = performance.now();
      await until(`${String(posts)} posts published`, async () => (await db.post.count({ where: { status: { not: 'PUBLISHED' } } })) === 0, 500);
      const seconds = (performance.now() - started) / 1000;
      for (const stop of stops.reverse()) await stop();
      const lags = (await db.$queryRawUnsafe<{ lag: number }[]>('SELECT EXTRACT(EPOCH FROM published_at - publish_at)::float8 AS lag FROM publisher_service.posts')).map((row) => row.lag * 1000);
      const p50 = percentile(lags, 50);
      const p99 = percentile(lags, 99);
      console.log(`hand-off lag  ${String(posts).padStart(6)} due posts, ${String(replicas)} replica(s): p50 ${fmt(p50 / 1000)} s (${fmt(p50 / INTERVAL_MS)} x interval), p99 ${fmt(p99 / 1000)} s (${fmt(p99 / INTERVAL_MS)} x interval); ${fmt(posts / seconds, 0)} posts/s`);
    }
  }

  // 2. Fail-over after the active replica dies.
  const noop: SchedulerObserver = { activeChanged: () => undefined, tickRan: () => undefined, tickFailed: () => undefined, ticksSkipped: () => undefined, leaseFailed: () => undefined };
  const interval = 1_000;
  const config = { NOVA_NOTIFY_PUBLISH_INTERVAL: interval, NOVA_NOTIFY_SUBSCRIPTION_INTERVAL: 3_600_000, NOVA_SCHEDULER_LEASE_TTL: LEASE_TTL_MS };
  for (const replicas of REPLICAS.filter((n) => n >= 2)) {
    const ratios: number[] = [];
    for (let attempt = 0; attempt < FAILOVERS; attempt++) {
      const store = new NatsKvStore(await openSchedulerBucket(nc, `bench_failover_${String(replicas)}_${String(attempt)}`));
      const ran: { holder: string; at: number }[] = [];
      const clock = (): Date => new Date();
      const running = Array.from({ length: replicas }, (_, index) => {
        const holder = `replica-${String(index)}`;
        const scheduler = new Scheduler({
          lease: new SchedulerLease({ store, holder, ttlMs: LEASE_TTL_MS, clock }),
          fence: new TickFence(store, holder, clock),
          jobs: [{ name: 'job', intervalMs: interval, run: () => { ran.push({ holder, at: performance.now() }); return Promise.resolve(0); } }],
          clock,
          observer: noop,
          leaseTtlMs: LEASE_TTL_MS,
        });
        let polling: Promise<void> = Promise.resolve();
        const timer = setInterval(() => { polling = polling.then(() => scheduler.poll()).catch(() => undefined); }, pollIntervalMs(config));
        return { holder, scheduler, timer };
      });
      await until('a replica ticks', () => Promise.resolve(ran.length >= 2), 50);
      const active = running.find((replica) => replica.scheduler.isActive);
      if (active === undefined) throw new Error('no active replica');
      // What SIGKILL leaves: no more polls, no release; the lease runs out.
      clearInterval(active.timer);
      const diedAt = performance.now();
      await until('another replica ticks', () => Promise.resolve(ran.some((tick) => tick.at > diedAt && tick.holder !== active.holder)), 20);
      const takenAt = ran.find((tick) => tick.at > diedAt && tick.holder !== active.holder)?.at ?? Number.NaN;
      ratios.push((takenAt - diedAt) / LEASE_TTL_MS);
      for (const replica of running) clearInterval(replica.timer);
      await sleep(50);
    }
    console.log(`fail-over     ${String(replicas)} replicas, ${String(FAILOVERS)} deaths: next tick by another replica after p50 ${fmt(percentile(ratios, 50))} x lease TTL, max ${fmt(Math.max(...ratios))} x (TTL ${String(LEASE_TTL_MS)} ms, interval ${String(interval)} ms: bound ${fmt((LEASE_TTL_MS + interval) / LEASE_TTL_MS)} x)`);
  }
  await nc.close();
  await callerBus.close();
  await publisherBus.close();
  await db.$disconnect();
} finally {
  await bed.stop();
}
