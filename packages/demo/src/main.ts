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
import { TelegramEmulator } from '@nova/telegram-emulator';
import { createDatabase, describeTestbed, startIngress } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane, startOperator, type ControlPlane } from './control-plane.js';
import { fleetAddresses, fleetCounterTotal, isDeployable, SchemaRole, type FleetAddresses, type FleetSettings } from '@nova/fleet';
import { startStageFleet } from './fleet.js';
import { LinkCutter } from './link-cutter.js';
import { MigrationWatch } from './migration-watch.js';
import { DemoUsageError, parseOptions, type DemoOptions, type DemoStage } from './options.js';
import { buildReport, type DemoReport } from './report.js';
import type { Snapshot } from './snapshot.js';
import { SimulatedAdmins, loginUrl } from './admins.js';
import { WriteProbe, STAGE_7_TABLES } from './write-probe.js';
import type { Timeline } from './html-report.js';
import { adaptStage, isDatabaseStage, loadStage, promotedOnTheWay, STAGE_FILES, type StageNumber } from './stage.js';
import { ADMIN_IDS, PLANS, TAMPERED } from './stage-plans.js';
import { breakTarget, StageBreak } from './approval.js';
import { applyStage, byClock, endpoints, REPO_ROOT, say, startProviders } from './rehearsal.js';
import { connectGrants } from './grants.js';
import { findUpdateTrace } from './traces.js';
import { SimulatedUsers, type GrantPosting } from './users.js';
import { databaseFigures, databaseFinished, movedShare } from './database-progress.js';
import { followStage } from './follow.js';
import { runOnCluster } from './cluster.js';
import { CLUSTER_NEEDS, clusterRefusal } from './cluster-needs.js';
import { OrderlyStop } from './orderly-stop.js';
import { stageExitCode, writeStageReport } from './stage-end.js';
import { rehearseWholePlan } from './whole-plan.js';
import { renderWholeHtml, renderWholeReport } from './whole-report.js';

const POLL_MS = 500;
/** Long enough for Telegram's retries (capped at 8 s apart) to land on the healthy side. */
const DRAIN_MS = 120_000;

/** A run of one stage (`--stage N`), the earlier ones promoted on the way. */
type SingleStage = DemoOptions & { readonly stage: DemoStage };

/** The stages before the one rehearsed, each in as few steps as it allows (stage.ts, promotedOnTheWay), applied at once: dependsOn alone orders them. */
async function promoteEarlier(plane: ControlPlane, options: SingleStage, addresses: FleetAddresses, stages: readonly StageNumber[]): Promise<void> {
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


/** What a rehearsal leaves: its report, and where a person signs in to the admin panel (stage 8, for --keep). */
interface Rehearsal {
  readonly report: DemoReport;
  /** Each migration's weight over time, for the HTML report. */
  readonly timelines: readonly Timeline[];
  readonly panel?: { readonly url: string; readonly botToken: string };
}

async function rehearse(options: SingleStage, plane: ControlPlane, emulator: TelegramEmulator, cleanups: (() => Promise<void>)[]): Promise<Rehearsal> {
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

  const stages = plan.moving.map((part) => adaptStage(loadStage(REPO_ROOT, part.file), endpoints(plane, addresses, plan.legacy, part.target), options, part.share));
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
  const [watch, ...others] = watches;
  if (watch === undefined) throw new Error(`stage ${String(options.stage)} has no migration`);
  const startedAt = Date.now();
  const stageBreak = new StageBreak(options.fail ? plan.fault : undefined, options.intervalMs);
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
  await followStage({
    watches: [watch, ...others], options, kubeconfig: info.kube.kubeconfig, namespace: 'nova', stageBreak, breaks: plan.breaks,
    breakTarget: () => breakTarget(plan, { cutter, ownRole, fleet }), snapshot, finished,
  });
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

/** The whole plan (no --stage): its report, JSON and HTML; exit 0 only when it ended as expected (whole-report.ts, judge) with nothing lost. */
async function wholePlan(options: DemoOptions, plane: ControlPlane, emulator: TelegramEmulator, cleanups: (() => Promise<void>)[]): Promise<number> {
  const { report, timelines, panel } = await rehearseWholePlan(options, plane, emulator, cleanups);
  say(renderWholeReport(report));
  if (options.reportFile !== undefined) writeFileSync(options.reportFile, `${JSON.stringify(report, null, 2)}\n`);
  if (options.htmlFile !== undefined) {
    writeFileSync(options.htmlFile, renderWholeHtml(report, timelines));
    say(`the report as HTML, with every migration's weight over time: ${options.htmlFile}`);
  }
  if (options.keep) {
    say(`--keep: everything stays up until Ctrl-C. KUBECONFIG=${plane.info.kube.kubeconfig}; Prometheus ${plane.info.prometheus.url}; Jaeger ${plane.info.jaeger.queryUrl}`);
    say(`the admin panel: ${panel.url}/admin/ — sign in as the demo's first admin within the hour with ${loginUrl(panel.url, panel.botToken, ADMIN_IDS[0], 'Admin')}`);
    await new Promise(() => undefined);
  }
  return report.verdict.ok ? 0 : 1;
}

async function main(argv: readonly string[]): Promise<number> {
  let options: DemoOptions;
  try {
    options = parseOptions(argv, process.stdout.isTTY);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  if (options.cluster) {
    say(CLUSTER_NEEDS);
    const refusal = clusterRefusal(process.getuid?.());
    if (refusal !== undefined) {
      process.stderr.write(`${refusal}\n`);
      return 2;
    }
    return runOnCluster(options);
  }
  say(options.stage === undefined
    ? `Nova demo: the whole plan, stage 1 to stage 8${options.failStage === undefined ? '' : ` (--fail ${String(options.failStage)}: stage ${String(options.failStage)} will break)`}. Starting the real components…`
    : `Nova demo: stage ${String(options.stage)}${options.fail ? ' (--fail: the new side will break)' : ''}. Starting the real components…`);
  const plane = await startControlPlane();
  say(describeTestbed(plane.bed.info));
  const emulator = await TelegramEmulator.start();
  say(`Telegram (emulator) at ${emulator.apiRoot}`);
  const stop = new OrderlyStop(() => plane.bed.stop());
  const { cleanups } = stop;
  cleanups.push(() => emulator.stop());
  stop.onSignals();
  plane.bed.releaseSignals(); // from here the demo stops things in order: its fleet, then the stack
  try {
    if (options.stage === undefined) return await wholePlan(options, plane, emulator, cleanups);
    const { report, timelines, panel: keptPanel } = await rehearse({ ...options, stage: options.stage }, plane, emulator, cleanups);
    writeStageReport(options, report, timelines);
    if (options.keep) {
      say(`--keep: everything stays up until Ctrl-C. KUBECONFIG=${plane.info.kube.kubeconfig}; Prometheus ${plane.info.prometheus.url}; Jaeger ${plane.info.jaeger.queryUrl}`);
      if (report.admin !== undefined && keptPanel !== undefined) {
        say(`the admin panel: ${keptPanel.url}/admin/ — sign in as the demo's first admin within the hour with ${loginUrl(keptPanel.url, keptPanel.botToken, ADMIN_IDS[0], 'Admin')}`);
      }
      await new Promise(() => undefined);
    }
    return stageExitCode(options, report);
  } catch (error) {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof DemoUsageError) return 2;
    return 1;
  } finally {
    await stop.stop();
  }
}

main(process.argv.slice(2)).then((code) => { process.exit(code); }, (error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
