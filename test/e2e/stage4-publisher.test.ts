/**
 * Stage 4 of the seed on the real fleet (issue 15's "the stage moves on the real fleet with a
 * test"): content publishing moves from the monolith to the publisher service on the bus
 * (examples/stages/stage-4-publisher.yaml: the `publisher` context's weight, per owner's chat),
 * while a dozen simulated channel owners, through the Telegram emulator and the main bot's
 * commands as a person writes them, publish posts to their two channels now and schedule others a
 * minute ahead.
 *
 * Real parts: the deployables as processes from their builds (NOVA_ROUTING=kv), NATS JetStream,
 * PostgreSQL, the test bed's Prometheus scraping every process, nginx as the ingress, and the
 * operator process on the real kube-apiserver under its own RBAC with the `nginx` and `nats`
 * providers. Stages 1–3 are applied first, at once, in one step each (dependsOn orders them).
 *
 * Due posts: the monolith's scheduler (the legacy notification context, every chat's at notification
 * weight 0) asks `list_due` and hands the due posts to `publish_due` by id every second over the
 * routed bus (they carry no chat, so the publisher weight draws their side), and this test
 * asks both sides at the same moment every second besides (DuePoller): both sides publish from
 * the one publisher_service, as they do in production during the stage, and the per-channel
 * leases are what keeps a post from going out twice. Decided 13's per-chat split of scheduled
 * work is the notification context's canary (stage 6, test/notifications/canary.test.ts).
 *
 * Two runs of stage 4, each stepping 5 → 25 → 50 and waiting at the manual pause:
 *  1. the publisher service loses its database privileges (a bad deploy: alive and ready, failing
 *     every request): the analysis fails, the operator rolls back; the owners' commands the broken
 *     side refused are redelivered onto the monolith, and every post scheduled before the fault
 *     still goes out, once (or twice where the fault refused the record of a send Telegram had
 *     taken: counted by the publisher, never more than counted);
 *  2. granted again and retried, `kubectl nova resume` at the pause: Promoted, every owner served
 *     by the publisher service, each request on the side the weight said.
 * Then: every post published in each of its channels and reported to its owner, none lost, once
 * each but for the counted doubles, nothing dead-lettered, no secret in any log.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { KubeConfig } from '@kubernetes/client-node';
import { routingBucket, type NovaBus } from '@nova/bus';
import { migrate } from '@nova/db';
import { arrangeFleetSchemaBefore } from '@nova/schema-move';
import { fleetAddresses, fleetCounterTotal, SchemaRole, startFleet, type FleetSettings, type RunningFleet } from '@nova/fleet';
import { PUBLISHER_MIGRATIONS_DIR, PUBLISHER_SCHEMA } from '@nova/publisher-service/domain';
import { addScrapeTarget, component } from '@nova/testbed';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { sideQueries } from '../../operator/src/analysis/queries.js';
import { asTrafficMigration, type NovaMigrationStatus } from '../../operator/src/api/novamigration.js';
import { adminKubeConfig, createNamespace, deleteNamespace } from '../operator/support/kube.js';
import { kubectl } from '../operator/support/kubectl.js';
import { Migrations } from '../operator/support/migrations.js';
import { operatorIdentity, startOperator, type OperatorIdentity } from '../operator/support/operator-process.js';
import { expectNoSecretsInLogs, secretsOfRun } from '../services/support/secrets.js';
import { until } from '../services/support/until.js';
import { World } from '../services/support/world.js';
import { connectSideBus, DuePoller } from './support/due-poller.js';
import { fleetComplaints, operatorStory } from './support/operator-story.js';
import { applyStage, canaryPopulation, loopbackPort, promNumber } from './support/fleet-stage.js';
import { startIngress, type Ingress } from './support/ingress.js';
import { Publishers, REPORT } from './support/publishers.js';
import { misrouted, RequestRecord, sidePatterns, StatusTimeline, type AddressedRequest } from './support/side-record.js';
import { loadStage, manualPauseStep, shortenPauses, type StageDocument } from './support/stages.js';

jest.setTimeout(900_000);

const STAGE4 = 'stage-4-publisher';
const EARLIER = ['stage-1-webhook-gateway', 'stage-2-users', 'stage-3-bots'] as const;
const PEOPLE = 12;
/** As in the stage-2 test: long enough that two checks 2 s apart see the same fault. */
const WINDOW = '30s';
/** The callers' timeout of svc.publisher.* (the bus's default). */
const REQUEST_TIMEOUT_MS = 5_000;
/** The latency limit on this loaded machine instead of the stage file's 200 ms (see stageDocument). */
const E2E_P95_LIMIT_MS = 5_000;
/** A scheduled post is a minute ahead: the longest a test waits for the last ones, with room for a tick. */
const LAST_SCHEDULED_MS = 150_000;

