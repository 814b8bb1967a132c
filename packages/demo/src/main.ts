/**
 * `npm run demo`: the Nova fleet and a NovaMigration on one machine — a rehearsal of a real
 * stage. Real components (kube-apiserver + etcd, NATS JetStream, PostgreSQL, Prometheus, Jaeger,
 * nginx as the ingress), the monolith and the new service as processes, the operator driving the
 * nginx split, simulated users talking to the bots through Telegram's emulator; live view, then a
 * report. Everything it started is stopped at the end and on Ctrl-C.
 *
 * Exit code 0 when the stage ended as expected (Promoted; RolledBack to 100 % legacy with --fail)
 * and no update was lost; 1 otherwise; 2 for a bad command line.
 */
import { migrate } from '@nova/db';
import { arrangeFleetSchemaBefore } from '@nova/schema-move';
import { CryptoBotEmulator, PlategaEmulator } from '@nova/payment-emulators';
import { BOT_MIGRATIONS_DIR, BOT_SCHEMA } from '@nova/bot-service/domain';
import { PAYMENT_MIGRATIONS_DIR, PAYMENT_SCHEMA } from '@nova/payment-service/domain';
import { PUBLISHER_MIGRATIONS_DIR, PUBLISHER_SCHEMA } from '@nova/publisher-service/domain';
import { TelegramEmulator } from '@nova/telegram-emulator';
import { createDatabase, describeTestbed, startIngress } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startControlPlane, startOperator, type ControlPlane } from './control-plane.js';
import { fleetAddresses, fleetCounterTotal, isDeployable, SchemaRole, type Deployable, type FleetAddresses, type FleetSettings } from '@nova/fleet';
import { startStageFleet } from './fleet.js';
import { kubectl, shown } from './kubectl.js';
import { LinkCutter } from './link-cutter.js';
import { MigrationWatch } from './migration-watch.js';
import { DemoUsageError, parseOptions, type DemoOptions, type DemoStage } from './options.js';
import { buildReport, postsWhole, renderReport, type DemoReport } from './report.js';
import type { Snapshot } from './snapshot.js';
import { SimulatedAdmins, loginUrl } from './admins.js';
import { WriteProbe, STAGE_7_TABLES } from './write-probe.js';
import { renderHtml, type Timeline } from './html-report.js';
import { adaptStage, isDatabaseStage, loadStage, promotedOnTheWay, STAGE_FILES, writeStage, type Endpoints, type StageNumber, type StageObject } from './stage.js';
import { connectGrants } from './grants.js';
import { findUpdateTrace } from './traces.js';
import { SimulatedUsers, type GrantPosting, type PaymentProviders } from './users.js';
import { renderLine, renderLive } from './view.js';
import { databaseFigures, databaseFinished, movedShare } from './database-progress.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const POLL_MS = 500;
/** Long enough for Telegram's retries (capped at 8 s apart) to land on the healthy side. */
const DRAIN_MS = 120_000;
const STAGE_TIMEOUT_MS = 15 * 60_000;

/**
 * Notes start with their time (HH:MM:SS): ordered by it only, so the notes of one second stay in
 * the order they were read (Events in their own time order), not alphabetical.
 */
