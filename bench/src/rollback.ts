/**
 * How fast a bad target is taken out: from the first bad request (the simulated target starts
 * failing 10 % of its requests, legacy stays at 1 %) to the route's weights back at 100 % legacy
 * in the VirtualService, as a multiple of the analysis interval. The operator runs in this process
 * with the real Prometheus of a test bed started here, scraping simulated traffic every second.
 *
 * What bounds it: the failed checks the rollback needs (failureLimit), each one interval apart,
 * the first one due up to an interval after the errors start, and the scrape interval (1 s) plus
 * the window the errors must dominate. So a ratio near failureLimit is the design's floor; much
 * above it means the operator is slow to act.
 *
 * Usage: node bench/dist/rollback.js [--samples 3] [--intervals 2,5]
 */
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { SimulatedTraffic, startTestbed, type TrafficProfile } from '@nova/testbed';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createOperator } from '../../operator/dist/operator.js';
import { MIGRATIONS, option, percentile, targetWeight, textOption, until, VIRTUAL_SERVICES, virtualService } from './support.js';

const SAMPLES = option('samples', 3);
const INTERVALS = textOption('intervals', '2,5').split(',').map(Number);
const FAILURE_LIMIT = 2;
const NAMESPACE = 'bench-rollback';

const HEALTHY: TrafficProfile = { requestsPerSecond: 400, legacy: { errorRate: 0.01, latencyMs: 40 }, target: { errorRate: 0.005, latencyMs: 40 } };

async function sample(custom: CustomObjectsApi, prometheus: Parameters<typeof SimulatedTraffic.start>[0], intervalSeconds: number, index: number): Promise<number> {
  const name = `rb-${String(intervalSeconds)}s-${String(index)}`;
  await custom.createNamespacedCustomObject({ ...VIRTUAL_SERVICES, namespace: NAMESPACE, body: virtualService(`vs-${name}`) });
  const weight = (): Promise<number | undefined> => targetWeight(custom, NAMESPACE, `vs-${name}`, `nova-${name}`);
  const route = { namespace: NAMESPACE, pathPrefix: `/${name}/`, legacyService: `monolith-${name}`, targetService: `svc-${name}` };
  const traffic = await SimulatedTraffic.start(prometheus, `bench-${name}`, route, { ...HEALTHY, target: { ...HEALTHY.target } }, weight);
  try {
    await custom.createNamespacedCustomObject({
      ...MIGRATIONS, namespace: NAMESPACE,
      body: {
        apiVersion: 'novabot.io/v1alpha1', kind: 'NovaMigration', metadata: { name },
        spec: {
          route: { pathPrefix: route.pathPrefix },
          legacy: { service: route.legacyService, port: 8099 },
          target: { service: route.targetService, port: 8100 },
          trafficProvider: { istio: { virtualService: `vs-${name}` } },
          steps: [{ setWeight: 50 }, { pause: { duration: '1h' } }, { setWeight: 100 }],
          analysis: { interval: `${String(intervalSeconds)}s`, window: `${String(intervalSeconds * 2)}s`, failureLimit: FAILURE_LIMIT, thresholds: { minRequests: 100, maxErrorRate: 0.05 } },
        },
      },
    });
    // Healthy first: at 50 % and passing checks, like a canary in the middle of its bake.
    await until(`${name} passing at 50 %`, async () => {
      const status = ((await custom.getNamespacedCustomObject({ ...MIGRATIONS, namespace: NAMESPACE, name })) as { status?: { weight?: number; analysis?: { passes?: number } } }).status;
      return status?.weight === 50 && (status.analysis?.passes ?? 0) >= 2;
    }, 100, 120_000);
    // The errors start at a random point between two checks, as they would in life.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * intervalSeconds * 1000));
    traffic.profile.target.errorRate = 0.1;
    const firstBad = performance.now();
    await until(`${name} back at 0 %`, async () => (await weight()) === 0, 10, 300_000);
    return (performance.now() - firstBad) / 1000;
  } finally {
    await traffic.stop();
  }
}

async function main(): Promise<void> {
  const cpu = cpus();
  console.log(`rollback benchmark: ${String(cpu.length)} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`);
  const bed = await startTestbed({ components: ['kube', 'prometheus'] });
  const { kube, prometheus } = bed.info;
  if (kube === undefined || prometheus === undefined) throw new Error('the test bed started no kube-apiserver or Prometheus');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kube.kubeconfig);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  for (const name of ['nova-system', NAMESPACE]) await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  const operator = await createOperator({ kubeConfig, leaseNamespace: 'nova-system', leaseName: 'nova-operator', identity: 'bench-rollback', watchNamespace: NAMESPACE, http: { host: '127.0.0.1', port: 0 }, prometheusAddress: prometheus.url });
  await operator.manager.start();
  console.log(`  Prometheus ${prometheus.version} scraping every ${String(prometheus.scrapeIntervalSeconds)} s; kube-apiserver ${kube.version}; failureLimit ${String(FAILURE_LIMIT)}, window 2 intervals`);
  try {
    await until('leadership', () => Promise.resolve(operator.manager.isLeader()), 20);
    for (const interval of INTERVALS) {
      const seconds: number[] = [];
      for (let i = 0; i < SAMPLES; i++) seconds.push(await sample(custom, prometheus, interval, i));
      const [p50, max] = [percentile(seconds, 50), Math.max(...seconds)];
      console.log(`first bad request → 100 % legacy, interval ${String(interval)} s: p50 ${p50.toFixed(2)} s = ${(p50 / interval).toFixed(2)} intervals, max ${max.toFixed(2)} s = ${(max / interval).toFixed(2)} intervals (${String(SAMPLES)} samples: ${seconds.map((s) => s.toFixed(2)).join(', ')})`);
    }
  } finally {
    await operator.manager.shutdown();
    await bed.stop();
  }
}

await main();