let admin: KubeConfig;
let world: World;
let namespace: string;
let identity: OperatorIdentity;
let migrations: Migrations;
let publisherRole: SchemaRole;
let ingress: Ingress;
let fleet: RunningFleet;
let inspector: pg.Client;
let record: RequestRecord;
let legacyBus: NovaBus;
let targetBus: NovaBus;
let poller: DuePoller | undefined;
let people: Publishers | undefined;
let timeline: StatusTimeline | undefined;
let stage4: StageDocument | undefined;
let operatorLog = '';
const scrapeTargets: string[] = [];
const marks = { retried: 0, promoted: 0 };

/** A dozen owners, at least 2 of them under weight 5 of the publisher context. */
function population(): ReturnType<typeof canaryPopulation> {
  return canaryPopulation('publisher', PEOPLE, 2, 47_000_000, 'Owner');
}

async function nova(...args: string[]): Promise<void> {
  const result = await kubectl(component('kube').kubeconfig, ['nova', ...args, '-n', namespace]);
  if (result.code !== 0) throw new Error(`kubectl nova ${args.join(' ')} exited ${String(result.code)}: ${result.stderr.trim() || result.stdout.trim()}\n${await story()}`);
}

/** examples/stages/stage-4-publisher.yaml as an SRE applies it here: this namespace, short pauses, the test bed's Prometheus. */
function stageDocument(): StageDocument {
  const stage = loadStage('stage-4-publisher.yaml');
  stage.metadata.namespace = namespace;
  stage.spec.steps = shortenPauses(stage.spec.steps, '4s');
  stage.spec.analysis = {
    ...stage.spec.analysis,
    interval: '2s',
    window: WINDOW,
    prometheus: { address: component('prometheus').url },
    thresholds: {
      ...stage.spec.analysis?.thresholds,
      // A dozen owners make a handful of target requests per window at 5 %, not the file's 50.
      minRequests: 5,
      // NOT the file's 200 ms, and said so (docs/testing.md, "Stage 4 on the real fleet"): with the file's
      // limit this test was rolled back on latency at 5 % every time on this machine (p95 7.7 s with owners
      // posting every second; 1.1 s at 5 % with owners posting every 3–5 s, the demo measuring the monolith
      // itself at 1.15 s), beside two CPU hogs and other engineers' test runs, the Telegram emulator answering
      // create_post's two sends from this busy test process. Both sides are that slow here, so the fault
      // this test is about shows in the error rate (the file's 0.1 % stays); the speed is bench/'s to find.
      p95LatencyMs: E2E_P95_LIMIT_MS,
    },
  };
  return stage;
}

/** One step to 100 % and no analysis: stages 1–3 are the ground stage 4 stands on here. */
function oneStep(file: string): StageDocument {
  const stage = loadStage(file);
  stage.metadata.namespace = namespace;
  stage.spec.steps = [{ setWeight: 100 }];
  delete stage.spec.analysis;
  if ('nginx' in stage.spec.trafficProvider) {
    stage.spec.legacy = { service: '127.0.0.1', port: loopbackPort(fleet['nova-monolith']) };
    stage.spec.target = { service: '127.0.0.1', port: loopbackPort(fleet['webhook-gateway']) };
  }
  return stage;
}

function atManualPause(s: NovaMigrationStatus): boolean {
  if (stage4 === undefined) throw new Error(`${STAGE4} was never applied (an earlier test failed)`);
  return s.phase === 'Paused' && s.currentStep === manualPauseStep(stage4) - 1 && s.weight === 50;
}

