/**
 * The operator's speed, on a real kube-apiserver started here, with the operator in this process:
 *
 * 1. apply → weight written: from creating a NovaMigration to its first weight (30 %) standing in
 *    the shared VirtualService "nova", p50 and p95, as a multiple of the same run's create+get
 *    round trip of a ConfigMap (the least any controller could need: one write, one read).
 * 2. resync after a restart: a fresh operator facing N NovaMigrations that are all Promoted;
 *    time until each one was reconciled once, as a multiple of one LIST of them, and the peak
 *    extra RSS of the process meanwhile.
 *
 * Each part has a namespace of its own and an operator watching only it, so the resync counts
 * exactly its N migrations.
 *
 * Usage: npm run bench [-- --migrations 1000 --samples 50]
 */
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { startTestbed } from '@nova/testbed';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createOperator, type Operator } from '../../operator/dist/operator.js';
import { createNamespace, migration, MIGRATIONS, option, percentile, timed, until, VIRTUAL_SERVICES, virtualService, targetWeight } from './support.js';

const SAMPLES = option('samples', 50);
const MIGRATION_COUNT = option('migrations', 1000);
const LATENCY_NAMESPACE = 'bench-latency';
const RESYNC_NAMESPACE = 'bench-resync';
/** Resync migrations share VirtualServices a hundred apiece, so no one object grows huge. */
const PER_VIRTUAL_SERVICE = 100;
const MiB = 2 ** 20;

async function startOperator(kubeConfig: KubeConfig, identity: string, watchNamespace: string): Promise<Operator> {
  const operator = await createOperator({ kubeConfig, leaseNamespace: 'nova-system', leaseName: 'nova-operator', identity, watchNamespace, http: { host: '127.0.0.1', port: 0 } });
  await operator.manager.start();
  await until('leadership', () => Promise.resolve(operator.manager.isLeader()), 20);
  return operator;
}

/** Migrations this operator has reconciled at least once (each reconcile sets its gauges), and reconciles in all. */
async function reconciled(operator: Operator): Promise<{ distinct: number; total: number }> {
  const distinct = (await operator.metrics.weight.get()).values.length;
  const total = (await operator.metrics.reconcileDuration.get()).values
    .filter((sample) => sample.metricName === 'nova_reconcile_duration_seconds_count')
    .reduce((sum, sample) => sum + sample.value, 0);
  return { distinct, total };
}

async function applyToWeight(kubeConfig: KubeConfig, custom: CustomObjectsApi): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const namespace = LATENCY_NAMESPACE;
  const roundTrips: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const name = `baseline-${String(i)}`;
    roundTrips.push(await timed(async () => {
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { i: String(i) } } });
      await core.readNamespacedConfigMap({ namespace, name });
    }));
  }
  await custom.createNamespacedCustomObject({ ...VIRTUAL_SERVICES, namespace, body: virtualService('nova') });
  const operator = await startOperator(kubeConfig, 'bench-latency', namespace);
  const latencies: number[] = [];
  try {
    for (let i = 0; i < SAMPLES; i++) {
      const name = `latency-${String(i)}`;
      const body = migration(name, 'nova', `/p${String(i)}/`, [{ setWeight: 30 }, { pause: {} }, { setWeight: 100 }]);
      latencies.push(await timed(async () => {
        await custom.createNamespacedCustomObject({ ...MIGRATIONS, namespace, body });
        await until(`${name} at 30 %`, async () => (await targetWeight(custom, namespace, 'nova', `nova-${name}`)) === 30, 5);
      }));
    }
  } finally {
    await operator.manager.shutdown();
  }
  const base = percentile(roundTrips, 50);
  const [p50, p95] = [percentile(latencies, 50), percentile(latencies, 95)];
  console.log(`apply→weight p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (= ${(p50 / base).toFixed(1)}× / ${(p95 / base).toFixed(1)}× a create+get round trip)`);
  console.log(`  ${String(SAMPLES)} migrations on one VirtualService; ConfigMap create+get p50 ${base.toFixed(1)} ms, p95 ${percentile(roundTrips, 95).toFixed(1)} ms`);
}

