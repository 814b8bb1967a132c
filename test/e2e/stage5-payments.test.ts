/**
 * Stage 5 of the seed on the real fleet (issue 16's "the stage moves on the real fleet with a
 * test"): payments move from the monolith to the payment service in its two halves at once, the
 * providers' door over HTTP (stage-5-payment-callbacks-nginx.yaml: nginx splits /payments/) and
 * the context itself on the bus (stage-5-payments.yaml: the `payment` context's weight, per
 * buyer), while a dozen simulated people buy subscriptions through the main bot and pay with
 * both providers (emulators faithful to Crypto Pay's and Platega's published APIs, their callbacks
 * arriving through the ingress like the real providers', and retried when refused).
 *
 * Real parts: the deployables as processes from their builds (NOVA_ROUTING=kv), NATS JetStream,
 * PostgreSQL, the test bed's Prometheus scraping every process, nginx as the ingress, and the
 * operator process on the real kube-apiserver under its own RBAC with the `nginx` and `nats`
 * providers. Stages 1–4 are applied first, at once, in one step each (their canaries are the
 * stage-2 test's and test/operator's business): `dependsOn` alone orders them, and stage 5's two
 * files wait for stage 4.
 *
 * Two runs of stage 5, each stepping 5 → 25 → 50 and waiting at the manual pause:
 *  1. the payment service loses its database privileges (a bad deploy: alive and ready, failing
 *     every request and every callback): both analyses fail, both halves roll back, the refused
 *     callbacks are retried by the providers onto the monolith, and every payment made is
 *     activated once, with its buyer told once;
 *  2. granted again and retried, `kubectl nova resume` at the pause: both Promoted, every buyer's
 *     payments and every callback served by the payment service.
 * Then stage 7's engine moves all four contexts' tables from public (the fleet's "before",
 * docs/database-split.md) into their schemas and back while the buyers keep paying.
 * Then: every payment made activated exactly once, each buyer told once per payment, nothing
 * lost, no secret in any log.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { KubeConfig } from '@kubernetes/client-node';
import { migrate } from '@nova/db';
import { arrangeFleetSchemaBefore, FLEET_PLAN, moveAll, reverseAll, status as arrangement } from '@nova/schema-move';
import { fleetAddresses, SchemaRole, startFleet, type FleetSettings, type RunningDeployable, type RunningFleet } from '@nova/fleet';
import { CryptoBotEmulator, PlategaEmulator } from '@nova/payment-emulators';
import { PAYMENT_MIGRATIONS_DIR, PAYMENT_SCHEMA } from '@nova/payment-service/domain';
import type { UserSpec } from '@nova/telegram-emulator';
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
import { sample } from '../services/support/services.js';
import { until } from '../services/support/until.js';
import { World } from '../services/support/world.js';
import { Buyers } from './support/buyers.js';
import { startIngress, type Ingress } from './support/ingress.js';
import { RequestRecord, sidePatterns, type AddressedRequest } from './support/side-record.js';
import { fleetComplaints, operatorStory } from './support/operator-story.js';
import { applyStage, canaryPopulation, loopbackPort, promNumber } from './support/fleet-stage.js';
import { loadStage, manualPauseStep, shortenPauses, type StageDocument } from './support/stages.js';

jest.setTimeout(900_000);

const CALLBACKS = 'stage-5-payment-callbacks';
const PAYMENTS = 'stage-5-payments';
const STAGE5 = [CALLBACKS, PAYMENTS] as const;
const EARLIER = ['stage-1-webhook-gateway', 'stage-2-users', 'stage-3-bots', 'stage-4-publisher'] as const;
const PEOPLE = 12;
/** As in the stage-2 test: long enough that two checks 2 s apart see the same fault. */
const WINDOW = '30s';
/** The callers' timeout of svc.payment.* (the bus's default). */
const REQUEST_TIMEOUT_MS = 5_000;

let admin: KubeConfig;
let world: World;
let namespace: string;
let identity: OperatorIdentity;
let migrations: Migrations;
let paymentsRole: SchemaRole;
let cryptobot: CryptoBotEmulator;
let platega: PlategaEmulator;
let ingress: Ingress;
let fleet: RunningFleet;
let inspector: pg.Client;
let record: RequestRecord;
let buyers: Buyers | undefined;
let operatorLog = '';
const documents = new Map<string, StageDocument>();
const scrapeTargets: string[] = [];
const marks = { retried: 0, promoted: 0 };

