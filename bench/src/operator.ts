/**
 * The operator's speed, on a real kube-apiserver started here:
 *
 * 1. apply → weight written: from creating a NovaMigration to its first weight (30 %) standing in
 *    a VirtualService it shares with others, p50 and p95, as a multiple of the same run's
 *    create+get round trip of a ConfigMap (the least any controller could need: one write, one
 *    read). Once per sharing level (`--sharing 1,50,200`: that many migrations on the object,
 *    counting the one applied), each sample split into phases seen from a watch: until the
 *    finalizer is stored (queue wait, first read, first write), until the route item exists,
 *    until status.desiredWeight is 30, until the weight stands; and the reconciles per apply.
 *    Each level once per `--create-route` mode: AtStart inserts the route at 0 % before its first
 *    weight (two writes of the shared object), WithFirstWeight inserts it with that weight (one);
 *    and beside it the floor, one bare write of that object (an annotation's JSON patch).
 * 2. resync after a restart, in a fresh child process (operator-resync.ts): N promoted
 *    migrations; time until each was reconciled once, as a multiple of one LIST of them; the
 *    peak RSS and JS heap; then steady RSS and CPU. `--namespaces 10` spreads N over that many
 *    namespaces (the child's operator then watches all of them).
 *
 * The operator runs in this process for part 1 (4 workers) and in the child for part 2.
 * BENCH_OPERATOR=<dir>/dist/operator.js runs another build of it (operator-module.ts), for a
 * before/after in one period.
 *
 * Usage: node --expose-gc bench/dist/operator.js [--samples 20] [--sharing 1,50,200] [--create-route AtStart,WithFirstWeight] [--migrations 1000] [--namespaces 1] [--steady 20] [--skip-latency] [--skip-resync]
 */
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions, type KubernetesObject } from '@kubernetes/client-node';
import { MIGRATION_FINALIZER } from '../../operator/dist/api/novamigration.js';
import { ResilientInformer } from '../../operator/dist/kube/informer.js';
import { KeepAliveKubeConfig } from '../../operator/dist/kube/keep-alive.js';
import { startTestbed } from '@nova/testbed';
import { execFile } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { OPERATOR_BUILD, reconciled, startOperator } from './operator-module.js';
import { createNamespace, migration, MIGRATIONS, option, percentile, textOption, timed, until, VIRTUAL_SERVICES, virtualService } from './support.js';

const SAMPLES = option('samples', 20);
const SHARING = textOption('sharing', '1,50,200').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
type RouteCreation = 'AtStart' | 'WithFirstWeight';
/** The migrations' `createRoute`, each measured at every sharing level (an older operator build ignores it). */
const CREATE_ROUTE = textOption('create-route', 'AtStart,WithFirstWeight').split(',').filter((mode): mode is RouteCreation => mode === 'AtStart' || mode === 'WithFirstWeight');
const MIGRATION_COUNT = option('migrations', 1000);
const NAMESPACES = option('namespaces', 1);
const STEADY_SECONDS = option('steady', 20);
/** Resync migrations share VirtualServices a hundred apiece, so no one object grows huge. */
const PER_VIRTUAL_SERVICE = 100;
const MiB = 2 ** 20;

interface Phases {
  finalizer: number;
  route: number;
  desired: number;
  weight: number;
}

/** Watch-event arrival times (ms after `created`) for one applied migration. */
class PhaseClock {
  created = 0;
  name = '';
  seen: Partial<Phases> = {};

  start(name: string): void {
    this.name = name;
    this.created = performance.now();
    this.seen = {};
  }

  onMigration(object: { metadata?: { name?: string; finalizers?: string[] }; status?: { desiredWeight?: number } }): void {
    if (object.metadata?.name !== this.name) return;
    const at = performance.now() - this.created;
    if ((object.metadata.finalizers?.length ?? 0) > 0) this.seen.finalizer ??= at;
    if (object.status?.desiredWeight === 30) this.seen.desired ??= at;
  }

  onVirtualService(object: { spec?: { http?: { name?: string; route?: { weight?: number }[] }[] } }): void {
    if (this.name === '') return;
    const item = object.spec?.http?.find((entry) => entry.name === `nova-${this.name}`);
    if (item === undefined) return;
    const at = performance.now() - this.created;
    this.seen.route ??= at;
    if (item.route?.[1]?.weight === 30) this.seen.weight ??= at;
  }
}