function byClock(a: string, b: string): number {
  return a.slice(0, 8).localeCompare(b.slice(0, 8));
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** One migration of a stage: its file, what it moves, the service it moves to, and its share of the users' updates. */
interface MovingPart {
  readonly file: string;
  /** What moves, for people: a route or a bus context. */
  readonly moves: string;
  readonly target: Deployable;
  /** Requests this migration sees per update the users send (scales minRequests). */
  readonly share: number;
  /** The p95 limit when the demo's usual 1 s (stage.ts) does not hold on one machine: said in docs/demo.md. */
  readonly p95LimitMs?: number;
}

interface StagePlan {
  /** The stage's migrations, applied together; the first is shown in full, the others on a line each. */
  readonly moving: readonly [MovingPart, ...MovingPart[]];
  readonly legacy: Deployable;
  /**
   * How --fail breaks the new side, once it carries traffic: `nats-link` cuts its connection to
   * NATS (link-cutter.ts); `schema-privileges` takes its database login's privileges away (it stays
   * alive and ready, failing every request and callback: a bad deploy); `process-kill` kills it
   * (SIGKILL, not started again: a crash loop's pod), so its record on the bus lapses and the check
   * finds no live target handling the context (a process with nothing to fail shows no errors);
   * `tampered-row` (stage 7) changes a row of the `breaks` service's table inside its context's move,
   * between the verifier's two fingerprints (TAMPERED below): the verification fails and the
   * operator reverses every context moved, newest first.
   */
  readonly fault: 'nats-link' | 'schema-privileges' | 'process-kill' | 'tampered-row';
  readonly breaks: Deployable;
  /**
   * The service that moves runs on its own database login, granted its schema's data only, as in
   * production (and what `schema-privileges` takes away). The schema is migrated before the fleet starts.
   */
  readonly ownLogin?: { readonly schema: string; readonly migrationsDir: string };
  /** Spread the simulated users over this context's routing buckets. */
  readonly spreadFor?: string;
  /** The stages before it, Promoted first in one step each (applied at once: dependsOn orders them). */
  readonly earlier: readonly StageNumber[];
  /** The users buy subscriptions and pay with both providers (emulated). */
  readonly shop: boolean;
  /** The users own channels and post to them, now and scheduled (granted posting by an administrator). */
  readonly publish?: boolean;
  /** Every post is scheduled a minute ahead (the schedulers' work), none sent now. */
  readonly scheduleOnly?: boolean;
  /** Both sides serve the admin panel, and admins browse it through the ingress (admins.ts). */
  readonly browse?: boolean;
  /** What the report names as the two sides when they are not deployables (stage 7: schemas). */
  readonly sides?: { readonly from: string; readonly to: string };
}

/**
 * --fail 7: the payment context is the last of four to move, so the run moves all four and reverses
 * all four while the users pay: a row of an invoice changes inside the payment context's move, between
 * the verifier's fingerprints (the engine's fault hook, control-plane.ts; the users have paid by
 * then), so its verification fails; nova-schema-move reverses the payment context in that step, and
 * the operator the publisher, bot and user contexts, newest first.
 */
const TAMPERED = {
  schema: PAYMENT_SCHEMA,
  sql: `UPDATE ${PAYMENT_SCHEMA}.payments SET expires_at = expires_at + interval '1 millisecond' WHERE id = (SELECT min(id) FROM ${PAYMENT_SCHEMA}.payments)`,
} as const;

/** The admins of stage 8 (Telegram ids no simulated user has). */
const ADMIN_IDS = [60_001, 60_002, 60_003] as const;

const PLANS: Readonly<Record<DemoStage, StagePlan>> = {
  1: { moving: [{ file: STAGE_FILES[1][0], moves: '/webhook/', target: 'webhook-gateway', share: 1 }], legacy: 'nova-monolith', fault: 'nats-link', breaks: 'webhook-gateway', earlier: [], shop: false },
  2: { moving: [{ file: STAGE_FILES[2][0], moves: "the user context's chats", target: 'user-service', share: 1 }], legacy: 'nova-monolith', fault: 'nats-link', breaks: 'user-service', spreadFor: 'user', earlier: [1], shop: false },
  // --fail is refused for stage 3 (options.ts; docs/demo.md, "A gap in stage 3"). Its own login all the same.
  3: {
    moving: [{ file: STAGE_FILES[3][0], moves: "the bots context's chats", target: 'bot-service', share: 1 }],
    legacy: 'nova-monolith', fault: 'schema-privileges', breaks: 'bot-service', ownLogin: { schema: BOT_SCHEMA, migrationsDir: BOT_MIGRATIONS_DIR }, spreadFor: 'bot', earlier: [1, 2], shop: false,
  },
  4: {
    // 5 s, not 1 s: both sides measured p95 1.05–1.2 s here beside other work (docs/demo.md, --stage 4).
    moving: [{ file: STAGE_FILES[4][0], moves: "the publisher context's owners", target: 'publisher-service', share: 1, p95LimitMs: 5_000 }],
    legacy: 'nova-monolith', fault: 'schema-privileges', breaks: 'publisher-service', ownLogin: { schema: PUBLISHER_SCHEMA, migrationsDir: PUBLISHER_MIGRATIONS_DIR }, spreadFor: 'publisher', earlier: [1, 2, 3], shop: false, publish: true,
  },
  5: {
    moving: [
      { file: STAGE_FILES[5][0], moves: "the payment context's users", target: 'payment-service', share: 1 },
      // One callback per payment, and a payment is one update in three.
      { file: STAGE_FILES[5][1], moves: '/payments/', target: 'payment-service', share: 1 / 3 },
    ],
    legacy: 'nova-monolith', fault: 'schema-privileges', breaks: 'payment-service', ownLogin: { schema: PAYMENT_SCHEMA, migrationsDir: PAYMENT_MIGRATIONS_DIR }, spreadFor: 'payment', earlier: [1, 2, 3, 4], shop: true,
  },
  6: {
    // The work compared is the schedulers' hand-offs: one per scheduled post, and an owner posts at
    // most every 4 s (users.ts), half the --rate of 10 a demo's 20 owners could. 5 s, as stage 4: a
    // hand-off's time includes the publisher's start of its sends (docs/notifications.md).
    moving: [{ file: STAGE_FILES[6][0], moves: "the schedulers' owners", target: 'notification-service', share: 0.5, p95LimitMs: 5_000 }],
    legacy: 'nova-monolith', fault: 'process-kill', breaks: 'notification-service', spreadFor: 'notification', earlier: [1, 2, 3, 4, 5], shop: false, publish: true, scheduleOnly: true,
  },
  // The database split: tables move, not traffic, while the users pay (their payments write the
  // payment context's tables; the write probe, write-probe.ts, writes every moved table). The
  // analysis judges every deployable of the four contexts together; 5 s as stages 4 and 6 (the
  // payments' emulators answer from the demo's own busy process, docs/demo.md).
  7: {
    moving: [{ file: STAGE_FILES[7][0], moves: 'the legacy tables', target: 'nova-monolith', share: 1, p95LimitMs: 5_000 }],
    legacy: 'nova-monolith', fault: 'tampered-row', breaks: 'payment-service', earlier: [1, 2, 3, 4, 5, 6], shop: true,
    sides: { from: 'schema public', to: "the contexts' schemas" },
  },
  // The admin panel cut off from NATS answers 503 for every page that asks another context: a bad deploy's look.
  8: {
    moving: [{ file: STAGE_FILES[8][0], moves: '/admin/', target: 'admin-panel', share: 1 }],
    legacy: 'nova-monolith', fault: 'nats-link', breaks: 'admin-panel', earlier: [1, 2, 3, 4, 5, 6, 7], shop: false, browse: true,
  },
};

async function applyStage(info: ControlPlane['info'], stage: StageObject, file: string, shownAs: string, pauseMs: number): Promise<void> {
  writeStage(stage, file);
  const apply = ['apply', '-f', file];
  const applied = await kubectl(REPO_ROOT, info.kube.kubeconfig, apply);
  if (applied.code !== 0) throw new Error(`${shown(apply)} failed: ${applied.stderr}`);
  say(`${shown(['apply', '-f', shownAs])}  (adapted: loopback, pauses of ${String(pauseMs / 1000)} s)`);
}

/** The stages before the one rehearsed, each in as few steps as it allows (stage.ts, promotedOnTheWay), applied at once: dependsOn alone orders them. */
async function promoteEarlier(plane: ControlPlane, options: DemoOptions, addresses: FleetAddresses, stages: readonly StageNumber[]): Promise<void> {
  if (stages.length === 0) return;
  const names: string[] = [];
  for (const number of stages) {
    for (const file of STAGE_FILES[number]) {
      const stage = loadStage(REPO_ROOT, file);
      // The nginx stages (1, and stage 5's callbacks) need the target's loopback address; the bus stages name no address.
      // Stage 7 names none: its tables move in the operator's local process.
      const target = stage.spec.target?.service ?? 'nova-monolith';
      if (!isDeployable(target)) throw new Error(`${file}: its target ${target} is not one of the fleet's deployables`);
      const adapted = adaptStage(stage, endpoints(plane, addresses, 'nova-monolith', target), options);
      const short = promotedOnTheWay(adapted);
      await applyStage(plane.info, short.stage, join(plane.bed.stack.dir, `${short.stage.metadata.name}.yaml`), `${file} (${short.shown})`, options.pauseMs);
      names.push(short.stage.metadata.name);
    }
  }
  const watches = names.map((name) => new MigrationWatch(plane.kubeConfig, 'nova', name));
  const deadline = Date.now() + 180_000;
  for (;;) {
    const phases = await Promise.all(watches.map(async (watch) => (await watch.poll().catch(() => watch.status)).phase));
    if (phases.every((phase) => phase === 'Promoted')) break;
    if (Date.now() > deadline) throw new Error(`the earlier stages were not all Promoted within 3 minutes: ${names.map((name, i) => `${name} ${phases[i] ?? 'Pending'}`).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  say(`${names.join(', ')} Promoted: stage ${String(options.stage)} may start\n`);
}

function endpoints(plane: ControlPlane, addresses: FleetAddresses, legacy: Deployable, target: Deployable): Endpoints {
  const at = (deployable: Deployable): { host: string; port: number } => {
    const [host = '127.0.0.1', port = '0'] = addresses[deployable].split(':');
    return { host, port: Number(port) };
  };
  return { legacy: at(legacy), target: at(target), prometheusUrl: plane.info.prometheus.url };
}

/** Both payment providers, emulated, calling back through the ingress as they would the public address. */
async function startProviders(ingressUrl: string, cleanups: (() => Promise<void>)[]): Promise<PaymentProviders> {
  // Their retry schedules compressed to a demo's time (Platega's real one: 3 retries 5 minutes apart).
  const delivery = { attempts: 240, intervalMs: 500, timeoutMs: 5_000 };
  const cryptobot = await CryptoBotEmulator.start({ webhookUrl: `${ingressUrl}/payments/cryptobot/callback`, delivery });
  cleanups.push(() => cryptobot.stop());
  const platega = await PlategaEmulator.start({ callbackUrl: `${ingressUrl}/payments/platega/callback`, delivery });
  cleanups.push(() => platega.stop());
  say(`payment providers (emulators): CryptoBot at ${cryptobot.apiRoot}, Platega at ${platega.apiRoot}; callbacks to ${ingressUrl}/payments/`);
  return { cryptobot, platega };
}

/** What a rehearsal leaves: its report, and where a person signs in to the admin panel (stage 8, for --keep). */
interface Rehearsal {
  readonly report: DemoReport;
  /** Each migration's weight over time, for the HTML report. */
  readonly timelines: readonly Timeline[];
  readonly panel?: { readonly url: string; readonly botToken: string };
}

async function rehearse(options: DemoOptions, plane: ControlPlane, emulator: TelegramEmulator, cleanups: (() => Promise<void>)[]): Promise<Rehearsal> {
  const stack = plane.bed.stack;
  const { info } = plane;
  const plan = PLANS[options.stage];
  const [primary] = plan.moving;
  const mainBot = emulator.createBot({ username: 'NovaMainBot', firstName: 'Nova' });
  const [addresses, databaseUrl] = await Promise.all([fleetAddresses(), createDatabase(info.postgres.url, `nova_demo_${randomBytes(3).toString('hex')}`)]);
  const monolithPort = endpoints(plane, addresses, 'nova-monolith', 'webhook-gateway').legacy.port;
  const gatewayPort = endpoints(plane, addresses, 'nova-monolith', 'webhook-gateway').target.port;
  // Stage 2 starts with webhooks at the gateway; stages 1 and 5 with everything at the monolith
  // (in stage 5 the operator's stage 1 then splits /webhook/ off, and /payments/ stays until stage 5 moves it).
  const ingress = await startIngress(stack, info.nginx.binary, `127.0.0.1:${String(options.stage === 2 ? gatewayPort : monolithPort)}`);
  say(`ingress (nginx) at ${ingress.url}: ${options.stage === 2 ? 'webhooks go to the gateway (stage 1 done)' : 'the monolith serves everything until the operator splits a route off'}`);
  const providers = plan.shop ? await startProviders(ingress.url, cleanups) : undefined;
  // --fail breaks the new side the way an outage would: it loses its broker (see link-cutter.ts),
  // or its database privileges (a bad deploy).
  const natsPort = Number(new URL(info.nats.url).port);
  const cutter = options.fail && plan.fault === 'nats-link' ? await LinkCutter.start('127.0.0.1', natsPort) : undefined;
  if (cutter !== undefined) cleanups.push(() => cutter.stop());
  let ownRole: SchemaRole | undefined;
  if (plan.ownLogin !== undefined) {
    await migrate({ connectionString: databaseUrl, schema: plan.ownLogin.schema, migrationsDir: plan.ownLogin.migrationsDir });
    // As the monolith's start-up would leave it: stage 7's "before" (docs/database-split.md), then the login.
    await arrangeFleetSchemaBefore(databaseUrl, plan.ownLogin.schema);
    const role = await SchemaRole.create(databaseUrl, plan.ownLogin.schema);
    cleanups.push(() => role.drop());
    ownRole = role;
  }
  const extra: NonNullable<FleetSettings['extra']> = {
    ...(cutter === undefined ? {} : { [plan.breaks]: { NOVA_NATS_URL: cutter.url } }),
    ...(ownRole === undefined ? {} : { [plan.breaks]: { NOVA_DATABASE_URL: ownRole.url(), NOVA_MIGRATE_ON_START: 'false' } }),
    // The legacy scheduler asks for due posts every second (30 s in production): a demo's scheduled posts go out within a tick.
    ...(plan.publish === true ? { 'nova-monolith': { NOVA_NOTIFY_PUBLISH_INTERVAL: '1s' } } : {}),
  };
  const settings: FleetSettings = {
    natsUrl: info.nats.url,
    databaseUrl,
    telegramApiRoot: emulator.apiRoot,
    publicUrl: ingress.url,
    secrets: { mainBotToken: mainBot.token, encryptionKey: randomBytes(32).toString('base64'), webhookSecret: randomBytes(24).toString('base64url') },
    routing: options.stage === 1 ? 'off' : 'kv',
    // Stage 6 runs the notification service beside the monolith, both sides looking for due posts
    // every second; so does every later stage, stage 6 being done by then.
    ...(options.stage >= 6 ? { notifications: { publishInterval: '1s' } } : {}),
    // Stage 8: both sides serve the panel with the same admins and key (a session holds on both);
    // plain-HTTP loopback, so no Secure flag; the migrations page reads the demo's kube-apiserver.
    ...(plan.browse === true ? { admin: { admins: ADMIN_IDS, sessionKey: randomBytes(32).toString('base64'), secureCookies: false, kubeconfig: info.kube.kubeconfig } } : {}),
    namespace: 'nova',
    otlpEndpoint: info.jaeger.otlpHttpUrl,
    extra,
    ...(providers === undefined ? {} : {
      payments: {
        cryptobot: { apiRoot: providers.cryptobot.apiRoot, token: providers.cryptobot.token },
        platega: { apiRoot: providers.platega.apiRoot, merchantId: providers.platega.merchantId, secret: providers.platega.secret },
      },
    }),
  };
  const fleet = await startStageFleet(stack, options.stage === 1 ? 1 : 2, settings, addresses, info.prometheus);
  say(`fleet: ${fleet.map((deployable) => `${deployable.name} on ${deployable.address}`).join(', ')}`);
  const tamper = options.fail && plan.fault === 'tampered-row' ? TAMPERED : undefined;
  // The demo's database login owns the tables (the test bed's superuser): the migration login stage 7 needs.
  await startOperator(stack, REPO_ROOT, plane, ingress, info.nats.url, { databaseUrl, backupDir: join(stack.dir, 'backups'), ...(tamper === undefined ? {} : { tamper }) });
  say(`operator: running against the local kube-apiserver, ${options.stage === 1 ? 'nginx' : 'nginx and nats'} providers, Prometheus analysis; stage 7's steps as its local process (nova-schema-move), backups in ${join(stack.dir, 'backups')}`);
  if (tamper !== undefined) say(`--fail: inside the payment context's move (the last), a row of ${tamper.schema}.payments will change behind the verifier's back (the engine's test-only fault hook)`);

  let grant: GrantPosting | undefined;
  if (plan.publish === true) {
    const grants = await connectGrants(info.nats.url);
    cleanups.push(() => grants.close());
    grant = (telegramId) => grants.grant(telegramId);
  }
  const users = new SimulatedUsers(emulator, mainBot, options.users, options.rate, plan.spreadFor, providers, grant, plan.scheduleOnly === true);
  await users.onboard();
  users.start();
  let admins: SimulatedAdmins | undefined;
  if (plan.browse === true) {
    admins = new SimulatedAdmins(ingress.url, mainBot.token, ADMIN_IDS, options.rate, users.people());
    await admins.signIn();
    await admins.waitUntilKnown();
    admins.start();
    say(`simulated admins: ${String(ADMIN_IDS.length)} signed in to the panel (${ingress.url}/admin/, served by the monolith) and browse it at ${String(options.rate)} pages/s: searches, users' pages, the numbers`);
  }
  const doing = plan.shop ? 'buy subscriptions (/subscribe, /buy, paying, /billing)' : plan.scheduleOnly === true ? 'schedule posts to their channels (/post all in 1m)' : plan.publish === true ? 'post to their channels (/post all, now and "in 1m")' : 'write';
  say(`simulated users: Anna connected her own bot${plan.publish === true ? `; each of the ${String(options.users)} users connected a bot, was granted posting and linked a channel` : ''}; ${String(options.users)} users now ${doing} at ${String(options.rate)} updates/s`);
  await promoteEarlier(plane, options, addresses, plan.earlier);

  const stages = plan.moving.map((part) => adaptStage(loadStage(REPO_ROOT, part.file), endpoints(plane, addresses, plan.legacy, part.target), options, part.share, part.p95LimitMs));
  // Stage 7: a writer's view of each swap's stall, from before the first move to the end (write-probe.ts).
  const probe = stages[0] !== undefined && isDatabaseStage(stages[0]) ? await WriteProbe.start(databaseUrl) : undefined;
  if (probe !== undefined) {
    cleanups.push(() => probe.stop());
    say(`write probe: one UPDATE at a time on each of the stage's ${String(STAGE_7_TABLES.length)} tables, through the contexts' schemas as the services write, every 20 ms, each timed`);
  }
  for (const [index, stage] of stages.entries()) await applyStage(info, stage, join(stack.dir, `${stage.metadata.name}.yaml`), plan.moving[index]?.file ?? '', options.pauseMs);
  say(`watch it yourself:  PATH=$PWD/bin:$PATH KUBECONFIG=${info.kube.kubeconfig} kubectl nova watch -n nova\n`);

  const watches = stages.map((stage) => {
    const planned = stage.spec.database?.contexts.length;
    return planned === undefined ? new MigrationWatch(plane.kubeConfig, 'nova', stage.metadata.name) : new MigrationWatch(plane.kubeConfig, 'nova', stage.metadata.name, (status) => movedShare(status, planned));
  });
  const [watch] = watches;
  if (watch === undefined) throw new Error(`stage ${String(options.stage)} has no migration`);
  const startedAt = Date.now();
  const approving = new Set<string>();
  let targetSince: number | undefined;
  let broken = false;
  let lastLine = '';
  // Stage 7 moves tables: its weight is the share of contexts moved (database-progress.ts).
  const contextCount = stages[0]?.spec.database?.contexts.length;
  const withShare = (status: Snapshot['status']): Snapshot['status'] => (contextCount === undefined ? status : { ...status, weight: movedShare(status, contextCount) });
  const snapshot = (): Snapshot => ({
    at: Date.now(), startedAt, migration: watch.name, route: primary.moves,
    legacy: plan.sides?.from ?? plan.legacy, target: plan.sides?.to ?? primary.target, status: withShare(watch.status),
    ...(contextCount === undefined ? {} : { database: databaseFigures(watch.status, contextCount, watch.events) }),
    traffic: { ...users.counts(), ...(admins === undefined ? {} : { admin: admins.counts() }) }, transitions: watch.transitions, events: watch.events, notes: watches.flatMap((each) => each.notes).sort(byClock),
    also: watches.slice(1).map((other, index) => ({ migration: other.name, route: plan.moving[index + 1]?.moves ?? '', status: other.status })),
  });
  const finished = (status: Snapshot['status']): boolean => (contextCount === undefined ? status.phase === 'Promoted' || (status.phase === 'RolledBack' && status.weight === 0) : databaseFinished(status));
  for (;;) {
    const statuses = await Promise.all(watches.map((each) => each.poll().catch(() => each.status)));
    if (statuses.every(finished)) break;
    if (Date.now() - startedAt > STAGE_TIMEOUT_MS) throw new Error(`the stage did not finish in ${String(STAGE_TIMEOUT_MS / 60_000)} minutes`);
    for (const each of watches) {
      if (each.awaitingApproval() === undefined || approving.has(each.name)) continue;
      approving.add(each.name);
      // A person looks at the numbers first; the demo gives it a moment, then approves like an SRE would.
      setTimeout(() => {
        const args = ['nova', 'resume', each.name, '-n', 'nova'];
        void kubectl(REPO_ROOT, info.kube.kubeconfig, args).then((result) => {
          each.note(`$ ${shown(args)}  →  ${(result.stdout || result.stderr).trim()}`);
          approving.delete(each.name);
        });
      }, 3_000);
    }
    // --fail breaks the target once it carries a real share (25 %): at 5 % a demo's few chats give
    // the analysis too little to judge, which is "inconclusive", never a rollback. A killed target
    // dies at its first share: its lapsed record fails the check whatever the metrics hold, and
    // later on (25 % to Promoted takes seconds here) the stage could end before the record lapses.
    const breaksAt = plan.fault === 'process-kill' ? 1 : 25;
    if ((watch.status.weight ?? 0) >= breaksAt) targetSince ??= Date.now();
    const settleMs = plan.fault === 'process-kill' ? 0 : 2 * options.intervalMs;
    // tampered-row needs nothing here: the operator's engine changes the row inside the move (TAMPERED).
    if (options.fail && !broken && plan.fault !== 'tampered-row' && targetSince !== undefined && Date.now() - targetSince >= settleMs) {
      broken = true;
      if (cutter !== undefined) {
        cutter.sever();
        watch.note(`--fail: ${plan.breaks} just lost its connection to NATS`);
      } else if (ownRole !== undefined) {
        await ownRole.revoke();
        watch.note(`--fail: ${plan.breaks} just lost its database privileges (alive and ready, failing everything it handles)`);
      } else if (plan.fault === 'process-kill') {
        const victim = fleet.find((running) => running.deployable === plan.breaks);
        if (victim === undefined) throw new Error(`--fail: ${plan.breaks} is not running`);
        await victim.process.kill('SIGKILL');
        watch.note(`--fail: ${plan.breaks} was just killed (SIGKILL) and is not started again`);
      }
    }
    const view = snapshot();
    if (options.live) process.stdout.write(renderLive(view));
    else {
      const line = renderLine(view);
      if (line !== lastLine) say(line);
      lastLine = line;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (options.live) process.stdout.write(renderLive(snapshot()));
  users.stop();
  admins?.stop();
  say(`\nthe stage ended ${watches.map((each) => `${each.name} ${each.status.phase ?? ''}`).join(', ')}; waiting for every update sent to be answered${plan.shop ? ' and every payment announced' : ''}${plan.publish === true ? ' and every post (the scheduled ones too) published and reported' : ''}…`);
  await Promise.all([users.drain(DRAIN_MS), admins?.drain(DRAIN_MS)]);
  const trace = await findUpdateTrace(info.jaeger.queryUrl, 'webhook-gateway') ?? await findUpdateTrace(info.jaeger.queryUrl, 'nova-monolith');
  await Promise.all(watches.map((each) => each.poll().catch(() => undefined)));
  if (!options.live) for (const note of snapshot().notes) say(`  ${note}`);
  await probe?.stop();
  const report = buildReport(snapshot(), trace, await fleetCounterTotal(fleet, 'nova_publisher_sends_unrecorded_total'), probe?.figures(watch.events));
  const timelines = watches.map((each) => ({ migration: each.name, points: each.transitions.map((t) => ({ seconds: Math.round((t.at - startedAt) / 100) / 10, weight: t.weight, phase: t.phase, step: t.step })) }));
  return { report, timelines, ...(plan.browse === true ? { panel: { url: ingress.url, botToken: mainBot.token } } : {}) };
}

async function main(argv: readonly string[]): Promise<number> {
  let options: DemoOptions;
  try {
    options = parseOptions(argv, process.stdout.isTTY);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  say(`Nova demo: stage ${String(options.stage)}${options.fail ? ' (--fail: the new side will break)' : ''}. Starting the real components…`);
  const plane = await startControlPlane();
  say(describeTestbed(plane.bed.info));
  const emulator = await TelegramEmulator.start();
  say(`Telegram (emulator) at ${emulator.apiRoot}`);
  const cleanups: (() => Promise<void>)[] = [() => emulator.stop()];
  // One stop, however many ask for it: Ctrl-C reaches npm and the demo alike, npm forwards it
  // again, and the finally block below asks too. Every one of them waits for the same whole stop
  // (a second caller returning at once let the process exit with kube-apiserver still up).
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => {
    stopping ??= (async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      await plane.bed.stop();
    })();
    return stopping;
  };
  const onSignal = (): void => {
    if (stopping === undefined) say('\nstopping everything the demo started…');
    void stopAll().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  plane.bed.releaseSignals(); // from here the demo stops things in order: its fleet, then the stack
  try {
    const { report, timelines, panel: keptPanel } = await rehearse(options, plane, emulator, cleanups);
    say(renderReport(report));
    if (options.reportFile !== undefined) writeFileSync(options.reportFile, `${JSON.stringify(report, null, 2)}\n`);
    if (options.htmlFile !== undefined) {
      writeFileSync(options.htmlFile, renderHtml(report, timelines));
      say(`the report as HTML, with each migration's weight over time: ${options.htmlFile}`);
    }
    const ended = [report, ...report.also];
    const expected = options.fail ? ended.every((moved) => moved.outcome === 'RolledBack' && moved.finalWeight === 0) : ended.every((moved) => moved.outcome === 'Promoted' && moved.finalWeight === 100);
    if (options.keep) {
      say(`--keep: everything stays up until Ctrl-C. KUBECONFIG=${plane.info.kube.kubeconfig}; Prometheus ${plane.info.prometheus.url}; Jaeger ${plane.info.jaeger.queryUrl}`);
      if (report.admin !== undefined && keptPanel !== undefined) {
        say(`the admin panel: ${keptPanel.url}/admin/ — sign in as the demo's first admin within the hour with ${loginUrl(keptPanel.url, keptPanel.botToken, ADMIN_IDS[0], 'Admin')}`);
      }
      await new Promise(() => undefined);
    }
    const postsOk = report.posts === undefined || postsWhole(report.posts);
    // Stage 8: no admin signed out by the move, and no answer but a page or (--fail) a failure.
    const adminOk = report.admin === undefined || (report.admin.signedOut === 0 && report.admin.other === 0);
    // Stage 7: no write of the probe failed through the swaps (a wait is the stall, an error is not allowed).
    const probeOk = (report.database?.stall?.failed ?? 0) === 0;
    return expected && probeOk && report.updates.lost === 0 && (report.payments?.lost ?? 0) === 0 && postsOk && adminOk ? 0 : 1;
  } catch (error) {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof DemoUsageError) return 2;
    return 1;
  } finally {
    // The handlers stay until the process exits: a Ctrl-C that lands while this stop runs (a
    // second press, npm forwarding the first, a run that failed because the first one stopped
    // its parts) must join the stop, not kill the demo half way with its stack still up.
    await stopAll();
  }
}

main(process.argv.slice(2)).then((code) => { process.exit(code); }, (error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
