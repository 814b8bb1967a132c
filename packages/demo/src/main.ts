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
import { TelegramEmulator } from '@nova/telegram-emulator';
import { createDatabase, describeTestbed, startIngress } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startControlPlane, startOperator, type ControlPlane } from './control-plane.js';
import { fleetAddresses, type Deployable, type FleetAddresses, type FleetSettings } from '@nova/fleet';
import { startStageFleet } from './fleet.js';
import { kubectl, shown } from './kubectl.js';
import { LinkCutter } from './link-cutter.js';
import { MigrationWatch } from './migration-watch.js';
import { DemoUsageError, parseOptions, type DemoOptions } from './options.js';
import { buildReport, renderReport, type DemoReport } from './report.js';
import type { Snapshot } from './snapshot.js';
import { adaptStage, loadStage, STAGE_FILES, writeStage, type Endpoints, type StageObject } from './stage.js';
import { findUpdateTrace } from './traces.js';
import { SimulatedUsers } from './users.js';
import { renderLine, renderLive } from './view.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const POLL_MS = 500;
/** Long enough for Telegram's retries (capped at 8 s apart) to land on the healthy side. */
const DRAIN_MS = 120_000;
const STAGE_TIMEOUT_MS = 15 * 60_000;

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

interface StagePlan {
  readonly file: string;
  /** What moves, for people: a route or a bus context. */
  readonly moves: string;
  readonly legacy: Deployable;
  readonly target: Deployable;
  /** The process --fail cuts off from NATS. */
  readonly breaks: Deployable;
  /** Spread the simulated users over this context's routing buckets. */
  readonly spreadFor?: string;
}

const PLANS: Readonly<Record<1 | 2, StagePlan>> = {
  1: { file: STAGE_FILES[1], moves: '/webhook/', legacy: 'nova-monolith', target: 'webhook-gateway', breaks: 'webhook-gateway' },
  2: { file: STAGE_FILES[2], moves: "the user context's chats", legacy: 'nova-monolith', target: 'user-service', breaks: 'user-service', spreadFor: 'user' },
};

async function applyStage(info: ControlPlane['info'], stage: StageObject, file: string, shownAs: string, pauseMs: number): Promise<void> {
  writeStage(stage, file);
  const apply = ['apply', '-f', file];
  const applied = await kubectl(REPO_ROOT, info.kube.kubeconfig, apply);
  if (applied.code !== 0) throw new Error(`${shown(apply)} failed: ${applied.stderr}`);
  say(`${shown(['apply', '-f', shownAs])}  (adapted: loopback, pauses of ${String(pauseMs / 1000)} s)`);
}