async function watchPhases(kubeConfig: KubeConfig, namespace: string, clock: PhaseClock): Promise<() => Promise<void>> {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const informer = <T extends KubernetesObject>(type: { group: string; version: string; plural: string }, handle: (object: T) => void): ResilientInformer<T> => {
    const watched = new ResilientInformer<T>({
      kubeConfig,
      path: `/apis/${type.group}/${type.version}/namespaces/${namespace}/${type.plural}`,
      list: async () => (await custom.listNamespacedCustomObject({ ...type, namespace })) as { items: T[] },
    });
    watched.on('add', handle);
    watched.on('update', handle);
    return watched;
  };
  const informers = [
    informer(MIGRATIONS, (object) => { clock.onMigration(object); }),
    informer(VIRTUAL_SERVICES, (object) => { clock.onVirtualService(object as never); }),
  ];
  await Promise.all(informers.map((watched) => watched.start()));
  return async () => { await Promise.all(informers.map((watched) => watched.stop())); };
}

async function roundTrips(kubeConfig: KubeConfig, namespace: string): Promise<number[]> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const name = `baseline-${String(i)}`;
    samples.push(await timed(async () => {
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { i: String(i) } } });
      await core.readNamespacedConfigMap({ namespace, name });
    }));
  }
  return samples;
}

/**
 * The floor under any write of the shared object: SAMPLES JSON patches of an annotation of the
 * VirtualService, each awaited. The apiserver decodes, patches, validates against Istio's schema
 * and re-encodes the whole object for this as for a route write, and every watch decodes the new
 * version; the operator enqueues nothing for it (route-changes.ts: no item and no host changed).
 */
async function sharedObjectWrites(kubeConfig: KubeConfig, namespace: string, name: string): Promise<{ writes: number[]; bytes: number }> {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const writes: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const body = [{ op: 'add', path: '/metadata/annotations', value: { 'bench.novabot.io/floor': String(i) } }];
    writes.push(await timed(() => custom.patchNamespacedCustomObject({ ...VIRTUAL_SERVICES, namespace, name, body }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch))));
  }
  const object: unknown = await custom.getNamespacedCustomObject({ ...VIRTUAL_SERVICES, namespace, name });
  return { writes, bytes: Buffer.byteLength(JSON.stringify(object)) };
}

const fmt = (ms: number): string => ms.toFixed(0);

