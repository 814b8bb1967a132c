/**
 * Stage 6 of the seed on the real deployables (issue 17's "an e2e test on the real fleet with
 * replicas killed during the move"): the schedulers move from the monolith to the notification
 * service on the bus (examples/stages/stage-6-notifications.yaml: the `notification` context's
 * weight, per owner's chat), while a dozen channel owners (connected through the main bot, as a
 * person does it) schedule posts a few seconds ahead, all the time.
 *
 * Real parts: the monolith (jetstream mode) and two notification service replicas from their
 * builds on the routed bus (NOVA_ROUTING=kv), NATS JetStream, PostgreSQL, the test bed's
 * Prometheus scraping every process, the Telegram emulator, and the operator process on the real
 * kube-apiserver under its own RBAC with the `nats` provider. The stage file is applied as written
 * but for time (pauses of seconds), the Prometheus address, the latency limit (below) and its
 * dependsOn: stages 1–5 move other contexts (their own e2e tests), and here the monolith serves
 * them all, so nothing of stage 6 waits on them.
 *
 * During the move the active service replica is killed with SIGKILL twice (at 25 % and at the
 * manual pause at 50 %) and a new one started each time: its lease runs out and the standby takes
 * the ticks over. Then: Promoted; every post published in both of its channels exactly once and
 * reported to its owner once; the service's tick records each claimed once; the operator's
 * analysis compared the two sides' hand-offs (the notification context's messages).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { connectServiceBus, type NovaBus } from '@nova/bus';
import type { TickRecord } from '@nova/notification-service/domain';
import { openSchedulerBucket } from '@nova/notification-service/wiring';
import { addScrapeTarget, component } from '@nova/testbed';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { NovaMigrationStatus } from '../../operator/src/api/novamigration.js';
import { memoryLogger, testMetrics } from '../bus/support/nats.js';
import { adminKubeConfig, createNamespace, deleteNamespace } from '../operator/support/kube.js';
import { kubectl } from '../operator/support/kubectl.js';
import { Migrations } from '../operator/support/migrations.js';
import { operatorIdentity, startOperator, type OperatorIdentity } from '../operator/support/operator-process.js';
import { expectNoSecretsInLogs, secretsOfRun } from '../services/support/secrets.js';
import { sample, type RunningService } from '../services/support/services.js';
import { until } from '../services/support/until.js';
import { World } from '../services/support/world.js';
import { operatorStory } from './support/operator-story.js';
import { applyStage, canaryPopulation } from './support/fleet-stage.js';
import { Publishers, REPORT } from './support/publishers.js';
import { testStage, type StageDocument } from './support/stages.js';

jest.setTimeout(600_000);

const STAGE6 = 'stage-6-notifications';
const PEOPLE = 12;
/** Every owner schedules a post this far ahead, every POST_EVERY_MS: 2 channels each stay under Telegram's 20 a minute. */
const AHEAD_MS = 3_000;
const POST_EVERY_MS = 5_000;
/** As in the stage-4 test, and said so: the file's 200 ms is bench/'s to meet (a hand-off's time includes the publisher's start of sends, up to 1 s). */
const E2E_P95_LIMIT_MS = 5_000;
const SCHEDULER = { NOVA_NOTIFY_PUBLISH_INTERVAL: '1s', NOVA_NOTIFY_SUBSCRIPTION_INTERVAL: '1h', NOVA_SCHEDULER_LEASE_TTL: '3s', NOVA_ROUTING: 'kv' };

let admin: KubeConfig;
let world: World;
let namespace: string;
let identity: OperatorIdentity;
let migrations: Migrations;
let monolith: RunningService;
const services: RunningService[] = [];
let bus: NovaBus;
let nc: NatsConnection;
let scheduler: KV;
let people: Publishers;
let operatorLog = '';
const scrapeTargets: string[] = [];
/** Every post scheduled: id → its owner's index and its text. */
const scheduled = new Map<string, { owner: number; text: string }>();
const refused: string[] = [];
let posting: Promise<void> | undefined;
let stopPosting = false;

function stageDocument(): StageDocument {
  return testStage('stage-6-notifications.yaml', {
    namespace, prometheusUrl: component('prometheus').url, window: '30s', withoutDependencies: true,
    // A dozen owners hand a handful of posts per window at 5 %, not the file's 50.
    thresholds: { minRequests: 5, p95LatencyMs: E2E_P95_LIMIT_MS },
  });
}