/** A dozen people, at least 2 of them under weight 5 of the payment context. */
function population(): UserSpec[] {
  return canaryPopulation('payment', PEOPLE, 2, 65_000_000, 'Buyer');
}

async function apply(stage: StageDocument): Promise<void> {
  documents.set(stage.metadata.name, stage);
  await applyStage(stage, world.stack.dir);
}

async function nova(...args: string[]): Promise<void> {
  const result = await kubectl(component('kube').kubeconfig, ['nova', ...args, '-n', namespace]);
  if (result.code !== 0) throw new Error(`kubectl nova ${args.join(' ')} exited ${String(result.code)}: ${result.stderr.trim() || result.stdout.trim()}\n${await story()}`);
}

/** A file of examples/stages as an SRE applies it here: this namespace, loopback addresses for nginx, short pauses, the test bed's Prometheus. */
function stageDocument(file: string, minRequests: number): StageDocument {
  const stage = loadStage(file);
  stage.metadata.namespace = namespace;
  stage.spec.steps = shortenPauses(stage.spec.steps, '4s');
  if ('nginx' in stage.spec.trafficProvider) {
    stage.spec.legacy = { service: '127.0.0.1', port: loopbackPort(fleet['nova-monolith']) };
    stage.spec.target = { service: '127.0.0.1', port: loopbackPort(fleet['payment-service']) };
  }
  stage.spec.analysis = {
    ...stage.spec.analysis,
    interval: '2s',
    window: WINDOW,
    prometheus: { address: component('prometheus').url },
    thresholds: {
      ...stage.spec.analysis?.thresholds,
      // A dozen buyers make a few target requests per window at 5 %.
      minRequests,
      // Not this test's subject: the faults here show in the error rate (the file's 0.1 % stays),
      // and speed is measured in bench/. (The latency rule rolls a slow target back on its p95
      // through the real Prometheus in test/operator/analysis.test.ts, on simulated traffic.)
      // Beside two CPU hogs, a window's first handful of target requests measured p95 1.4–4.6 s
      // (the monolith 0.5–0.7 s over many more): one slow request among 6 is the p95. Not a cold
      // start: a fresh payment service alone, beside the same hogs, answered its first requests in
      // 20–90 ms (a one-off probe, not a test); a likely suspect is create_invoice waiting on the
      // providers' emulators in this busy test process. bench/ is where to find out.
      p95LatencyMs: 10_000,
    },
  };
  return stage;
}

/** One step to 100 % and no analysis: stages 1–4 are the ground stage 5 stands on here. */
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

function atManualPause(name: string): (s: NovaMigrationStatus) => boolean {
  const document = documents.get(name);
  if (document === undefined) throw new Error(`${name} was never applied (an earlier test failed)`);
  return (s) => s.phase === 'Paused' && s.currentStep === manualPauseStep(document) - 1 && s.weight === 50;
}

const rolledBack = (s: NovaMigrationStatus): boolean => s.phase === 'RolledBack' && s.weight === 0;
const promoted = (s: NovaMigrationStatus): boolean => s.phase === 'Promoted' && s.weight === 100;

/** Both stage-5 migrations reached `probe`. */
async function both(what: string, probe: (name: string) => (s: NovaMigrationStatus) => boolean, timeoutMs = 240_000): Promise<NovaMigrationStatus[]> {
  return explained(Promise.all(STAGE5.map((name) => migrations.waitFor(name, what, probe(name), timeoutMs))));
}

/** The callbacks each side answered, by status code (its own nova_http_server_requests_total on /payments/). */
async function callbacksServed(running: RunningDeployable, side: 'legacy' | 'target', code = '200'): Promise<number> {
  return sample(await running.metrics(), 'nova_http_server_requests_total', { side, route: '/payments/', code }) ?? 0;
}

function chatsOn(requests: readonly AddressedRequest[], side: 'legacy' | 'target'): Set<string> {
  return new Set(requests.filter((request) => request.side === side).map((request) => request.chat));
}

function story(): Promise<string> {
  return operatorStory({ migrations, namespace, names: STAGE5, operatorLog });
}


async function explained<T>(wait: Promise<T>): Promise<T> {
  try {
    return await wait;
  } catch (error) {
    throw new Error(`${String(error)}\n${await story()}\nbuyers lost: ${JSON.stringify(buyers?.lostReplies())}\nfleet warnings:\n${fleetComplaints(fleet.all, 6)}`, { cause: error });
  }
}

