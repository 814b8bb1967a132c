/**
 * The write recorder on the real apiserver, in the situation that made the operator's restart test
 * flaky: a quiet resource whose watch cache lags etcd's newest revision because something else was
 * written after it. Each test uses its own CRD, so no other test file can write to it meanwhile.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, Watch, type KubeConfig } from '@kubernetes/client-node';
import { dig } from '../../../operator/src/providers/json.js';
import { adminKubeConfig, createNamespace, deleteCrd, deleteNamespace, eventually, installCrd, suffix, widgetCrd, type TestCrd } from './kube.js';
import { WriteRecorder, WriteRecordingError, type ObjectRef, type RecorderOptions } from './record-writes.js';

let admin: KubeConfig;
let custom: CustomObjectsApi;
let namespace: string;
const crds: TestCrd[] = [];
const recorders: WriteRecorder[] = [];

beforeAll(async () => {
  admin = adminKubeConfig();
  custom = admin.makeApiClient(CustomObjectsApi);
  namespace = await createNamespace(admin, 'record');
});

afterEach(() => {
  for (const recorder of recorders.splice(0)) recorder.stop();
});

afterAll(async () => {
  await Promise.all(crds.map((crd) => deleteCrd(admin, crd)));
  await deleteNamespace(admin, namespace);
});

/** A widget of a CRD of its own, then a write elsewhere: the widgets' watch cache is now behind etcd. */
async function quietWidget(): Promise<ObjectRef> {
  const crd = widgetCrd();
  crds.push(crd);
  await installCrd(admin, crd);
  const ref = { group: crd.group, version: crd.version, plural: crd.plural, namespace, name: 'w' };
  const body = { apiVersion: `${crd.group}/${crd.version}`, kind: crd.kind, metadata: { name: 'w', namespace }, spec: { n: 0 } };
  await custom.createNamespacedCustomObject({ ...ref, body });
  await admin.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace, body: { metadata: { name: `elsewhere-${suffix()}` } } });
  return ref;
}

async function setN(ref: ObjectRef, n: number): Promise<void> {
  await custom.patchNamespacedCustomObject({ ...ref, body: { spec: { n } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

async function record(ref: ObjectRef, options?: RecorderOptions): Promise<WriteRecorder> {
  const recorder = await WriteRecorder.start(admin, ref, options);
  recorders.push(recorder);
  return recorder;
}

const values = (recorder: WriteRecorder): unknown[] => recorder.writes().map((write) => dig(write.object, 'spec', 'n'));

describe('recording the writes to one object', () => {
  it('the cause: a watch without resourceVersion on such a resource gets one ERROR (504, too large resource version) and ends', async () => {
    // kube-apiserver 1.37 + the test bed's etcd 3.4.23; a newer etcd lets the apiserver catch up, and this test would tell.
    const ref = await quietWidget();
    const events: { type: string; body: unknown }[] = [];
    const ended = new Promise<unknown>((resolve) => {
      void new Watch(admin).watch(`/apis/${ref.group}/${ref.version}/namespaces/${namespace}/${ref.plural}`, { fieldSelector: 'metadata.name=w' },
        (type: string, body: unknown) => { events.push({ type, body }); }, resolve);
    });
    expect(await ended).toBeNull(); // a clean end: a caller ignoring events of type ERROR sees nothing at all
    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe('ERROR');
    expect(events[0]?.body).toMatchObject({ code: 504, details: { causes: [{ reason: 'ResourceVersionTooLarge' }] } });
  });

  it('on that same resource, sees every write after start() in order, and the state before it', async () => {
    const ref = await quietWidget();
    const recorder = await record(ref);
    expect(dig(recorder.initial, 'spec', 'n')).toBe(0);
    for (const n of [1, 2, 3]) await setN(ref, n);
    await eventually('three writes recorded', () => recorder.writes().length === 3, 10_000);
    expect(values(recorder)).toEqual([1, 2, 3]);
    expect(recorder.writes().map((write) => write.type)).toEqual(['MODIFIED', 'MODIFIED', 'MODIFIED']);
  });

  it('re-opens each ended stream from the last version it saw, losing no write in between', async () => {
    const ref = await quietWidget();
    const recorder = await record(ref, { streamTimeoutSeconds: 1 });
    const written = Array.from({ length: 12 }, (_, index) => index + 1);
    for (const n of written) {
      await setN(ref, n);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await eventually('every write recorded', () => recorder.writes().length >= written.length, 10_000);
    expect(values(recorder)).toEqual(written);
    expect(recorder.streams).toBeGreaterThan(1); // the writes spanned several streams
  });

  it('fails loudly: a missing object is refused, and a record that may be incomplete throws instead of answering', async () => {
    const ref = await quietWidget();
    await expect(WriteRecorder.start(admin, { ...ref, name: 'absent' })).rejects.toThrow(WriteRecordingError);
    const recorder = await record(ref, { onWrite: () => { throw new Error('handler broke'); } });
    await setN(ref, 1);
    await eventually('the failure is kept', () => {
      try {
        recorder.check();
        return false;
      } catch (error) {
        return error instanceof WriteRecordingError && error.message.includes('handler broke');
      }
    }, 10_000);
    expect(() => recorder.writes()).toThrow(WriteRecordingError);
  });
});