const rolledBack = (s: NovaMigrationStatus): boolean => s.phase === 'RolledBack' && s.weight === 0;
const promoted = (s: NovaMigrationStatus): boolean => s.phase === 'Promoted' && s.weight === 100;

function chatsOn(requests: readonly AddressedRequest[], side: 'legacy' | 'target'): Set<string> {
  return new Set(requests.filter((request) => request.side === side).map((request) => request.chat));
}

function story(): Promise<string> {
  return operatorStory({ migrations, namespace, names: [STAGE4], operatorLog });
}


async function explained<T>(wait: Promise<T>): Promise<T> {
  try {
    return await wait;
  } catch (error) {
    throw new Error(`${String(error)}\n${await story()}\nowners lost: ${JSON.stringify(people?.lostReplies())}\nfleet warnings:\n${fleetComplaints(fleet.all, 6)}`, { cause: error });
  }
}

function waitForStage(what: string, probe: (s: NovaMigrationStatus) => boolean, timeoutMs = 240_000): Promise<NovaMigrationStatus> {
  return explained(migrations.waitFor(STAGE4, what, probe, timeoutMs));
}

/** What an SRE does before `kubectl nova retry`: waits until the failures left the analysis window. */
async function untilWindowClean(): Promise<void> {
  const errors = sideQueries(asTrafficMigration(await migrations.get(STAGE4)), 'target', WINDOW).errors;
  // Clean in three readings in a row, a second apart: a failure made just before the grant may
  // reach Prometheus only at its next scrape, and a single clean reading let a retry start with it
  // still to come (its first checks then failed at 12–20 %, seen in a fresh-clone run).
  let clean = 0;
  await until(`${STAGE4}'s analysis window holds no target error, three readings in a row`, async () => {
    clean = (await promNumber(errors)) === 0 ? clean + 1 : 0;
    return clean >= 3;
  }, 120_000, 1_000);
}

interface PostRow { id: string; owner: string; text: string; status: string; due: boolean }

async function posts(): Promise<PostRow[]> {
  const result = await inspector.query<PostRow>(`SELECT id::text, owner_telegram_id::text AS owner, text, status::text, publish_at <= now() AS due FROM ${PUBLISHER_SCHEMA}.posts ORDER BY id`);
  return result.rows;
}

/** Every post whose time has come is published (the poller and the scheduler publish them; waits). */
async function everyDuePostPublished(timeoutMs: number): Promise<PostRow[]> {
  await until('every due post published', async () => (await posts()).every((post) => !post.due || post.status === 'PUBLISHED'), timeoutMs, 500);
  return posts();
}