/** What an SRE does before `kubectl nova retry`: waits until the failures left both analysis windows. */
async function untilWindowsClean(): Promise<void> {
  for (const name of STAGE5) {
    const errors = sideQueries(asTrafficMigration(await migrations.get(name)), 'target', WINDOW).errors;
    await until(`${name}'s analysis window holds no target error`, async () => (await promNumber(errors)) === 0, 120_000, 1_000);
  }
}

/** Our invoice ids with their subscriptions' count: one row per activation. */
async function activations(): Promise<Map<string, number>> {
  const result = await inspector.query<{ invoice_id: string; n: string }>(`SELECT invoice_id, count(*) AS n FROM ${PAYMENT_SCHEMA}.purchases GROUP BY invoice_id`);
  return new Map(result.rows.map((row) => [row.invoice_id, Number(row.n)]));
}

/** Every payment made so far has exactly one subscription (a late callback may still be on its way: waits). */
async function everyPaymentActivatedOnce(): Promise<void> {
  await until('every payment made is activated', async () => {
    const active = await activations();
    return buyers?.payments().every((payment) => active.has(payment.invoiceId)) === true;
  }, 120_000, 500);
  const active = await activations();
  const made = new Set(buyers?.payments().map((payment) => payment.invoiceId));
  expect([...active.entries()].filter(([invoice, count]) => count !== 1 || !made.has(invoice))).toEqual([]);
}

beforeAll(async () => {
  admin = adminKubeConfig();
  world = await World.create('e2e_stage5');
  namespace = await createNamespace(admin, 'stage5');
  identity = await operatorIdentity(admin, world.stack);
  migrations = new Migrations(admin, namespace);
  inspector = new pg.Client({ connectionString: world.database.url });
  await inspector.connect();

  // The payment service's own login, granted its schema's data only (the fault takes it away).
  await migrate({ connectionString: world.database.url, schema: PAYMENT_SCHEMA, migrationsDir: PAYMENT_MIGRATIONS_DIR });
  await arrangeFleetSchemaBefore(world.database.url, PAYMENT_SCHEMA);
  paymentsRole = await SchemaRole.create(world.database.url, PAYMENT_SCHEMA);

  const addresses = await fleetAddresses();
  ingress = await startIngress(world.stack, addresses['nova-monolith']);
  // The providers call back through the ingress, as they would the public address. Their retry
  // schedules compressed to this test's time (Platega's real one: 3 retries 5 minutes apart).
  const delivery = { attempts: 240, intervalMs: 500, timeoutMs: 5_000 };
  cryptobot = await CryptoBotEmulator.start({ webhookUrl: `${ingress.url}/payments/cryptobot/callback`, delivery });
  platega = await PlategaEmulator.start({ callbackUrl: `${ingress.url}/payments/platega/callback`, delivery });
  const settings: FleetSettings = {
    natsUrl: world.nats.url,
    databaseUrl: world.databaseUrl,
    telegramApiRoot: world.emulator.apiRoot,
    publicUrl: ingress.url,
    secrets: { mainBotToken: world.secrets.mainBotToken, encryptionKey: world.secrets.encryptionKey, webhookSecret: world.secrets.webhookSecret },
    payments: {
      cryptobot: { apiRoot: cryptobot.apiRoot, token: cryptobot.token },
      platega: { apiRoot: platega.apiRoot, merchantId: platega.merchantId, secret: platega.secret },
    },
    routing: 'kv',
    namespace,
    extra: { 'payment-service': { NOVA_DATABASE_URL: paymentsRole.url(), NOVA_MIGRATE_ON_START: 'false' } },
  };
  fleet = await startFleet(world.stack, settings, { addresses });
  for (const running of fleet.all) {
    const name = `${namespace}-${running.name}`;
    addScrapeTarget(component('prometheus'), name, running.address);
    scrapeTargets.push(name);
  }
  operatorLog = (await startOperator(world.stack, identity, { name: 'operator-stage5', watchNamespace: namespace, election: ['15s', '10s', '2s'], env: { NOVA_NATS_URL: world.nats.url, ...ingress.operatorEnv } })).process.logPath;
  // The monolith's subscriptions job asks for expiring and expired subscriptions: about no buyer.
  record = await RequestRecord.start(world.nats.url, 'payment', REQUEST_TIMEOUT_MS, ['svc.payment.expiring', 'svc.payment.expire_due']);
});