/** Stage 2 depends on stage 1: moved first, in one step (the default demo rehearses stage 1 in full). */
async function promoteStageOne(plane: ControlPlane, options: DemoOptions, addresses: FleetAddresses): Promise<void> {
  const stageOne = adaptStage(loadStage(REPO_ROOT, 1), endpoints(plane, addresses, PLANS[1]), options);
  const oneStep: StageObject = { ...stageOne, spec: { ...stageOne.spec, steps: [{ setWeight: 100 }] } };
  await applyStage(plane.info, oneStep, join(plane.bed.stack.dir, 'stage-1-webhook-gateway.yaml'), `${STAGE_FILES[1]} (one step: setWeight 100)`, options.pauseMs);
  const watch = new MigrationWatch(plane.kubeConfig, 'nova', oneStep.metadata.name);
  const deadline = Date.now() + 120_000;
  while ((await watch.poll().catch(() => watch.status)).phase !== 'Promoted') {
    if (Date.now() > deadline) throw new Error('stage 1 was not Promoted within 2 minutes');
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  say('stage 1 Promoted: every webhook reaches the gateway; stage 2 may start\n');
}

function endpoints(plane: ControlPlane, addresses: FleetAddresses, plan: StagePlan): Endpoints {
  const at = (deployable: Deployable): { host: string; port: number } => {
    const [host = '127.0.0.1', port = '0'] = addresses[deployable].split(':');
    return { host, port: Number(port) };
  };
  return { legacy: at(plan.legacy), target: at(plan.target), prometheusUrl: plane.info.prometheus.url };
}

async function rehearse(options: DemoOptions, plane: ControlPlane, emulator: TelegramEmulator, cleanups: (() => Promise<void>)[]): Promise<DemoReport> {
  const stack = plane.bed.stack;
  const { info } = plane;
  const plan = PLANS[options.stage];
  const mainBot = emulator.createBot({ username: 'NovaMainBot', firstName: 'Nova' });
  const [addresses, databaseUrl] = await Promise.all([fleetAddresses(), createDatabase(info.postgres.url, `nova_demo_${randomBytes(3).toString('hex')}`)]);
  const legacyPort = endpoints(plane, addresses, plan).legacy.port;
  const targetPort = endpoints(plane, addresses, PLANS[1]).target.port;
  const ingress = await startIngress(stack, info.nginx.binary, `127.0.0.1:${String(options.stage === 1 ? legacyPort : targetPort)}`);
  say(`ingress (nginx) at ${ingress.url}: ${options.stage === 1 ? 'the monolith serves everything until the operator splits /webhook/' : 'webhooks go to the gateway (stage 1 done)'}`);
  // --fail breaks the new side the way an outage would: it loses its broker (see link-cutter.ts).
  const natsPort = Number(new URL(info.nats.url).port);
  const cutter = options.fail ? await LinkCutter.start('127.0.0.1', natsPort) : undefined;
  if (cutter !== undefined) cleanups.push(() => cutter.stop());
  const settings: FleetSettings = {
    natsUrl: info.nats.url,
    databaseUrl,
    telegramApiRoot: emulator.apiRoot,
    publicUrl: ingress.url,
    secrets: { mainBotToken: mainBot.token, encryptionKey: randomBytes(32).toString('base64'), webhookSecret: randomBytes(24).toString('base64url') },
    routing: options.stage === 1 ? 'off' : 'kv',
    namespace: 'nova',
    otlpEndpoint: info.jaeger.otlpHttpUrl,
    ...(cutter === undefined ? {} : { extra: { [plan.breaks]: { NOVA_NATS_URL: cutter.url } } }),
  };
  const fleet = await startStageFleet(stack, options.stage, settings, addresses, info.prometheus);
  say(`fleet: ${fleet.map((deployable) => `${deployable.name} on ${deployable.address}`).join(', ')}`);
  await startOperator(stack, REPO_ROOT, plane, ingress, info.nats.url);
  say(`operator: running against the local kube-apiserver, ${options.stage === 1 ? 'nginx' : 'nats'} provider, Prometheus analysis`);

  const users = new SimulatedUsers(emulator, mainBot, options.users, options.rate, plan.spreadFor);
  await users.onboard();
  users.start();
  say(`simulated users: Anna connected her own bot; ${String(options.users)} users now write at ${String(options.rate)} updates/s`);
  if (options.stage === 2) await promoteStageOne(plane, options, addresses);

  const stage = adaptStage(loadStage(REPO_ROOT, options.stage), endpoints(plane, addresses, plan), options);
  await applyStage(info, stage, join(stack.dir, `${stage.metadata.name}.yaml`), plan.file, options.pauseMs);
  say(`watch it yourself:  PATH=$PWD/bin:$PATH KUBECONFIG=${info.kube.kubeconfig} kubectl nova watch -n nova\n`);

  const watch = new MigrationWatch(plane.kubeConfig, 'nova', stage.metadata.name);
  const startedAt = Date.now();
  let approving = false;
  let targetSince: number | undefined;
  let lastLine = '';
  const snapshot = (): Snapshot => ({
    at: Date.now(), startedAt, migration: stage.metadata.name, route: plan.moves,
    legacy: plan.legacy, target: plan.target, status: watch.status, traffic: users.counts(), transitions: watch.transitions, events: watch.events, notes: watch.notes,
  });
  for (;;) {
    const status = await watch.poll().catch(() => watch.status);
    const done = status.phase === 'Promoted' || (status.phase === 'RolledBack' && status.weight === 0);
    if (done) break;
    if (Date.now() - startedAt > STAGE_TIMEOUT_MS) throw new Error(`the stage did not finish in ${String(STAGE_TIMEOUT_MS / 60_000)} minutes`);
    const step = watch.awaitingApproval();
    if (step !== undefined && !approving) {
      approving = true;
      // A person looks at the numbers first; the demo gives it a moment, then approves like an SRE would.
      setTimeout(() => {
        const args = ['nova', 'resume', stage.metadata.name, '-n', 'nova'];
        void kubectl(REPO_ROOT, info.kube.kubeconfig, args).then((result) => {
          watch.note(`$ ${shown(args)}  →  ${(result.stdout || result.stderr).trim()}`);
          approving = false;
        });
      }, 3_000);
    }
    // --fail breaks the target once it carries a real share (25 %): at 5 % a demo's few chats give
    // the analysis too little to judge, which is "inconclusive", never a rollback.
    if ((status.weight ?? 0) >= 25) targetSince ??= Date.now();
    if (cutter !== undefined && !cutter.severed && targetSince !== undefined && Date.now() - targetSince > 2 * options.intervalMs) {
      cutter.sever();
      watch.note(`--fail: ${plan.breaks} just lost its connection to NATS`);
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
  say(`\nthe stage ended ${watch.status.phase ?? ''}; waiting for every update sent to be answered…`);
  await users.drain(DRAIN_MS);
  const trace = await findUpdateTrace(info.jaeger.queryUrl, 'webhook-gateway') ?? await findUpdateTrace(info.jaeger.queryUrl, 'nova-monolith');
  await watch.poll().catch(() => undefined);
  if (!options.live) for (const note of watch.notes) say(`  ${note}`);
  return buildReport(snapshot(), trace);
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
    const report = await rehearse(options, plane, emulator, cleanups);
    say(renderReport(report));
    if (options.reportFile !== undefined) writeFileSync(options.reportFile, `${JSON.stringify(report, null, 2)}\n`);
    const expected = options.fail ? report.outcome === 'RolledBack' && report.finalWeight === 0 : report.outcome === 'Promoted' && report.finalWeight === 100;
    if (options.keep) {
      say(`--keep: everything stays up until Ctrl-C. KUBECONFIG=${plane.info.kube.kubeconfig}; Prometheus ${plane.info.prometheus.url}; Jaeger ${plane.info.jaeger.queryUrl}`);
      await new Promise(() => undefined);
    }
    return expected && report.updates.lost === 0 ? 0 : 1;
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