/** `sharing - 1` migrations already on the VirtualService (Paused at 30 %), then SAMPLES applies, one after another. */
async function applyToWeight(kubeConfig: KubeConfig, custom: CustomObjectsApi, sharing: number, createRoute: RouteCreation): Promise<void> {
  const progress = (what: string): void => { if (process.env.BENCH_DEBUG !== undefined) console.error(`${new Date().toISOString()} ${what}`); };
  const namespace = `bench-latency-${String(sharing)}-${createRoute.toLowerCase()}`;
  await createNamespace(kubeConfig, namespace);
  await custom.createNamespacedCustomObject({ ...VIRTUAL_SERVICES, namespace, body: virtualService('nova') });
  progress('starting the operator');
  const operator = await startOperator(kubeConfig, `bench-latency-${createRoute.toLowerCase()}`, namespace, until);
  progress('operator leads');
  const steps = [{ setWeight: 30 }, { pause: {} }, { setWeight: 100 }];
  try {
    const prepared = performance.now();
    for (let start = 0; start < sharing - 1; start += 20) {
      await Promise.all(Array.from({ length: Math.min(20, sharing - 1 - start) }, (_, k) =>
        custom.createNamespacedCustomObject({ ...MIGRATIONS, namespace, body: migration(`other-${String(start + k)}`, 'nova', `/o${String(start + k)}/`, steps, createRoute) })));
    }
    const paused = async (): Promise<number> => ((await custom.listNamespacedCustomObject({ ...MIGRATIONS, namespace })) as { items: { status?: { phase?: string; weight?: number } }[] }).items.filter((item) => item.status?.phase === 'Paused' && item.status.weight === 30).length;
    await until(`${String(sharing - 1)} migrations at their pause`, async () => (await paused()) >= sharing - 1, 200);
    const prepareSeconds = (performance.now() - prepared) / 1000;
    progress('others ready');
    const baseline = await roundTrips(kubeConfig, namespace);
    const floor = await sharedObjectWrites(kubeConfig, namespace, 'nova');
    const clock = new PhaseClock();
    const stopWatch = await watchPhases(kubeConfig, namespace, clock);
    const samples: { total: number; phases: Partial<Phases>; reconciles: number }[] = [];
    const cacheBefore = operator.cacheStats?.();
    try {
      for (let i = 0; i < SAMPLES; i++) {
        const name = `latency-${String(i)}`;
        const reconcilesBefore = (await reconciled(operator)).total;
        clock.start(name);
        const total = await timed(async () => {
          await custom.createNamespacedCustomObject({ ...MIGRATIONS, namespace, body: migration(name, 'nova', `/p${String(i)}/`, steps, createRoute) });
          await until(`${name} at 30 %`, () => Promise.resolve(clock.seen.weight !== undefined), 2, 60_000).catch(async (error: unknown) => {
            progress(`seen ${JSON.stringify(clock.seen)}; ${JSON.stringify(await custom.getNamespacedCustomObject({ ...MIGRATIONS, namespace, name }))}`);
            throw error;
          });
        });
        // Let the reconciles this apply caused finish before counting them.
        await until(`${name} at its pause`, async () => ((await custom.getNamespacedCustomObject({ ...MIGRATIONS, namespace, name })) as { status?: { phase?: string } }).status?.phase === 'Paused', 5);
        await new Promise((done) => setTimeout(done, 100));
        progress(`sample ${String(i)}: ${fmt(total)} ms`);
        samples.push({ total, phases: { ...clock.seen }, reconciles: (await reconciled(operator)).total - reconcilesBefore });
      }
    } finally {
      await stopWatch();
    }
    const cacheAfter = operator.cacheStats?.();
    const base = percentile(baseline, 50);
    const totals = samples.map((s) => s.total);
    const [p50, p95] = [percentile(totals, 50), percentile(totals, 95)];
    const phase = (key: keyof Phases): string => fmt(percentile(samples.map((s) => s.phases[key] ?? Number.NaN), 50));
    console.log(`apply→weight, ${String(sharing)} on one VirtualService, createRoute ${createRoute}: p50 ${fmt(p50)} ms, p95 ${fmt(p95)} ms (= ${(p50 / base).toFixed(1)}× / ${(p95 / base).toFixed(1)}× a create+get round trip, p50 ${base.toFixed(1)} ms)`);
    const floorP50 = percentile(floor.writes, 50);
    console.log(`  one write of the shared VirtualService (${(floor.bytes / 1024).toFixed(0)} kB, an annotation's JSON patch, nothing else): p50 ${floorP50.toFixed(1)} ms, p95 ${percentile(floor.writes, 95).toFixed(1)} ms (= ${(floorP50 / base).toFixed(1)}× create+get); apply→weight = ${(p50 / floorP50).toFixed(1)}× / ${(p95 / floorP50).toFixed(1)}× that write's p50`);
    console.log(`  phases (p50, ms after create): finalizer stored ${phase('finalizer')}, route item ${phase('route')}, desiredWeight 30 stored ${phase('desired')}, weight 30 in the VirtualService ${phase('weight')}`);
    const reconcileCounts = samples.map((s) => s.reconciles);
    const cache = cacheBefore !== undefined && cacheAfter !== undefined ? `; reads from cache ${String(cacheAfter.cached - cacheBefore.cached)}, from the apiserver ${String(cacheAfter.uncached - cacheBefore.uncached)}` : '';
    console.log(`  reconciles per apply (until its pause): p50 ${String(percentile(reconcileCounts, 50))}, max ${String(Math.max(...reconcileCounts))}${cache}; ${String(sharing - 1)} others set up in ${prepareSeconds.toFixed(1)} s`);
  } finally {
    await operator.manager.shutdown();
    await operator.close();
  }
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  }));
}

type Json = Record<string, unknown>;