afterAll(async () => {
  await buyers?.stop();
  await record.close();
  for (const name of scrapeTargets) rmSync(join(component('prometheus').fileSdDir, `${name}.json`), { force: true });
  await world.stack.stop();
  await cryptobot.stop();
  await platega.stop();
  await inspector.end();
  await paymentsRole.drop().catch(() => undefined);
  await world.close();
  await deleteNamespace(admin, namespace);
  await identity.cleanup();
});

describe('stage 5: payments move to the payment service on the real fleet, callbacks over HTTP and the context on the bus', () => {
  it('stages 1–4, applied at once, are Promoted (dependsOn orders them); people buy and pay through the monolith', async () => {
    const files = ['stage-1-webhook-gateway-nginx.yaml', 'stage-2-users.yaml', 'stage-3-bots.yaml', 'stage-4-publisher.yaml'];
    for (const file of files) await apply(oneStep(file));
    await explained(Promise.all(EARLIER.map((name) => migrations.waitFor(name, 'Promoted', promoted, 120_000))));

    buyers = new Buyers(world.emulator, world.mainBot, { cryptobot, platega }, population(), { thinkMs: [300, 900], replyTimeoutMs: 150_000 });
    await until('every person paid once with each provider', () => buyers?.buyers.every((buyer) => buyer.told >= 2) === true, 150_000);
    expect(await callbacksServed(fleet['nova-monolith'], 'legacy')).toBeGreaterThanOrEqual(PEOPLE * 2);
    expect(await callbacksServed(fleet['payment-service'], 'target')).toBe(0);
    expect(chatsOn(record.all(), 'target').size).toBe(0);
    expect(record.malformed()).toEqual([]);
    expect(buyers.refusals()).toEqual([]);
  });

  it('a payment service failing every request and callback (alive and ready) is rolled back in both halves; every payment is still activated once', async () => {
    const from = Date.now();
    await apply(stageDocument('stage-5-payment-callbacks-nginx.yaml', 2));
    await apply(stageDocument('stage-5-payments.yaml', 5));
    await both('at the manual pause, 50 %', atManualPause);
    // The fault: permission denied on its tables, while /readyz (a bare SELECT 1) stays green.
    await paymentsRole.revoke();
    const statuses = await both('rolled back, weight 0 confirmed', () => rolledBack);
    for (const status of statuses) {
      expect(status.conditions?.find((c) => c.type === 'RolledBack')).toMatchObject({ status: 'True', reason: 'AnalysisFailed' });
      expect(status.analysis?.failedChecks?.join('; ')).toMatch(/error rate .* > maxErrorRate 0\.10%/);
    }
    const back = Date.now();
    // Buyers the target had are served by the monolith again, and the refused callbacks were retried onto it.
    const moved = chatsOn(record.between(from, back), 'target');
    expect(moved.size).toBeGreaterThan(0);
    await until('every buyer the target had is served by the monolith again', () => {
      const served = chatsOn(record.between(back), 'legacy');
      return [...moved].every((chat) => served.has(chat));
    }, 120_000, 500);
    expect(await callbacksServed(fleet['payment-service'], 'target', '503')).toBeGreaterThan(0);
    await everyPaymentActivatedOnce();
    expect(buyers?.lostReplies()).toEqual([]);
  });

  it('retried with its privileges back, both halves step to 100 %: every buyer and every callback is the payment service\'s', async () => {
    await paymentsRole.grant();
    await untilWindowsClean();
    marks.retried = Date.now();
    for (const name of STAGE5) await nova('retry', name);
    await both('at the manual pause, 50 %', atManualPause);
    for (const name of STAGE5) await nova('resume', name);
    const statuses = await both('Promoted', () => promoted);
    for (const status of statuses) expect(status.analysis?.lastResult).toBe('Pass');
    marks.promoted = Date.now();

    const chats = new Set(buyers?.buyers.map((buyer) => String(buyer.user.id)));
    await until('every buyer is served by the payment service after promotion', () => {
      const served = chatsOn(record.between(marks.promoted), 'target');
      return [...chats].every((chat) => served.has(chat));
    }, 120_000, 500);
    expect(chatsOn(record.between(marks.promoted), 'legacy')).toEqual(new Set());
    // Legacy until the weight passed the buyer's bucket, the payment service from then on: never back.
    const patterns = sidePatterns(record.between(marks.retried));
    expect([...patterns.entries()].filter(([, pattern]) => !/^L?T$/.test(pattern))).toEqual([]);

    // Callbacks: from here on only the payment service answers them.
    const legacyThen = await callbacksServed(fleet['nova-monolith'], 'legacy');
    const targetThen = await callbacksServed(fleet['payment-service'], 'target');
    const paidThen = buyers?.payments().length ?? 0;
    await until('a dozen more payments', () => (buyers?.payments().length ?? 0) >= paidThen + PEOPLE, 120_000);
    await until('their callbacks answered by the payment service', async () => (await callbacksServed(fleet['payment-service'], 'target')) >= targetThen + PEOPLE, 60_000);
    expect(await callbacksServed(fleet['nova-monolith'], 'legacy')).toBe(legacyThen);
  });

  it('stage 7\'s engine moves all four contexts into their schemas and back while the buyers keep paying: no payment lost or activated twice', async () => {
    // The fleet runs on the "before" arrangement (docs/database-split.md): the tables in public, views
    // in the contexts' schemas. The plan names the payment service's own login: a swap grants on the
    // relations it creates only to the logins its plan names (the others here use the owner's login).
    expect((await arrangement(inspector, FLEET_PLAN)).map((c) => c.state)).toEqual(['before', 'before', 'before', 'before']);
    const plan = { contexts: FLEET_PLAN.contexts.map((c) => (c.schema === PAYMENT_SCHEMA ? { ...c, role: paymentsRole.role } : c)) };
    const paidBefore = buyers?.payments().length ?? 0;
    const moved = await moveAll(inspector, plan);
    expect(moved.moved.map((step) => [step.swap.schema, step.verification.ok])).toEqual(FLEET_PLAN.contexts.map((c) => [c.schema, true]));
    await until('a few payments made while the tables are in the contexts\' schemas', () => (buyers?.payments().length ?? 0) >= paidBefore + PEOPLE / 2, 120_000);
    const reversed = await reverseAll(inspector, plan);
    expect(reversed.map((step) => step.verification.ok)).toEqual([true, true, true, true]);
    const paidMoved = buyers?.payments().length ?? 0;
    await until('a few payments made after the reverse', () => (buyers?.payments().length ?? 0) >= paidMoved + PEOPLE / 2, 120_000);
    expect((await arrangement(inspector, FLEET_PLAN)).map((c) => c.state)).toEqual(['before', 'before', 'before', 'before']);
    await everyPaymentActivatedOnce();
    expect(buyers?.lostReplies()).toEqual([]);
    expect(buyers?.refusals()).toEqual([]);
  });

  it('every payment made was activated exactly once and its buyer told once; nothing lost; no secret in any log', async () => {
    await buyers?.stop();
    expect(buyers?.lostReplies()).toEqual([]);
    expect(buyers?.refusals()).toEqual([]);
    await everyPaymentActivatedOnce();
    const payments = buyers?.payments() ?? [];
    expect(payments.length).toBeGreaterThan(PEOPLE * 4);
    expect(new Set(payments.map((payment) => payment.provider))).toEqual(new Set(['cryptobot', 'platega']));
    // The providers' own record agrees: what was paid there is what the buyers paid.
    const paidAtProviders = cryptobot.allInvoices().filter((invoice) => invoice.status === 'paid').length + platega.allTransactions().filter((transaction) => transaction.status === 'CONFIRMED').length;
    expect(paidAtProviders).toBe(payments.length);

    // Stopped, nothing more can be sent: the emulator's record is final. One notice per payment, per buyer.
    await cryptobot.settled();
    await platega.settled();
    await fleet.stop();
    const notices = (buyers?.buyers ?? []).map((buyer) => ({
      user: buyer.user.id,
      paid: buyer.paid,
      told: world.emulator.calls((call) => call.ok && call.method === 'sendMessage' && call.botId === world.mainBot.id && Number(call.params.chat_id) === buyer.user.id && String(call.params.text).includes('Payment received')).length,
    })).filter((count) => count.told !== count.paid);
    expect(notices).toEqual([]);
    expect(await world.streamMessages('DLQ')).toBe(0);
    expect(record.malformed()).toEqual([]);

    const secrets = secretsOfRun(world.secrets, []);
    secrets.set('the payment service\'s database password', new URL(paymentsRole.url()).password);
    secrets.set('the Crypto Pay API token', cryptobot.token);
    secrets.set('Platega\'s secret', platega.secret);
    expectNoSecretsInLogs(fleet.all, secrets);
  });
});
