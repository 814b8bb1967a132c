/**
 * `npm run demo -- --cluster`: stage 2 on a real one-node Kubernetes cluster (issue 23). The test
 * bed's node component (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, containerd,
 * the kubelet, kube-proxy, CoreDNS in namespaces of their own), the project's images handed to its
 * containerd (built first when the build storage lacks them), `helm install nova charts/nova` with
 * the monolith, the gateway, the user and bot services and the operator's two replicas in pods
 * (chart-fleet.ts, as test/cluster/fleet.test.ts installs them), NATS, PostgreSQL and Telegram's
 * emulator outside the cluster where the pods reach them, a Prometheus inside the node scraping the
 * release's pods. Then `examples/stages/stage-2-users.yaml`, adapted as the one-machine run adapts
 * it (pauses, interval, minRequests, the p95 floor) but for its `dependsOn` (stage 1's end state is
 * the NodePort in front of the gateway), applied with kubectl and moved by the operator in its pod
 * while the simulated users talk to the bots through the NodePort; approvals with `kubectl nova
 * resume`; the same live view and report as a one-machine run.
 *
 * --fail: once the user service carries 25 %, its own database login loses its privileges (alive,
 * ready, failing every request: a bad deploy). Its pods reach NATS directly, so the one-machine
 * run's link cutter has nothing to cut here.
 *
 * Everything goes with the stack at the end or on Ctrl-C: every process, the node's namespaces
 * (its containers, bridge and iptables rules die with containerd, the PID namespace's first process),
 * its veth pair and cgroups.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { SchemaRole } from '@nova/fleet';
import { TelegramEmulator } from '@nova/telegram-emulator';
import { buildProjectImages, clusterTools, importProjectImages, missingProjectImages, PostgresServer, projectImage, Stack, startNats, startNode, startNodePrometheus } from '@nova/testbed';
import { join } from 'node:path';
import { StageBreak } from './approval.js';
import { CHART_IMAGES, CHART_NAMESPACE, freshSecrets, installChartFleet, nodePortUrl, prepareChartDatabase, PUBLIC_URL, waitForWebhookPath } from './chart-fleet.js';
import { followStage } from './follow.js';
import type { Timeline } from './html-report.js';
import { kubectl, shown } from './kubectl.js';
import { MigrationWatch } from './migration-watch.js';
import type { DemoOptions } from './options.js';
import { OrderlyStop } from './orderly-stop.js';
import { REPO_ROOT, byClock, say } from './rehearsal.js';
import { buildReport, type DemoReport } from './report.js';
import type { Snapshot } from './snapshot.js';
import { adaptStage, loadStage, STAGE_FILES, writeStage } from './stage.js';
import { stageExitCode, writeStageReport } from './stage-end.js';
import { SimulatedUsers } from './users.js';

/** Long enough for Telegram's retries (capped at 8 s apart) to land on the healthy side. */
const DRAIN_MS = 120_000;
/** The release's pods Prometheus must scrape before the stage starts: the operator's two and the fleet's four. */
const RELEASE_PODS = 6;

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(0)} s`;
}

export class ClusterStepError extends Error {
  constructor(readonly step: string, readonly detail: string) {
    super(`${step}: ${detail}`);
    this.name = 'ClusterStepError';
  }
}

/** The stage-2 file as the cluster applies it: the one-machine adaptation, no dependsOn, the node's Prometheus. */
export function clusterStage(options: DemoOptions, prometheusUrl: string): ReturnType<typeof adaptStage> {
  // The nats provider names no address: legacy and target stay the file's Service names.
  const unused = { host: '', port: 0 };
  const adapted = adaptStage(loadStage(REPO_ROOT, STAGE_FILES[2][0]), { legacy: unused, target: unused, prometheusUrl }, options);
  const spec = { ...adapted.spec };
  delete spec.dependsOn;
  return { ...adapted, metadata: { ...adapted.metadata, namespace: CHART_NAMESPACE }, spec };
}

interface ClusterRehearsal {
  readonly report: DemoReport;
  readonly timelines: readonly Timeline[];
  readonly kubeconfig: string;
}

async function rehearseOnCluster(options: DemoOptions, stack: Stack, stop: OrderlyStop): Promise<ClusterRehearsal> {
  const started = performance.now();
  const missing = await missingProjectImages(CHART_IMAGES);
  if (missing.length > 0) {
    say(`images: ${missing.map(projectImage).join(', ')} not in the build storage: building them as test/ship/images.test.ts does (about 10 minutes cold; the build stage is shared)`);
    await buildProjectImages(missing, (deployable) => { say(`  building ${projectImage(deployable)} (${seconds(started)} so far)`); });
  } else {
    say(`images: ${CHART_IMAGES.map(projectImage).join(', ')} reused from the build storage (test/ship/images.test.ts builds the same names: run it, or remove one, to rebuild)`);
  }

  const nodeStarted = performance.now();
  const node = await startNode(stack);
  const { hostAddress, nodeAddress, versions } = node.info;
  say(`one-node cluster: Kubernetes ${versions.kubernetes} (kubelet, kube-proxy, controller-manager, scheduler), containerd ${versions.containerd}, CoreDNS ${versions.coredns}; the node at ${nodeAddress}, its link's host end ${hostAddress}; Ready after ${seconds(nodeStarted)}`);
  const tools = clusterTools(node);
  const [nats, postgres] = await Promise.all([
    startNats(stack, { address: hostAddress }),
    // The pods' connections arrive masqueraded to the node's address (the bridge's ipMasq).
    PostgresServer.start(stack, { remote: { listenAddress: hostAddress, clientCidr: `${nodeAddress}/32` } }),
  ]);
  say(`outside the cluster, where the pods reach them (${hostAddress}): NATS JetStream ${nats.url}, PostgreSQL ${postgres.info.version} on port ${String(postgres.info.port)}`);
  const imported = performance.now();
  await importProjectImages(stack, node, CHART_IMAGES);
  say(`images exported from the build storage and imported into the node's containerd in ${seconds(imported)}`);
  const secrets = freshSecrets();
  const { usersRole } = await prepareChartDatabase(postgres, secrets);
  // Telegram cannot reach this machine: its emulator, posting what Telegram would send to the
  // public URL to the NodePort instead (no public name or certificate here).
  const emulator = await TelegramEmulator.start({ host: hostAddress, delivery: { route: (url) => url.replace(PUBLIC_URL, nodePortUrl(node)) } });
  stop.cleanups.push(() => emulator.stop());
  const mainBot = emulator.createBot({ username: 'NovaMainBot', firstName: 'Nova' });
  say(`Telegram (emulator) at ${emulator.apiRoot}: webhooks for ${PUBLIC_URL} delivered to the NodePort ${nodePortUrl(node)} (the ingress stand-in in front of the gateway)`);

  const installed = performance.now();
  await installChartFleet({ node, tools, natsUrl: nats.url, postgres, telegramApiRoot: emulator.apiRoot, mainBot, usersRole, secrets, dir: stack.path('chart') }, join(REPO_ROOT, 'charts', 'nova'));
  await waitForWebhookPath({ node, tools }, () => emulator.webhookInfo(mainBot.token).url);
  const pods = await tools.kubectl(['get', 'pods', '-n', CHART_NAMESPACE, '-o', 'wide']);
  say(`$ helm install nova charts/nova -n ${CHART_NAMESPACE} --wait (external NATS and PostgreSQL, routing on the bus; one replica per deployable, the operator's two): every Deployment Ready, the main bot's webhook set, the NodePort forwarding, after ${seconds(installed)}\n${pods.trimEnd()}`);

  const prometheus = await startNodePrometheus(stack, node, CHART_NAMESPACE);
  await tools.waitForState('Prometheus scraping the fleet\'s and the operator\'s pods', async () => (await prometheus.number('count(up{job="nova"} == 1)')) >= RELEASE_PODS, 60_000);
  say(`Prometheus (inside the node, where the pods' addresses are) at ${prometheus.url}: scraping the release's ${String(RELEASE_PODS)} pods as the chart's ServiceMonitor selects them`);

  const users = new SimulatedUsers(emulator, mainBot, options.users, options.rate, 'user');
  await users.onboard();
  users.start();
  stop.cleanups.push(() => {
    users.stop();
    return Promise.resolve();
  });
  say(`simulated users: Anna connected her own bot through the main bot (in its pod); ${String(options.users)} users now write at ${String(options.rate)} updates/s, each update through the NodePort, the gateway's pod, JetStream, the bot service's pod and its svc.user request`);

  const stage = clusterStage(options, prometheus.url);
  const file = join(stack.dir, `${stage.metadata.name}.yaml`);
  writeStage(stage, file);
  const apply = ['apply', '-f', file];
  const applied = await kubectl(REPO_ROOT, node.info.kube.kubeconfig, apply);
  if (applied.code !== 0) throw new ClusterStepError(shown(apply), applied.stderr.trim());
  say(`${shown(['apply', '-f', STAGE_FILES[2][0]])}  (adapted: pauses of ${String(options.pauseMs / 1000)} s, checks every ${String(options.intervalMs / 1000)} s, the node's Prometheus; no dependsOn: the NodePort is stage 1's end state)`);
  say(`watch it yourself:  PATH=$PWD/bin:$PATH KUBECONFIG=${node.info.kube.kubeconfig} kubectl nova watch -n ${CHART_NAMESPACE}\n`);

  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(node.info.kube.kubeconfig);
  const watch = new MigrationWatch(kubeConfig, CHART_NAMESPACE, stage.metadata.name);
  const startedAt = Date.now();
  const stageBreak = new StageBreak(options.fail ? 'schema-privileges' : undefined, options.intervalMs);
  const snapshot = (): Snapshot => ({
    at: Date.now(), startedAt, migration: watch.name, route: "the user context's chats", legacy: 'nova-monolith (pod)', target: 'user-service (pod)',
    status: watch.status, traffic: users.counts(), transitions: watch.transitions, events: watch.events, notes: [...watch.notes].sort(byClock), also: [],
  });
  await followStage({
    watches: [watch], options, kubeconfig: node.info.kube.kubeconfig, namespace: CHART_NAMESPACE, stageBreak, breaks: 'user-service',
    breakTarget: () => revokeUsersLogin(usersRole), snapshot,
    finished: (status) => status.phase === 'Promoted' || (status.phase === 'RolledBack' && status.weight === 0),
  });
  users.stop();
  say(`\nthe stage ended ${watch.name} ${watch.status.phase ?? ''}; waiting for every update sent to be answered…`);
  await users.drain(DRAIN_MS);
  await watch.poll().catch(() => undefined);
  if (!options.live) for (const note of snapshot().notes) say(`  ${note}`);
  // No Jaeger for the pods here (the chart's tracing is off): the report says "trace none found".
  const report = buildReport(snapshot(), undefined);
  const timelines = [{ migration: watch.name, points: watch.transitions.map((t) => ({ seconds: Math.round((t.at - startedAt) / 100) / 10, weight: t.weight, phase: t.phase, step: t.step })) }];
  return { report, timelines, kubeconfig: node.info.kube.kubeconfig };
}