/** The resync migrations' names and VirtualServices, per namespace. */
function resyncLayout(perNamespace: number): { name: string; virtualService: string; prefix: string }[] {
  return Array.from({ length: perNamespace }, (_, i) => ({ name: `resync-${String(i)}`, virtualService: `resync-${String(Math.floor(i / PER_VIRTUAL_SERVICE))}`, prefix: `/r${String(i)}/` }));
}

/** Each migration's resourceVersion, by namespace/name: what the fresh operator wrote shows as a changed version. */
async function versions(custom: CustomObjectsApi, namespaces: readonly string[]): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  for (const namespace of namespaces) {
    const list = (await custom.listNamespacedCustomObject({ ...MIGRATIONS, namespace })) as { items: { metadata?: { name?: string; resourceVersion?: string } }[] };
    for (const item of list.items) seen.set(`${namespace}/${item.metadata?.name ?? ''}`, item.metadata?.resourceVersion ?? '');
  }
  return seen;
}

function changedCount(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): number {
  let changed = 0;
  for (const [key, version] of after) if (before.get(key) !== version) changed++;
  return changed;
}

/**
 * Makes N promoted migrations, the way a first operator would have left them, in a minute rather
 * than the ten-plus minutes of promoting each from scratch (which never finished under load):
 * 1. a first operator promotes one migration (`resync-0` of the first namespace) as usual, and is
 *    shut down; its stored status and its route item are the template;
 * 2. every other migration is created with the operator's finalizer and given the template's
 *    status (its own path prefix in the messages; the /status subresource, 50 requests in
 *    flight), and every VirtualService gets the template's item once per migration on it (its own
 *    name and path prefix), weights 0/100;
 * 3. a first operator is started again over all of them and left until it has reconciled each once:
 *    it writes whatever it would not have left that way (the count is printed; 0 means the copies
 *    are exactly what a promotion leaves), so the fresh operator measured after it meets
 *    migrations its predecessor really promoted and has nothing to write either.
 */