/** Creates the resync migrations (20 requests in flight) and lets a first operator promote them all. */
async function createPromoted(kubeConfig: KubeConfig, custom: CustomObjectsApi): Promise<void> {
  const namespace = RESYNC_NAMESPACE;
  for (let v = 0; v * PER_VIRTUAL_SERVICE < MIGRATION_COUNT; v++) {
    await custom.createNamespacedCustomObject({ ...VIRTUAL_SERVICES, namespace, body: virtualService(`resync-${String(v)}`) });
  }
  const first = await startOperator(kubeConfig, 'bench-first', namespace);
  try {
    const created = performance.now();
    for (let start = 0; start < MIGRATION_COUNT; start += 20) {
      await Promise.all(Array.from({ length: Math.min(20, MIGRATION_COUNT - start) }, (_, k) => {
        const i = start + k;
        const body = migration(`resync-${String(i)}`, `resync-${String(Math.floor(i / PER_VIRTUAL_SERVICE))}`, `/r${String(i)}/`, [{ setWeight: 100 }]);
        return custom.createNamespacedCustomObject({ ...MIGRATIONS, namespace, body });
      }));
    }
    const promoted = async (): Promise<number> => {
      const list = (await custom.listNamespacedCustomObject({ ...MIGRATIONS, namespace })) as { items: { status?: { phase?: string } }[] };
      return list.items.filter((item) => item.status?.phase === 'Promoted').length;
    };
    await until(`all ${String(MIGRATION_COUNT)} migrations Promoted`, async () => (await promoted()) === MIGRATION_COUNT, 1_000);
    console.log(`  (set-up: ${String(MIGRATION_COUNT)} migrations created and promoted from scratch in ${((performance.now() - created) / 1000).toFixed(1)} s)`);
  } finally {
    await first.manager.shutdown();
  }
}

async function resync(kubeConfig: KubeConfig, custom: CustomObjectsApi): Promise<void> {
  await createPromoted(kubeConfig, custom);
  const list = await timed(() => custom.listNamespacedCustomObject({ ...MIGRATIONS, namespace: RESYNC_NAMESPACE }));
  globalThis.gc?.();
  const before = process.memoryUsage();
  const peak = { rss: before.rss, heap: before.heapUsed };
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peak.rss = Math.max(peak.rss, now.rss);
    peak.heap = Math.max(peak.heap, now.heapUsed);
  }, 50);
  const started = performance.now();
  let seconds: number;
  let counts: { distinct: number; total: number };
  const fresh = await startOperator(kubeConfig, 'bench-fresh', RESYNC_NAMESPACE);
  try {
    await until('every migration reconciled once', async () => (await reconciled(fresh)).distinct >= MIGRATION_COUNT, 20);
    seconds = (performance.now() - started) / 1000;
    counts = await reconciled(fresh);
  } finally {
    clearInterval(sampler);
    await fresh.manager.shutdown();
  }
  console.log(`resync ${String(MIGRATION_COUNT)}: ${seconds.toFixed(2)} s (= ${((seconds * 1000) / list).toFixed(1)}× one LIST), peak +${((peak.rss - before.rss) / MiB).toFixed(0)} MiB RSS`);
  console.log(`  one LIST of them ${list.toFixed(0)} ms; ${String(counts.total)} reconciles by then`);
  console.log(`  before the fresh operator: RSS ${(before.rss / MiB).toFixed(0)} MiB, JS heap ${(before.heapUsed / MiB).toFixed(0)} MiB; heap peak +${((peak.heap - before.heapUsed) / MiB).toFixed(0)} MiB`);
}

async function main(): Promise<void> {
  const cpu = cpus();
  console.log(`operator benchmark: ${String(cpu.length)} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`);
  const bed = await startTestbed({ components: ['kube'] });
  try {
    const kube = bed.info.kube;
    if (kube === undefined) throw new Error('the test bed started no kube-apiserver');
    console.log(`  kube-apiserver ${kube.version} + etcd ${kube.etcdVersion} on loopback, on the same cores; operator in this process, 4 workers`);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kube.kubeconfig);
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    for (const namespace of ['nova-system', LATENCY_NAMESPACE, RESYNC_NAMESPACE]) await createNamespace(kubeConfig, namespace);
    await applyToWeight(kubeConfig, custom);
    await resync(kubeConfig, custom);
  } finally {
    await bed.stop();
  }
}

await main();
