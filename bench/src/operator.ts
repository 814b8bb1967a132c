/**
 * The operator's speed, on a real kube-apiserver started here:
 *
 * 1. apply → weight written: from creating a NovaMigration to its first weight standing in the
 *    VirtualService, p50 and p95, as a multiple of the same run's create+get round trip of a
 *    ConfigMap (the least any controller could need: one write, one read).
 * 2. resync after a restart: a fresh operator facing N NovaMigrations that are all Promoted;
 *    time until each was reconciled once, as a multiple of one LIST of them, and the peak extra
 *    memory of the process meanwhile.
 *
 * Usage: npm run bench [-- --migrations 1000 --samples 50]
 */
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { startTestbed } from '@nova/testbed';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createOperator, type Operator } from '../../operator/dist/operator.js';
import { createNamespace, migration, MIGRATIONS, percentile, timed, until, VIRTUAL_SERVICES, virtualService, targetWeight } from './support.js';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index < 0 ? undefined : Number(process.argv[index + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

const SAMPLES = option('samples', 50);
const MIGRATION_COUNT = option('migrations', 1000);
const NAMESPACE = 'bench';
const PER_VIRTUAL_SERVICE = 100;

async function startOperator(kubeConfig: KubeConfig, identity: string): Promise<Operator> {
  const operator = await createOperator({ kubeConfig, leaseNamespace: 'nova-system', leaseName: 'nova-operator', identity, watchNamespace: NAMESPACE, http: { host: '127.0.0.1', port: 0 } });
  await operator.manager.start();
  await until('leadership', () => Promise.resolve(operator.manager.isLeader()), 20);
  return operator;
}

async function reconciledCount(operator: Operator): Promise<number> {
  const text = await operator.metrics.text();
  let total = 0;
  for (const match of text.matchAll(/^nova_reconcile_duration_seconds_count\{controller="novamigration",result="[a-z]+"\} (\d+)$/gmu)) total += Number(match[1]);
  return total;
}

async function applyToWeight(kubeConfig: KubeConfig, custom: CustomObjectsApi): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const roundTrips: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    roundTrips.push(await timed(async () => {
      await core.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name: `baseline-${String(i)}` }, data: { i: String(i) } } });
      await core.readNamespacedConfigMap({ namespace: NAMESPACE, name: `baseline-${String(i)}` });
    }));
  }
  await custom.createNamespacedCustomObject({ ...VIRTUAL_SERVICES, namespace: NAMESPACE, body: virtualService('latency') });
  const operator = await startOperator(kubeConfig, 'bench-latency');
  const latencies: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const name = `latency-${String(i)}`;
    const body = migration(name, 'latency', `/l${String(i)}/`, [{ setWeight: 30 }, { pause: {} }, { setWeight: 100 }]);
    latencies.push(await timed(async () => {
      await custom.createNamespacedCustomObject({ ...MIGRATIONS, namespace: NAMESPACE, body });
      await until(`${name} at 30 %`, async () => (await targetWeight(custom, NAMESPACE, 'latency', `nova-${name}`)) === 30, 2);
    }));
  }
  await operator.manager.shutdown();
  const base = percentile(roundTrips, 50);
  const [p50, p95] = [percentile(latencies, 50), percentile(latencies, 95)];
  console.log(`apply→weight written (${String(SAMPLES)} migrations): p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
  console.log(`  = ${(p50 / base).toFixed(1)}× / ${(p95 / base).toFixed(1)}× a ConfigMap create+get round trip (p50 ${base.toFixed(1)} ms)`);
}

async function resync(kubeConfig: KubeConfig, custom: CustomObjectsApi): Promise<void> {
  for (let v = 0; v * PER_VIRTUAL_SERVICE < MIGRATION_COUNT; v++) {
    await custom.createNamespacedCustomObject({ ...VIRTUAL_SERVICES, namespace: NAMESPACE, body: virtualService(`resync-${String(v)}`) });
  }
  const first = await startOperator(kubeConfig, 'bench-first');
  const created = performance.now();
  for (let start = 0; start < MIGRATION_COUNT; start += 20) {
    await Promise.all(Array.from({ length: Math.min(20, MIGRATION_COUNT - start) }, (_, k) => {
      const i = start + k;
      const body = migration(`resync-${String(i)}`, `resync-${String(Math.floor(i / PER_VIRTUAL_SERVICE))}`, `/r${String(i)}/`, [{ setWeight: 100 }]);
      return custom.createNamespacedCustomObject({ ...MIGRATIONS, namespace: NAMESPACE, body });
    }));
  }
  const promoted = async (): Promise<number> => {
    const list = (await custom.listNamespacedCustomObject({ ...MIGRATIONS, namespace: NAMESPACE, labelSelector: '' })) as { items: { metadata?: { name?: string }; status?: { phase?: string } }[] };
    return list.items.filter((item) => item.metadata?.name?.startsWith('resync-') === true && item.status?.phase === 'Promoted').length;
  };
  await until('every migration Promoted', async () => (await promoted()) === MIGRATION_COUNT, 1_000);
  console.log(`(${String(MIGRATION_COUNT)} migrations created and promoted from scratch in ${((performance.now() - created) / 1000).toFixed(1)} s)`);
  await first.manager.shutdown();

  const list = await timed(() => custom.listNamespacedCustomObject({ ...MIGRATIONS, namespace: NAMESPACE }));
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  const started = performance.now();
  const fresh = await startOperator(kubeConfig, 'bench-fresh');
  const total = MIGRATION_COUNT + SAMPLES; // the latency part's migrations are in the namespace too
  await until('every migration reconciled once', async () => (await reconciledCount(fresh)) >= total, 20);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  await fresh.manager.shutdown();
  console.log(`resync after a restart (${String(total)} migrations): ${seconds.toFixed(2)} s = ${((seconds * 1000) / list).toFixed(1)}× one LIST of them (${list.toFixed(0)} ms)`);
  console.log(`  peak memory during the resync: +${((peak - rssBefore) / 2 ** 20).toFixed(0)} MiB RSS over ${(rssBefore / 2 ** 20).toFixed(0)} MiB`);
}

async function main(): Promise<void> {
  console.log(`operator benchmark on ${String(cpus().length)} cores, a real kube-apiserver + etcd on loopback`);
  const bed = await startTestbed({ components: ['kube'] });
  try {
    const kube = bed.info.kube;
    if (kube === undefined) throw new Error('the test bed started no kube-apiserver');
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kube.kubeconfig);
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    await createNamespace(kubeConfig, 'nova-system');
    await createNamespace(kubeConfig, NAMESPACE);
    await applyToWeight(kubeConfig, custom);
    await resync(kubeConfig, custom);
  } finally {
    await bed.stop();
  }
}

await main();
