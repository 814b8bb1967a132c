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
import { createDatabase, describeTestbed, freePort } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startControlPlane, startIngress, startOperator, type ControlPlane } from './control-plane.js';
import { gatewayEnv, monolithEnv, startDeployable, type FleetSettings } from './fleet.js';
import { kubectl, shown } from './kubectl.js';
import { LinkCutter } from './link-cutter.js';
import { MigrationWatch } from './migration-watch.js';
import { DemoUsageError, parseOptions, type DemoOptions } from './options.js';
import { buildReport, renderReport, type DemoReport } from './report.js';
import type { Snapshot } from './snapshot.js';
import { adaptStage, loadStage, writeStage } from './stage.js';
import { findUpdateTrace } from './traces.js';
import { SimulatedUsers } from './users.js';
import { renderLine, renderLive } from './view.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const POLL_MS = 500;
/** Long enough for Telegram's retries (capped at 8 s apart) to land on the healthy side. */
const DRAIN_MS = 120_000;
const STAGE_TIMEOUT_MS = 30 * 60_000;

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

async function rehearse(options: DemoOptions, plane: ControlPlane, emulator: TelegramEmulator, cleanups: (() => Promise<void>)[]): Promise<DemoReport> {
  const stack = plane.bed.stack;
  const { info } = plane;
  if (options.stage !== 1) throw new DemoUsageError('--stage 2 arrives with the routed fleet (issue 7); run stage 1 for now');
  const mainBot = emulator.createBot({ username: 'NovaMainBot', firstName: 'Nova' });
  const [legacyPort, targetPort, databaseUrl] = await Promise.all([freePort(), freePort(), createDatabase(info.postgres.url, `nova_demo_${randomBytes(3).toString('hex')}`)]);
  const ingress = await startIngress(stack, info.nginx.binary, legacyPort);
  say(`ingress (nginx) at ${ingress.url}: the monolith serves everything until the operator splits /webhook/`);
  const settings: FleetSettings = {
    repoRoot: REPO_ROOT,
    natsUrl: info.nats.url,
    databaseUrl,
    telegramApiRoot: emulator.apiRoot,
    publicUrl: ingress.url,
    otlpUrl: info.jaeger.otlpHttpUrl,
    prometheus: info.prometheus,
    secrets: { mainBotToken: mainBot.token, mainBotId: mainBot.id, encryptionKey: randomBytes(32).toString('base64'), webhookSecret: randomBytes(24).toString('base64url') },
  };
  // --fail breaks the new side the way an outage would: it loses its broker (see link-cutter.ts).
  const natsPort = Number(new URL(info.nats.url).port);
  const cutter = options.fail ? await LinkCutter.start('127.0.0.1', natsPort) : undefined;
  if (cutter !== undefined) cleanups.push(() => cutter.stop());
  const [monolith, gateway] = await Promise.all([
    startDeployable(stack, settings, 'services/monolith', 'nova-monolith', legacyPort, monolithEnv(settings)),
    startDeployable(stack, settings, 'services/webhook-gateway', 'webhook-gateway', targetPort, gatewayEnv(settings, cutter?.url ?? info.nats.url)),
  ]);
  say(`legacy: nova-monolith on :${String(monolith.port)} (users and bots in one process); target: webhook-gateway on :${String(gateway.port)}`);
  await startOperator(stack, REPO_ROOT, plane, ingress, info.nats.url);
  say('operator: running against the local kube-apiserver, nginx provider, Prometheus analysis');

  const users = new SimulatedUsers(emulator, mainBot, options.users, options.rate);
  await users.onboard();
  users.start();
  say(`simulated users: Anna connected her own bot; ${String(options.users)} users now write at ${String(options.rate)} updates/s`);

  const stage = adaptStage(loadStage(REPO_ROOT, 1), { legacy: { host: '127.0.0.1', port: legacyPort }, target: { host: '127.0.0.1', port: targetPort }, prometheusUrl: info.prometheus.url }, options);
  const file = join(stack.dir, 'stage-1-webhook-gateway.yaml');
  writeStage(stage, file);
  const apply = ['apply', '-f', file];
  const applied = await kubectl(REPO_ROOT, info.kube.kubeconfig, apply);
  if (applied.code !== 0) throw new Error(`${shown(apply)} failed: ${applied.stderr}`);
  say(`${shown(['apply', '-f', 'examples/stages/stage-1-webhook-gateway-nginx.yaml'])}  (adapted: loopback ports, pauses of ${String(options.pauseMs / 1000)} s)`);
  say(`watch it yourself:  PATH=$PWD/bin:$PATH KUBECONFIG=${info.kube.kubeconfig} kubectl nova watch -n nova\n`);

  const watch = new MigrationWatch(plane.kubeConfig, 'nova', stage.metadata.name);
  const startedAt = Date.now();
  let approving = false;
  let targetSince: number | undefined;
  let lastLine = '';
  const snapshot = (): Snapshot => ({
    at: Date.now(), startedAt, migration: stage.metadata.name, route: stage.spec.route.pathPrefix,
    legacy: 'nova-monolith', target: 'webhook-gateway', status: watch.status, traffic: users.counts(), transitions: watch.transitions, events: watch.events, notes: watch.notes,
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
    if ((status.weight ?? 0) > 0) targetSince ??= Date.now();
    if (cutter !== undefined && !cutter.severed && targetSince !== undefined && Date.now() - targetSince > 2 * options.intervalMs) {
      cutter.sever();
      watch.note('--fail: webhook-gateway just lost its connection to NATS; it can no longer store updates');
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
  const plane = await startControlPlane(options.keep);
  say(describeTestbed(plane.bed.info));
  const emulator = await TelegramEmulator.start();
  say(`Telegram (emulator) at ${emulator.apiRoot}`);
  const cleanups: (() => Promise<void>)[] = [() => emulator.stop()];
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await plane.bed.stop();
  };
  const onSignal = (): void => {
    say('\nstopping everything the demo started…');
    void stopAll().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
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
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopAll();
  }
}

main(process.argv.slice(2)).then((code) => { process.exit(code); }, (error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