/** Sent messages of the owner's bot to each of their channels, by text. */
function channelCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const owner of people?.owners ?? []) {
    for (const chat of owner.channels) {
      for (const message of world.emulator.messagesTo(chat, { botId: owner.bot?.id ?? 0 })) {
        const key = `${String(chat)}:${message.text ?? ''}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
  }
  return counts;
}

/** The main bot's reports, per post id (each must be one). */
function reportCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  const owners = new Set(people?.owners.map((owner) => owner.user.id));
  for (const call of world.emulator.calls((c) => c.ok && c.method === 'sendMessage' && c.botId === world.mainBot.id && owners.has(Number(c.params.chat_id)))) {
    const id = REPORT.exec(String(call.params.text))?.[1];
    if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

interface Copies {
  /** Channel posts and reports that never arrived. */
  readonly lost: string[];
  /** Those that arrived more than once, and how many copies too many in all. */
  readonly doubled: string[];
  readonly extra: number;
}

/**
 * Published posts not sent exactly once to each of their owner's channels, or not reported
 * exactly once, read once every copy and report has had time to arrive: a post's row is PUBLISHED
 * before its report reaches Telegram (the report is an event, then the main bot's paced send), so
 * a check right after the last row flipped saw a report still on its way (a fresh-clone run, load
 * 14). A missing one is waited for (bounded); a doubled one never goes away.
 */
async function copiesOf(published: readonly PostRow[]): Promise<Copies> {
  await until('every published post sent to its channels and reported', () => Promise.resolve(countCopies(published).lost.length === 0), 30_000, 250).catch(() => undefined);
  return countCopies(published);
}

function countCopies(published: readonly PostRow[]): Copies {
  const sent = channelCounts();
  const reports = reportCounts();
  const copies: Copies = { lost: [], doubled: [], extra: 0 };
  const tally = (count: number, what: string): void => {
    if (count === 0) copies.lost.push(`${what} never arrived`);
    if (count > 1) {
      copies.doubled.push(`${what} arrived ${String(count)} times`);
      (copies as { extra: number }).extra += count - 1;
    }
  };
  for (const post of published) {
    const owner = people?.owners.find((each) => String(each.user.id) === post.owner);
    for (const chat of owner?.channels ?? []) tally(sent.get(`${String(chat)}:${post.text}`) ?? 0, `post ${post.id} "${post.text}" in ${String(chat)}`);
    tally(reports.get(post.id) ?? 0, `post ${post.id}'s report`);
  }
  return copies;
}

/**
 * Nothing lost; a double only where a publisher said it may happen: a send Telegram took whose
 * record the fault refused goes out again once its lease runs out (Telegram has no idempotency
 * key), and each is counted in nova_publisher_sends_unrecorded_total. Never more than counted.
 */
async function expectOnceOrCounted(published: readonly PostRow[]): Promise<void> {
  const copies = await copiesOf(published);
  expect(copies.lost).toEqual([]);
  const unrecorded = await fleetCounterTotal(fleet.all, 'nova_publisher_sends_unrecorded_total');
  if (copies.extra > 0) process.stdout.write(`stage 4 doubles: ${String(copies.extra)} (${copies.doubled.join('; ')}); sends the publishers could not record: ${String(unrecorded)}\n`);
  expect(copies.extra).toBeLessThanOrEqual(unrecorded);
}

beforeAll(async () => {
  admin = adminKubeConfig();
  world = await World.create('e2e_stage4');
  namespace = await createNamespace(admin, 'stage4');
  identity = await operatorIdentity(admin, world.stack);
  migrations = new Migrations(admin, namespace);
  inspector = new pg.Client({ connectionString: world.database.url });
  await inspector.connect();

  // The publisher service's own login, granted its schema's data only (the fault takes it away).
  await migrate({ connectionString: world.database.url, schema: PUBLISHER_SCHEMA, migrationsDir: PUBLISHER_MIGRATIONS_DIR });
  await arrangeFleetSchemaBefore(world.database.url, PUBLISHER_SCHEMA);
  publisherRole = await SchemaRole.create(world.database.url, PUBLISHER_SCHEMA);

  const addresses = await fleetAddresses();
  ingress = await startIngress(world.stack, addresses['nova-monolith']);
  const settings: FleetSettings = {
    natsUrl: world.nats.url,
    databaseUrl: world.databaseUrl,
    telegramApiRoot: world.emulator.apiRoot,
    publicUrl: ingress.url,
    secrets: { mainBotToken: world.secrets.mainBotToken, encryptionKey: world.secrets.encryptionKey, webhookSecret: world.secrets.webhookSecret },
    routing: 'kv',
    namespace,
    extra: {
      'publisher-service': { NOVA_DATABASE_URL: publisherRole.url(), NOVA_MIGRATE_ON_START: 'false' },
      // The legacy scheduler's publish_due every second (30 s in production), so a scheduled post goes out within a tick here.
      'nova-monolith': { NOVA_NOTIFY_PUBLISH_INTERVAL: '1s' },
    },
  };
  fleet = await startFleet(world.stack, settings, { addresses });
  for (const running of fleet.all) {
    const name = `${namespace}-${running.name}`;
    addScrapeTarget(component('prometheus'), name, running.address);
    scrapeTargets.push(name);
  }
  operatorLog = (await startOperator(world.stack, identity, { name: 'operator-stage4', watchNamespace: namespace, election: ['15s', '10s', '2s'], env: { NOVA_NATS_URL: world.nats.url, ...ingress.operatorEnv } })).process.logPath;
  record = await RequestRecord.start(world.nats.url, 'publisher', REQUEST_TIMEOUT_MS, ['svc.publisher.publish_due', 'svc.publisher.list_due']);
  legacyBus = await connectSideBus(world.nats.url, 'legacy');
  targetBus = await connectSideBus(world.nats.url, 'target');
});

afterAll(async () => {
  await people?.stop();
  await poller?.stop();
  await timeline?.stop();
  await record.close();
  await legacyBus.close();
  await targetBus.close();
  for (const name of scrapeTargets) rmSync(join(component('prometheus').fileSdDir, `${name}.json`), { force: true });
  await world.stack.stop();
  await inspector.end();
  await publisherRole.drop().catch(() => undefined);
  await world.close();
  await deleteNamespace(admin, namespace);
  await identity.cleanup();
});

describe('stage 4: publishing moves to the publisher service on the real fleet, chat by chat on the bus', () => {
  it('stages 1–3, applied at once, are Promoted; owners link channels and post, now and scheduled, through the monolith', async () => {
    for (const file of ['stage-1-webhook-gateway-nginx.yaml', 'stage-2-users.yaml', 'stage-3-bots.yaml']) await applyStage(oneStep(file), world.stack.dir);
    await explained(Promise.all(EARLIER.map((name) => migrations.waitFor(name, 'Promoted', promoted, 120_000))));

    // A post every 3–5 s per owner: Telegram takes 20 messages a minute in a channel and one a second in the
    // owner's chat (the answer and the report); the client paces to that, and a faster owner would measure its queue.
    people = new Publishers(world.emulator, world.mainBot, population(), { thinkMs: [3_000, 5_000], replyTimeoutMs: 150_000 });
    // An administrator grants posting (as `svc.publisher.grant_posting` is meant to be used), on the monolith: stage 4 has not started.
    for (const owner of people.owners) {
      await legacyBus.request('svc.publisher.grant_posting', { telegramId: BigInt(owner.user.id), grantedBy: 1n, until: timestampFromDate(new Date(Date.now() + 86_400_000)) }, { routingKey: owner.user.id });
    }
    await explained(people.onboard());
    poller = new DuePoller({ legacy: legacyBus, target: targetBus }, 1_000);
    people.start();
    await until('every owner has a post out and one scheduled', () => people?.owners.every((owner) => owner.written >= 4) === true, 150_000);
    expect(chatsOn(record.all(), 'target').size).toBe(0);
    expect(chatsOn(record.all(), 'legacy').size).toBe(PEOPLE);
    expect(record.malformed()).toEqual([]);
    expect(people.refusals()).toEqual([]);
  });

  it('a publisher service failing every request (alive and ready) is rolled back; every post scheduled before still goes out, once', async () => {
    const from = Date.now();
    stage4 = stageDocument();
    await applyStage(stage4, world.stack.dir);
    await waitForStage('at the manual pause, 50 %', atManualPause);
    const scheduledBefore = (await posts()).filter((post) => !post.due && post.status === 'SCHEDULED');
    // The fault: permission denied on its tables, while /readyz (a bare SELECT 1) stays green.
    await publisherRole.revoke();
    const status = await waitForStage('rolled back, weight 0 confirmed', rolledBack);
    expect(status.conditions?.find((c) => c.type === 'RolledBack')).toMatchObject({ status: 'True', reason: 'AnalysisFailed' });
    expect(status.analysis?.failedChecks?.join('; ')).toMatch(/error rate .* > maxErrorRate 0\.10%/);
    const back = Date.now();
    const moved = chatsOn(record.between(from, back), 'target');
    expect(moved.size).toBeGreaterThan(0);
    await until('every owner the target had is served by the monolith again', () => {
      const served = chatsOn(record.between(back), 'legacy');
      return [...moved].every((chat) => served.has(chat));
    }, 120_000, 500);
    // The posts scheduled at 50 % come due after the rollback: the monolith publishes them, once.
    await until('the posts scheduled before the fault are due', async () => {
      const due = new Set((await posts()).filter((post) => post.due).map((post) => post.id));
      return scheduledBefore.every((post) => due.has(post.id));
    }, LAST_SCHEDULED_MS, 1_000);
    const published = (await everyDuePostPublished(60_000)).filter((post) => post.status === 'PUBLISHED');
    expect(scheduledBefore.length).toBeGreaterThan(0);
    await expectOnceOrCounted(published);
    expect(people?.lostReplies()).toEqual([]);
    expect(poller?.tally.target.failed).toBeGreaterThan(0);
  });

  it('retried with its privileges back, it steps to 100 %: every owner is the publisher service\'s, each request on the side the weight said', async () => {
    await publisherRole.grant();
    // The target answers again (a publish_due of the poller's succeeds) before its window is judged.
    const answeredBefore = poller?.tally.target.answered ?? 0;
    await until('the publisher service answers publish_due again', () => (poller?.tally.target.answered ?? 0) > answeredBefore, 60_000, 200);
    await untilWindowClean();
    marks.retried = Date.now();
    const statuses = new StatusTimeline(() => migrations.status(STAGE4));
    timeline = statuses;
    await nova('retry', STAGE4);
    await waitForStage('at the manual pause, 50 %', atManualPause);
    await nova('resume', STAGE4);
    const status = await waitForStage('Promoted', promoted);
    expect(status.analysis?.lastResult).toBe('Pass');
    marks.promoted = Date.now();
    process.stdout.write(`stage 4 analysis at promotion: ${JSON.stringify({ summary: status.analysis?.summary, legacy: status.analysis?.legacy, target: status.analysis?.target })}\n`);

    const chats = new Set(people?.owners.map((owner) => String(owner.user.id)));
    await until('every owner is served by the publisher service after promotion', () => {
      const served = chatsOn(record.between(marks.promoted), 'target');
      return [...chats].every((chat) => served.has(chat));
    }, 120_000, 500);
    expect(chatsOn(record.between(marks.promoted), 'legacy')).toEqual(new Set());
    // Legacy until the weight passed the owner's bucket, the publisher service from then on: never back.
    const run = record.between(marks.retried);
    const patterns = sidePatterns(run);
    expect([...patterns.entries()].filter(([, pattern]) => !/^L?T$/.test(pattern))).toEqual([]);
    const lastSent = Math.max(...run.map((request) => request.sentAt));
    await until('the timeline polled after the last request', () => (statuses.polls().at(-1)?.start ?? 0) > lastSent);
    expect(misrouted(run, statuses, (chat) => routingBucket('publisher', chat))).toEqual([]);
  });

  it('every post was published in each channel and reported, once (or as the publishers counted); nothing lost; no secret in any log', async () => {
    await people?.stop();
    expect(people?.lostReplies()).toEqual([]);
    expect(people?.refusals()).toEqual([]);
    // The last posts were scheduled a minute ahead: every one goes out.
    await until('every post is due', async () => (await posts()).every((post) => post.due), LAST_SCHEDULED_MS, 1_000);
    const all = await everyDuePostPublished(60_000);
    expect(all.filter((post) => post.status !== 'PUBLISHED')).toEqual([]);
    await poller?.stop();
    // Each post a person was told about is in the database under its text, and no other.
    const announced = people?.announced() ?? new Map<string, string>();
    expect(all.map((post) => [post.id, post.text])).toEqual(expect.arrayContaining([...announced.entries()]));
    expect(new Set(all.map((post) => post.text)).size).toBe(all.length);
    expect(all.length).toBeGreaterThan(PEOPLE * 6);
    await expectOnceOrCounted(all);
    // Nothing in any channel but these posts.
    const texts = new Set(all.map((post) => post.text));
    expect([...channelCounts().keys()].filter((key) => !texts.has(key.slice(key.indexOf(':') + 1)))).toEqual([]);
    process.stdout.write(`stage 4 counts: ${JSON.stringify({ posts: all.length, announced: announced.size, dueCalls: poller?.tally, routedDue: { legacy: record.unrouted('legacy'), target: record.unrouted('target') }, requests: { legacy: record.count('legacy'), target: record.count('target') } })}\n`);

    await fleet.stop();
    expect(await world.streamMessages('DLQ')).toBe(0);
    expect(record.malformed()).toEqual([]);
    const secrets = secretsOfRun(world.secrets, (people?.owners ?? []).flatMap((owner) => (owner.bot === undefined ? [] : [owner.bot])));
    secrets.set('the publisher service\'s database password', new URL(publisherRole.url()).password);
    expectNoSecretsInLogs(fleet.all, secrets);
  });
});