async function revokeUsersLogin(role: SchemaRole): Promise<string> {
  await role.revoke();
  return 'user-service just lost its database privileges (its pod alive and ready, failing every users-context request)';
}

/** The whole --cluster run: its exit code as a one-machine single-stage run's (0 as expected and nothing lost, 1 otherwise). */
export async function runOnCluster(options: DemoOptions): Promise<number> {
  say(`Nova demo --cluster: stage 2 on a one-node Kubernetes cluster${options.fail ? ' (--fail: the user service will lose its database privileges)' : ''}. Starting the node…`);
  const stack = Stack.create({ keep: process.env.NOVA_TESTBED_KEEP === '1' });
  say(`stack folder (every process's log; removed at the end): ${stack.dir}`);
  const stop = new OrderlyStop(() => stack.stop());
  stop.onSignals();
  try {
    const { report, timelines, kubeconfig } = await rehearseOnCluster(options, stack, stop);
    writeStageReport(options, report, timelines);
    if (options.keep) {
      say(`--keep: everything stays up until Ctrl-C. KUBECONFIG=${kubeconfig} kubectl get pods -n ${CHART_NAMESPACE}`);
      await new Promise(() => undefined);
    }
    return stageExitCode(options, report);
  } catch (error) {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    say('stopping the cluster: every pod, the node\'s processes and namespaces, its link and cgroups…');
    await stop.stop();
    say('stopped');
  }
}