async function createPromoted(kubeConfig: KubeConfig, custom: CustomObjectsApi, namespaces: readonly string[]): Promise<void> {
  const perNamespace = Math.ceil(MIGRATION_COUNT / namespaces.length);
  const total = perNamespace * namespaces.length;
  const layout = resyncLayout(perNamespace);
  const created = performance.now();
  const [templateNamespace = ''] = namespaces;
  for (const namespace of namespaces) {
    await createNamespace(kubeConfig, namespace);
    for (let v = 0; v * PER_VIRTUAL_SERVICE < perNamespace; v++) {
      await custom.createNamespacedCustomObject({ ...VIRTUAL_SERVICES, namespace, body: virtualService(`resync-${String(v)}`) });
    }
  }
  const template = layout[0];
  if (template === undefined) throw new Error('--migrations must be at least 1');
  // 1. The template, promoted by an operator.
  const first = await startOperator(kubeConfig, 'bench-first', namespaces.length === 1 ? templateNamespace : undefined, until);
  let status: Json;
  let item: Json;
  try {
    await custom.createNamespacedCustomObject({ ...MIGRATIONS, namespace: templateNamespace, body: migration(template.name, template.virtualService, template.prefix, [{ setWeight: 100 }]) });
    await until(`${template.name} Promoted`, async () => ((await custom.getNamespacedCustomObject({ ...MIGRATIONS, namespace: templateNamespace, name: template.name })) as { status?: { phase?: string } }).status?.phase === 'Promoted', 20, 120_000);
  } finally {
    await first.manager.shutdown();
    await first.close();
  }
  {
    const promoted = (await custom.getNamespacedCustomObject({ ...MIGRATIONS, namespace: templateNamespace, name: template.name })) as { status?: Json; metadata?: { finalizers?: string[] } };
    status = promoted.status ?? {};
    const routes = (await custom.getNamespacedCustomObject({ ...VIRTUAL_SERVICES, namespace: templateNamespace, name: template.virtualService })) as { spec?: { http?: Json[] } };
    const found = routes.spec?.http?.find((entry) => entry.name === `nova-${template.name}`);
    if (found === undefined) throw new Error(`the first operator left no route item nova-${template.name}`);
    item = found;
    // A copy's status names its own path prefix where the template's names /r0/ (the messages);
    // the template's name must appear nowhere, or the copies would carry it.
    if (JSON.stringify(status).includes(template.name)) throw new Error(`the template's status names it, copies would be wrong: ${JSON.stringify(status)}`);
  }
  // 2. The copies: the route items first (as the operator does: ensureRoute before any weight), then the migrations.
  const itemFor = (entry: { name: string; prefix: string }): Json => ({ ...structuredClone(item), name: `nova-${entry.name}`, match: [{ uri: { prefix: entry.prefix } }] });
  for (const namespace of namespaces) {
    for (let v = 0; v * PER_VIRTUAL_SERVICE < perNamespace; v++) {
      const name = `resync-${String(v)}`;
      const http = [...layout.filter((entry) => entry.virtualService === name).map(itemFor), ...(virtualService(name) as { spec: { http: Json[] } }).spec.http];
      await custom.patchNamespacedCustomObject({ ...VIRTUAL_SERVICES, namespace, name, body: [{ op: 'replace', path: '/spec/http', value: http }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
    }
  }
  const copies = namespaces.flatMap((namespace) => layout.filter((entry) => !(namespace === templateNamespace && entry.name === template.name)).map((entry) => ({ namespace, ...entry })));
  await inParallel(copies, 50, async ({ namespace, name, virtualService: routes, prefix }) => {
    const body = migration(name, routes, prefix, [{ setWeight: 100 }]) as { metadata: Json };
    body.metadata.finalizers = [MIGRATION_FINALIZER];
    await custom.createNamespacedCustomObject({ ...MIGRATIONS, namespace, body });
    const own = JSON.parse(JSON.stringify(status).replaceAll(template.prefix, prefix)) as Json;
    await custom.patchNamespacedCustomObjectStatus({ ...MIGRATIONS, namespace, name, body: { status: own } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  });
  const copied = (performance.now() - created) / 1000;
  // 3. A first operator over all of them, until it has looked at each once.
  const before = await versions(custom, namespaces);
  const again = await startOperator(kubeConfig, 'bench-first', namespaces.length === 1 ? templateNamespace : undefined, until);
  try {
    await until(`the first operator reconciled all ${String(total)}`, async () => (await reconciled(again)).distinct >= total, 100);
  } finally {
    await again.manager.shutdown();
    await again.close();
  }
  const after = await versions(custom, namespaces);
  const phases = await promotedCount(custom, namespaces);
  if (phases !== total) throw new Error(`after the set-up ${String(phases)} of ${String(total)} migrations are Promoted`);
  console.log(`  (set-up: ${String(total)} promoted migrations in ${String(namespaces.length)} namespace(s): one promoted by an operator and copied in ${copied.toFixed(1)} s, then a first operator reconciled all in ${((performance.now() - created) / 1000 - copied).toFixed(1)} s and rewrote ${String(changedCount(before, after))} of them)`);
}

async function promotedCount(custom: CustomObjectsApi, namespaces: readonly string[]): Promise<number> {
  let count = 0;
  for (const namespace of namespaces) {
    const list = (await custom.listNamespacedCustomObject({ ...MIGRATIONS, namespace })) as { items: { status?: { phase?: string } }[] };
    count += list.items.filter((entry) => entry.status?.phase === 'Promoted').length;
  }
  return count;
}

interface ResyncResult {
  readonly count: number;
  readonly seconds: number;
  readonly listMs: number;
  readonly reconciles: number;
  readonly rssBefore: number;
  readonly heapBefore: number;
  readonly rssPeak: number;
  readonly heapPeak: number;
  readonly steadyRss: number;
  readonly steadyHeap: number;
  readonly steadyCpuPercent: number;
  readonly cache?: { readonly cached: number; readonly uncached: number };
}

async function resync(kubeConfig: KubeConfig, kubeconfigPath: string, custom: CustomObjectsApi): Promise<void> {
  const namespaces = Array.from({ length: NAMESPACES }, (_, i) => (NAMESPACES === 1 ? 'bench-resync' : `bench-resync-${String(i)}`));
  await createPromoted(kubeConfig, custom, namespaces);
  const count = Math.ceil(MIGRATION_COUNT / NAMESPACES) * NAMESPACES;
  // BENCH_RESYNC_COMPARE=<dir>/dist/operator.js: that build's fresh operator too, alternating, on the same set-up.
  const compare = process.env.BENCH_RESYNC_COMPARE;
  const builds = compare === undefined || compare === '' ? [OPERATOR_BUILD, OPERATOR_BUILD] : [OPERATOR_BUILD, compare, OPERATOR_BUILD, compare];
  for (const [index, build] of builds.entries()) {
    const child = resolve(import.meta.dirname, 'operator-resync.js');
    const env = { ...process.env, BENCH_OPERATOR: build === 'operator/dist' ? '' : build };
    // BENCH_RESYNC_CPU_PROF=<dir>: a V8 CPU profile of each child (the operator's resync and steady state).
    const profile = process.env.BENCH_RESYNC_CPU_PROF;
    const profiling = profile === undefined || profile === '' ? [] : ['--cpu-prof', '--cpu-prof-dir', profile, '--cpu-prof-name', `resync-${String(index + 1)}-${String(process.pid)}.cpuprofile`];
    const load = loadavg()[0]?.toFixed(1) ?? '?';
    const versionsBefore = await versions(custom, namespaces);
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', ...profiling, child, '--kubeconfig', kubeconfigPath, '--namespace', NAMESPACES === 1 ? 'bench-resync' : '*', '--count', String(count), '--steady', String(STEADY_SECONDS)], { env, maxBuffer: 1 << 20 });
    const written = changedCount(versionsBefore, await versions(custom, namespaces));
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ResyncResult;
    const perThousand = 1000 / result.count;
    console.log(`resync ${String(result.count)} (run ${String(index + 1)}, ${build}, fresh child process; load average ${load} before, ${loadavg()[0]?.toFixed(1) ?? '?'} after): ${result.seconds.toFixed(2)} s (= ${((result.seconds * 1000) / result.listMs).toFixed(1)}× one LIST of ${fmt(result.listMs)} ms); ${String(result.reconciles)} reconciles by then; ${String(written)} migrations written`);
    console.log(`  RSS ${fmt(result.rssBefore / MiB)} MiB before the operator, peak ${fmt(result.rssPeak / MiB)} MiB (+${fmt((result.rssPeak - result.rssBefore) / MiB)}); JS heap ${fmt(result.heapBefore / MiB)} MiB before, peak ${fmt(result.heapPeak / MiB)} MiB`);
    console.log(`  steady over ${String(STEADY_SECONDS)} s: RSS ${fmt(result.steadyRss / MiB)} MiB (${(result.steadyRss / MiB * perThousand).toFixed(1)} MiB per 1,000), JS heap ${fmt(result.steadyHeap / MiB)} MiB, CPU ${result.steadyCpuPercent.toFixed(2)} % of a core (${(result.steadyCpuPercent * perThousand).toFixed(3)} % per 1,000)${result.cache === undefined ? '' : `; reads from cache ${String(result.cache.cached)}, from the apiserver ${String(result.cache.uncached)}`}`);
  }
}

async function main(): Promise<void> {
  const cpu = cpus();
  console.log(`operator benchmark: ${String(cpu.length)} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}; operator build ${OPERATOR_BUILD}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const bed = await startTestbed({ components: ['kube'] });
  try {
    const kube = bed.info.kube;
    if (kube === undefined) throw new Error('the test bed started no kube-apiserver');
    console.log(`  kube-apiserver ${kube.version} + etcd ${kube.etcdVersion} on loopback, on the same cores`);
    // The operator pools its connections whatever it is given (operator/src/kube/keep-alive.ts); the
    // benchmark's own calls, the create+get baseline included, pool too unless BENCH_PLAIN_KUBECONFIG=1
    // (client-node's own: a TLS connection per call, which is also what an older operator build
    // named by BENCH_OPERATOR did).
    const kubeConfig = process.env.BENCH_PLAIN_KUBECONFIG === '1' ? new KubeConfig() : new KeepAliveKubeConfig();
    kubeConfig.loadFromFile(kube.kubeconfig);
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    await createNamespace(kubeConfig, 'nova-system');
    if (!process.argv.includes('--skip-latency')) for (const sharing of SHARING) for (const mode of CREATE_ROUTE) await applyToWeight(kubeConfig, custom, sharing, mode);
    if (!process.argv.includes('--skip-resync')) await resync(kubeConfig, kube.kubeconfig, custom);
    console.log(`  load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    await bed.stop();
  }
}

await main();