async function startService(): Promise<RunningService> {
  const running = await world.start('notification-service', {
    NOVA_NATS_URL: world.nats.url, NOVA_MAIN_BOT_TOKEN: world.secrets.mainBotToken, NOVA_TELEGRAM_API_ROOT: world.emulator.apiRoot, NOVA_NAMESPACE: namespace, ...SCHEDULER,
  });
  const name = `${namespace}-${running.name}`;
  addScrapeTarget(component('prometheus'), name, running.address);
  scrapeTargets.push(name);
  services.push(running);
  return running;
}

/** The live service replica holding the target side's scheduler lease. */
async function activeService(): Promise<RunningService> {
  let active: RunningService | undefined;
  await until('one service replica holds the lease', async () => {
    for (const running of services.filter((candidate) => candidate.process.running)) {
      if (sample(await running.metrics(), 'nova_scheduler_active') === 1) active = running;
    }
    return active !== undefined;
  }, 30_000);
  if (active === undefined) throw new Error('no active replica');
  return active;
}

/** SIGKILL of the active replica (its lease is left to run out), and a new one in its place. */
async function killActive(): Promise<void> {
  const active = await activeService();
  await active.kill('SIGKILL');
  await startService();
}

/** Each owner schedules a post AHEAD_MS ahead every POST_EVERY_MS, through svc.publisher.create_post (routed by the owner). */
async function schedulePosts(): Promise<void> {
  await Promise.all(people.owners.map(async (owner, index) => {
    await new Promise((resolve) => setTimeout(resolve, index * 400));
    for (let n = 1; !stopPosting && n <= 200; n++) {
      const text = `stage6 ${String(owner.user.id)}-${String(n)}`;
      try {
        const { post } = await bus.request('svc.publisher.create_post', {
          ownerTelegramId: BigInt(owner.user.id),
          chatIds: owner.channels.map(BigInt),
          content: { text },
          publishAt: timestampFromDate(new Date(Date.now() + AHEAD_MS)),
        }, { routingKey: BigInt(owner.user.id), timeoutMs: 10_000 });
        if (post === undefined) refused.push(`${text}: no post`);
        else scheduled.set(post.postId.toString(), { owner: index, text });
      } catch (error) {
        refused.push(`${text}: ${error instanceof Error ? error.message : String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POST_EVERY_MS));
    }
  }));
}

/** The process's publish_due hand-offs once two readings 5 s apart agree (at most 100 s). */
async function settledCount(process: RunningService): Promise<number> {
  const read = async (): Promise<number> => sample(await process.metrics(), 'nova_scheduler_handoff_lag_seconds_count', { job: 'publish_due' }) ?? 0;
  let last = await read();
  for (let attempt = 0; attempt < 20; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const now = await read();
    if (now === last) return now;
    last = now;
  }
  throw new Error(`${process.name} kept handing posts on at 100 %: ${String(last)}`);
}


async function waitFor(what: string, probe: (status: NovaMigrationStatus) => boolean, timeoutMs = 180_000): Promise<void> {
  try {
    await migrations.waitFor(STAGE6, what, probe, timeoutMs);
  } catch (error) {
    throw new Error(`${String(error)}\n${await operatorStory({ migrations, namespace, names: [STAGE6], operatorLog })}`, { cause: error });
  }
}

async function tickHistory(key: string): Promise<number[]> {
  const ticks: number[] = [];
  for await (const entry of await scheduler.history({ key })) if (entry.operation === 'PUT') ticks.push((JSON.parse(entry.string()) as TickRecord).tick);
  return ticks;
}

beforeAll(async () => {
  admin = adminKubeConfig();
  namespace = await createNamespace(admin, 'e2e-stage6');
  migrations = new Migrations(admin, namespace);
  world = await World.create('e2e_stage6');
  identity = await operatorIdentity(admin, world.stack);
  ({ monolith } = await world.startMonolith('jetstream', { NOVA_NAMESPACE: namespace, ...SCHEDULER }));
  const name = `${namespace}-monolith`;
  addScrapeTarget(component('prometheus'), name, monolith.address);
  scrapeTargets.push(name);
  for (let i = 0; i < 2; i++) await startService();
  people = new Publishers(world.emulator, world.mainBot, canaryPopulation('notification', PEOPLE, 2, 48_000_000, 'Owner'), { thinkMs: [POST_EVERY_MS, POST_EVERY_MS], replyTimeoutMs: 30_000 });
  await people.onboard();
  bus = await connectServiceBus('kv', { servers: [world.nats.url], name: 'stage6-owners', metrics: testMetrics(), logger: memoryLogger('stage6-owners').logger });
  // Scheduling posts takes a posting subscription (stage 5's); granted as an admin grants it.
  const grantedUntil = timestampFromDate(new Date(Date.now() + 86_400_000));
  for (const owner of people.owners) await bus.request('svc.publisher.grant_posting', { telegramId: BigInt(owner.user.id), grantedBy: 1n, until: grantedUntil }, { routingKey: BigInt(owner.user.id) });
  nc = await connect({ servers: world.nats.url, name: 'stage6-test-kv' });
  scheduler = await openSchedulerBucket(nc);
  operatorLog = (await startOperator(world.stack, identity, { name: 'operator-stage6', watchNamespace: namespace, election: ['15s', '10s', '2s'], env: { NOVA_NATS_URL: world.nats.url, NOVA_PROMETHEUS_ADDRESS: component('prometheus').url } })).process.logPath;
});

afterAll(async () => {
  stopPosting = true;
  await posting;
  await bus.close();
  await nc.close();
  for (const name of scrapeTargets) rmSync(join(component('prometheus').fileSdDir, `${name}.json`), { force: true });
  await world.close();
  await deleteNamespace(admin, namespace);
  await identity.cleanup();
});

describe('stage 6 on the real deployables', () => {
  it('moves the schedulers to the notification service chat by chat, the active replica killed twice, every due post published once', async () => {
    posting = schedulePosts();
    const stage = stageDocument();
    await applyStage(stage, world.stack.dir);

    await waitFor('25 % confirmed', (status) => status.weight === 25);
    await killActive();
    await waitFor('waiting for approval at 50 %', (status) => status.phase === 'Paused' && status.weight === 50);
    await killActive();
    const resumed = await kubectl(component('kube').kubeconfig, ['nova', 'resume', STAGE6, '-n', namespace]);
    expect(resumed).toMatchObject({ code: 0 });
    await waitFor('Promoted', (status) => status.phase === 'Promoted' && status.weight === 100);
    const done = await migrations.status(STAGE6);
    // Checks compared both sides' hand-offs and passed (one failed check under load is allowed: failureLimit is 2).
    expect(done.analysis?.passes ?? 0).toBeGreaterThan(0);

    // At 100 % the monolith hands nothing more: only the service's ticks publish what falls due now.
    // A publish_due it started before every router applied 100 % may still be answered (it waits
    // for the channels' pace), so its count is read once it stood still for 5 s.
    const monolithHanded = await settledCount(monolith);
    // Time is the subject here: nothing may happen on the monolith's side over two posting rounds.
    await new Promise((resolve) => setTimeout(resolve, 2 * POST_EVERY_MS));
    stopPosting = true;
    await posting;
    expect(sample(await monolith.metrics(), 'nova_scheduler_handoff_lag_seconds_count', { job: 'publish_due' }) ?? 0).toBe(monolithHanded);

    // Every post in both of its channels once, and its owner told once.
    expect(refused).toEqual([]);
    const expectations = [...scheduled.values()].map(({ owner, text }) => ({ owner: people.owners[owner], text }));
    await until('every post in both of its channels', () => expectations.every(({ owner, text }) => owner?.channels.every((chat) => world.emulator.messagesTo(chat, { botId: owner.bot?.id }).some((message) => message.text === text)) === true), 120_000);
    const copies = expectations.flatMap(({ owner, text }) => (owner?.channels ?? []).map((chat) => ({ text, chat, copies: world.emulator.messagesTo(chat, { botId: owner?.bot?.id }).filter((message) => message.text === text).length })));
    expect(copies.filter(({ copies: n }) => n !== 1)).toEqual([]);
    const reports = (): Map<string, number> => {
      const counted = new Map<string, number>();
      for (const owner of people.owners) {
        for (const message of world.emulator.messagesTo(owner.user.id, { botId: world.mainBot.id })) {
          const id = REPORT.exec(message.text ?? '')?.[1];
          if (id !== undefined) counted.set(id, (counted.get(id) ?? 0) + 1);
        }
      }
      return counted;
    };
    await until('every post reported to its owner', () => [...scheduled.keys()].every((id) => reports().has(id)), 60_000).catch(() => undefined);
    const reported = reports();
    expect([...scheduled.keys()].filter((id) => reported.get(id) !== 1)).toEqual([]);

    // The service's ticks were each claimed once across the kills and the replacements.
    const ticks = await tickHistory('tick.publish_due.target');
    expect(ticks.length).toBeGreaterThan(10);
    expect(new Set(ticks).size).toBe(ticks.length);
    process.stdout.write(`stage 6: ${String(scheduled.size)} posts; analysis ${JSON.stringify(done.analysis?.summary)}; service ticks ${String(ticks.length)}\n`);

    expectNoSecretsInLogs([monolith, ...services], secretsOfRun(world.secrets, people.owners.flatMap((owner) => (owner.bot === undefined ? [] : [owner.bot]))));
  });
});
