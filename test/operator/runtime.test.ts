/**
 * The controller runtime against a real kube-apiserver: informers that survive errors and silent
 * connections, status and finalizer writes that never clobber, events with series, and a whole
 * operator process (metrics, health, readiness, leader-only reconciles, graceful shutdown).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@nova/testbed';
import { CoreV1Api, CustomObjectsApi, EventsV1Api, PatchStrategy, setHeaderOptions, V1ConfigMap, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { findCondition, setCondition, type Condition } from '../../operator/src/kube/conditions.js';
import { EventRecorder } from '../../operator/src/kube/events.js';
import { Finalizers, hasFinalizer } from '../../operator/src/kube/finalizers.js';
import { ResilientInformer, type InformerRestart } from '../../operator/src/kube/informer.js';
import { KeepAliveKubeConfig } from '../../operator/src/kube/keep-alive.js';
import { collectionPath, type ResourceType } from '../../operator/src/kube/resource.js';
import { StaleObjectError, StatusWriter } from '../../operator/src/kube/status-writer.js';
import { PartitionableRelay } from './support/partition.js';
import { adminKubeConfig, createNamespace, deleteCrd, deleteNamespace, eventually, installCrd, widgetCrd, type TestCrd } from './support/kube.js';

let admin: KubeConfig;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let namespace: string;
const informers: ResilientInformer<KubernetesObject>[] = [];

beforeAll(async () => {
  admin = adminKubeConfig();
  core = admin.makeApiClient(CoreV1Api);
  custom = admin.makeApiClient(CustomObjectsApi);
  namespace = await createNamespace(admin, 'runtime');
});

afterAll(async () => {
  await Promise.all(informers.map((informer) => informer.stop()));
  await deleteNamespace(admin, namespace);
});

async function createConfigMap(name: string, data: Record<string, string> = {}): Promise<void> {
  const body = new V1ConfigMap();
  body.metadata = { name, namespace };
  body.data = data;
  await core.createNamespacedConfigMap({ namespace, body });
}

function configMapInformer(options: { watchdogMs?: number } = {}): ResilientInformer<V1ConfigMap> {
  const informer = new ResilientInformer<V1ConfigMap>({
    kubeConfig: admin,
    name: 'configmaps',
    path: `/api/v1/namespaces/${namespace}/configmaps`,
    list: () => core.listNamespacedConfigMap({ namespace }),
    watchdogMs: options.watchdogMs ?? 0,
  });
  informers.push(informer);
  return informer;
}

function widgetType(crd: TestCrd): ResourceType {
  return { group: crd.group, version: crd.version, plural: crd.plural, kind: crd.kind };
}

async function createWidget(crd: TestCrd, name: string, spec: Record<string, unknown> = {}): Promise<KubernetesObject> {
  const body = { apiVersion: `${crd.group}/${crd.version}`, kind: crd.kind, metadata: { name, namespace }, spec };
  return (await custom.createNamespacedCustomObject({ group: crd.group, version: crd.version, plural: crd.plural, namespace, body })) as KubernetesObject;
}

async function readWidget(crd: TestCrd, name: string): Promise<KubernetesObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> }> {
  return (await custom.getNamespacedCustomObject({ group: crd.group, version: crd.version, plural: crd.plural, namespace, name })) as KubernetesObject;
}

describe('ResilientInformer', () => {
  it('lists before it reports synced, then follows adds, updates and deletes in its cache', async () => {
    await createConfigMap('before', { v: '1' });
    const informer = configMapInformer();
    const seen: string[] = [];
    informer.on('add', (cm) => seen.push(`add ${cm.metadata?.name ?? ''}`));
    informer.on('delete', (cm) => seen.push(`delete ${cm.metadata?.name ?? ''}`));
    expect(informer.hasSynced()).toBe(false);
    await informer.start();
    expect(informer.hasSynced()).toBe(true);
    expect(informer.get(namespace, 'before')?.data).toEqual({ v: '1' });

    await createConfigMap('after', { v: '2' });
    await eventually('new ConfigMap in the cache', () => informer.get(namespace, 'after') !== undefined);
    await core.patchNamespacedConfigMap(
      { namespace, name: 'after', body: { data: { v: '3' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually('update in the cache', () => informer.get(namespace, 'after')?.data?.v === '3');
    await core.deleteNamespacedConfigMap({ namespace, name: 'before' });
    await eventually('delete in the cache', () => informer.get(namespace, 'before') === undefined);
    expect(seen).toEqual(expect.arrayContaining(['add before', 'add after', 'delete before']));
    await informer.stop();
  });

  it('restarts with growing backoff after errors (its resource vanished) and converges when it is back', async () => {
    const crd = widgetCrd();
    await installCrd(admin, crd);
    const type = widgetType(crd);
    await createWidget(crd, 'old');
    const informer = new ResilientInformer<KubernetesObject>({
      kubeConfig: admin,
      name: 'widgets',
      path: collectionPath(type, namespace),
      list: async () => (await custom.listNamespacedCustomObject({ ...type, namespace })) as { items: KubernetesObject[] },
      restartBaseMs: 100,
      restartMaxMs: 800,
      watchdogMs: 0,
    });
    informers.push(informer);
    const restarts: InformerRestart[] = [];
    informer.onRestart((restart) => restarts.push(restart));
    await informer.start();
    expect(informer.list(namespace).map((w) => w.metadata?.name)).toEqual(['old']);

    // Deleting the CRD ends the watch; every reconnect now fails with 404 and client-node's
    // informer would stay stopped for good.
    await deleteCrd(admin, crd);
    await eventually('three failed restarts', () => restarts.filter((r) => r.reason === 'error').length >= 3);
    const delays = restarts.filter((r) => r.reason === 'error').map((r) => r.delayMs);
    expect(delays.slice(0, 3)).toEqual([100, 200, 400]);
    expect(informer.isRunning()).toBe(true);

    await installCrd(admin, crd);
    await createWidget(crd, 'new');
    await eventually('the cache converges on the recreated resource', () => {
      const names = informer.list(namespace).map((w) => w.metadata?.name);
      return names.length === 1 && names[0] === 'new';
    }, 60_000);
    expect(informer.stats.restarts).toBeGreaterThanOrEqual(3);
    await informer.stop();
    await deleteCrd(admin, crd);
  });

  it('recycles a silent watch through its watchdog and keeps following changes', async () => {
    const informer = configMapInformer({ watchdogMs: 1_000 });
    const restarts: InformerRestart[] = [];
    informer.onRestart((restart) => restarts.push(restart));
    await informer.start();
    await eventually('the watchdog recycled the silent watch', () => informer.stats.watchdogRecycles >= 1);
    expect(restarts.every((r) => r.reason === 'watchdog')).toBe(true);
    // The recycled watch resumes from its resourceVersion: changes made now still arrive.
    await createConfigMap('after-watchdog', { v: 'x' });
    await eventually('a change after the recycle reaches the cache', () => informer.get(namespace, 'after-watchdog') !== undefined);
    expect(informer.stats.errors).toBe(0);
    expect(informer.stats.watchRequests).toBeGreaterThanOrEqual(2);
    await informer.stop();
  });

  it('stopped the moment it reports synced, while its watch is still connecting, leaves no watch open', async () => {
    // start() resolves as the watch request goes out (the operator's manager starts campaigning
    // then), so a SIGTERM soon after start lands while the watch connects. ListWatch's stop()
    // aborts only a request it already holds; a watch that connected afterwards stayed open until
    // the apiserver ended it, holding the pooled connection and the process (a CI run saw the
    // operator image still running 20 s after SIGTERM). Counted at a relay in front of the apiserver.
    const relay = await PartitionableRelay.inFrontOf(admin);
    try {
      const pooled = relay.kubeConfigVia(admin, () => new KeepAliveKubeConfig());
      const api = pooled.makeApiClient(CoreV1Api);
      const informer = new ResilientInformer<V1ConfigMap>({
        kubeConfig: pooled,
        name: 'configmaps-stopped-connecting',
        path: `/api/v1/namespaces/${namespace}/configmaps`,
        list: () => api.listNamespacedConfigMap({ namespace }),
        watchdogMs: 0,
      });
      informers.push(informer);
      await informer.start();
      expect(informer.stats.watchRequests).toBe(1);
      await informer.stop();
      // Nothing closes the pool here: an aborted watch takes its connection with it, and an idle
      // one closes after undici's keep-alive timeout (4 s), while a live watch holds it for minutes
      // (the apiserver ends a watch after its request timeout). Closing the pool now would not
      // tell them apart: it also fails a request that has not connected yet.
      expect(await waitFor(() => Promise.resolve(relay.openClientConnections() === 0), { timeoutMs: 15_000, intervalMs: 100 })).toBeUndefined();
      await pooled.closeConnections();
    } finally {
      await relay.close();
    }
  });
});

describe('status, finalizers and events', () => {
  let crd: TestCrd;
  let type: ResourceType;

  beforeAll(async () => {
    crd = widgetCrd();
    type = widgetType(crd);
    await installCrd(admin, crd);
  });

  afterAll(async () => {
    await deleteCrd(admin, crd);
  });

  it('writes status through /status with observedGeneration and conditions, and refuses a stale write', async () => {
    const created = await createWidget(crd, 'status', { size: 1 });
    const writer = new StatusWriter(admin, type);
    const t0 = Date.parse('2025-03-01T12:00:00Z');
    let conditions: Condition[] = setCondition([], { type: 'Ready', status: 'False', reason: 'Starting', message: 'step 0', observedGeneration: 1 }, t0);
    const first = await writer.write(created, { phase: 'Progressing', conditions });
    const stored = await readWidget(crd, 'status');
    expect(stored.status).toEqual({ observedGeneration: 1, phase: 'Progressing', conditions });
    expect(stored.spec).toEqual({ size: 1 });

    // Same status again later: lastTransitionTime stays; a status change moves it.
    conditions = setCondition(conditions, { type: 'Ready', status: 'False', reason: 'Waiting', message: 'step 1', observedGeneration: 1 }, t0 + 60_000);
    conditions = setCondition(conditions, { type: 'Progressing', status: 'True', reason: 'StepRunning', message: '', observedGeneration: 1 }, t0 + 60_000);
    const second = await writer.write(first, { conditions });
    const ready = findCondition((second as { status?: { conditions?: Condition[] } }).status?.conditions, 'Ready');
    expect(ready?.lastTransitionTime).toBe('2025-03-01T12:00:00Z');
    expect(ready?.reason).toBe('Waiting');

    // A status computed from the first read must not overwrite the second.
    await expect(writer.write(first, { phase: 'Failed' })).rejects.toBeInstanceOf(StaleObjectError);
    expect((await readWidget(crd, 'status')).status?.phase).toBe('Progressing');
  });

  it('adds and removes a finalizer without ever dropping another controller\'s', async () => {
    const created = await createWidget(crd, 'finalizers');
    const finalizers = new Finalizers(admin, type);
    const ours = 'novabot.io/restore-route';
    const theirs = 'example.com/other';
    const withOurs = await finalizers.add(created, ours);
    expect(withOurs.metadata?.finalizers).toEqual([ours]);
    // Someone else adds theirs; our view is now stale and a blind write would lose it.
    await custom.patchNamespacedCustomObject(
      { ...type, namespace, name: 'finalizers', body: [{ op: 'add', path: '/metadata/finalizers/-', value: theirs }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    await expect(finalizers.remove(withOurs, ours)).rejects.toBeInstanceOf(StaleObjectError);
    const fresh = await readWidget(crd, 'finalizers');
    expect(fresh.metadata?.finalizers).toEqual([ours, theirs]);
    const removed = await finalizers.remove(fresh, ours);
    expect(removed.metadata?.finalizers).toEqual([theirs]);
    expect(hasFinalizer(removed, ours)).toBe(false);
    expect(await finalizers.add(removed, theirs)).toBe(removed);
    await custom.patchNamespacedCustomObject(
      { ...type, namespace, name: 'finalizers', body: { metadata: { finalizers: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  });

  it('records events on the object, folding repeats into a series', async () => {
    const widget = await createWidget(crd, 'events');
    const recorder = new EventRecorder({ kubeConfig: admin, reportingController: 'novabot.io/nova-operator', reportingInstance: 'test-1' });
    const name = await recorder.record(widget, { type: 'Normal', reason: 'WeightChanged', action: 'SetWeight', note: 'weight 0 -> 10' });
    const again = await recorder.record(widget, { type: 'Normal', reason: 'WeightChanged', action: 'SetWeight', note: 'weight 0 -> 10' });
    const other = await recorder.record(widget, { type: 'Warning', reason: 'AnalysisFailed', action: 'Analyze', note: 'error rate 2x legacy' });
    expect(name).toBeDefined();
    expect(again).toBe(name);
    expect(other).not.toBe(name);
    const events = await admin.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace, fieldSelector: `regarding.name=events` });
    const byReason = new Map(events.items.map((event) => [event.reason, event]));
    expect(events.items).toHaveLength(2);
    expect(byReason.get('WeightChanged')?.series?.count).toBe(2);
    expect(byReason.get('WeightChanged')?.regarding?.uid).toBe(widget.metadata?.uid);
    expect(byReason.get('AnalysisFailed')?.type).toBe('Warning');
    expect(byReason.get('AnalysisFailed')?.reportingController).toBe('novabot.io/nova-operator');
  });
});
