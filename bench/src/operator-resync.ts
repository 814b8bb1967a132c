/**
 * The resync measurement, run as a fresh child process by operator.ts so that its memory figures
 * are the operator's own, not a benchmark's that already holds a thousand created objects:
 * a fresh operator created and started; time until every migration was reconciled once; the peak
 * RSS and JS heap meanwhile; then `--steady` seconds of the operator idling over them (RSS, CPU);
 * after it stopped, one LIST of the migrations (the baseline). Prints one JSON line.
 *
 * node --expose-gc bench/dist/operator-resync.js --kubeconfig <file> --namespace <ns|*> --count <n> [--steady 20]
 */
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { reconciled, startOperator } from './operator-module.js';
import { MIGRATIONS, option, textOption, timed, until } from './support.js';

const kubeconfig = textOption('kubeconfig', '');
const namespace = textOption('namespace', '*');
const count = option('count', 1000);
const steadySeconds = option('steady', 20);

const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(kubeconfig);
const custom = kubeConfig.makeApiClient(CustomObjectsApi);
const listAll = (): Promise<unknown> => (namespace === '*' ? custom.listClusterCustomObject(MIGRATIONS) : custom.listNamespacedCustomObject({ ...MIGRATIONS, namespace }));
globalThis.gc?.();
const before = process.memoryUsage();
const peak = { rss: before.rss, heap: before.heapUsed };
const sample = (): void => {
  const now = process.memoryUsage();
  peak.rss = Math.max(peak.rss, now.rss);
  peak.heap = Math.max(peak.heap, now.heapUsed);
};
const sampler = setInterval(sample, 20);
const started = performance.now();
const operator = await startOperator(kubeConfig, 'bench-fresh', namespace === '*' ? undefined : namespace, until);
// Polled every 50 ms, not faster: reading the gauge (a series per migration) is work in this very
// process, which its operator would wait behind at 10,000 migrations.
await until('every migration reconciled once', async () => (await reconciled(operator)).distinct >= count, 50);
const seconds = (performance.now() - started) / 1000;
const counts = await reconciled(operator);
sample();
const resyncPeak = { ...peak };
// Steady state: the operator holds every migration in its caches and has nothing to do.
globalThis.gc?.();
const cpuBefore = process.cpuUsage();
const rssSamples: number[] = [];
for (let second = 0; second < steadySeconds; second++) {
  await sleep(1_000);
  rssSamples.push(process.memoryUsage().rss);
}
const cpu = process.cpuUsage(cpuBefore);
const steadyHeap = process.memoryUsage().heapUsed;
clearInterval(sampler);
const cache = operator.cacheStats?.();
await operator.manager.shutdown();
await operator.close();
// The baseline LIST last: made first, the memory taken for its response stayed in the RSS counted
// "before the operator" (159 against 145 MiB at 1,000; 219-316 against 145-157 at 10,000).
const listMs = await timed(listAll);
console.log(JSON.stringify({
  count,
  seconds,
  listMs,
  reconciles: counts.total,
  rssBefore: before.rss,
  heapBefore: before.heapUsed,
  rssPeak: resyncPeak.rss,
  heapPeak: resyncPeak.heap,
  steadyRss: rssSamples.reduce((sum, value) => sum + value, 0) / Math.max(1, rssSamples.length),
  steadyHeap,
  steadyCpuPercent: ((cpu.user + cpu.system) / 1000 / (steadySeconds * 1000)) * 100,
  cache,
}));
