/**
 * The migrations page's watch against the test bed's real kube-apiserver, as the panel's own
 * identity under its chart's Role (get, list, watch): what the apiserver answers a watch from a
 * resourceVersion it no longer has is what the watch takes for "list again", and the shared watch
 * gives a page that joins late every row, then each change, and stops cleanly.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import { KubeMigrationWatch, watchEnd, type WatchEnd } from '@nova/admin-panel/wiring';
import type { MigrationChange } from '@nova/admin-panel/domain';
import { createLogger } from '@nova/platform';
import { waitFor } from '@nova/testbed';
import { Writable } from 'node:stream';
import { panelKube, type PanelKube } from './support/kube.js';

let kube: PanelKube;
let config: KubeConfig;
const logger = createLogger({ name: 'watch-test', level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });

beforeAll(async () => {
  kube = await panelKube('admin-watch');
  config = new KubeConfig();
  config.loadFromFile(kube.env.NOVA_ADMIN_KUBECONFIG ?? '');
});

afterAll(async () => {
  await kube.close();
});

async function until(what: string, probe: () => boolean, refresh: () => Promise<void> = () => Promise.resolve()): Promise<void> {
  const failure = await waitFor(async () => {
    if (probe()) return true;
    await refresh();
    return probe();
  }, { timeoutMs: 30_000, intervalMs: 20 });
  if (failure !== undefined) throw new Error(`${what}: ${failure}`);
}

describe('the NovaMigrations watch', () => {
  it('takes the apiserver\'s answer to a resourceVersion it no longer has for "list again"', async () => {
    const path = `/apis/novabot.io/v1alpha1/namespaces/${kube.namespace}/novamigrations`;
    const watchFromOne = (): Promise<WatchEnd> => new Promise<WatchEnd>((resolve) => {
      let errorEvent: { code?: unknown; reason?: unknown } | undefined;
      void new Watch(config).watch(path, { resourceVersion: '1', allowWatchBookmarks: true, timeoutSeconds: 10 }, (type, object: { code?: unknown; reason?: unknown }) => {
        if (type === 'ERROR') errorEvent = object;
      }, (error: unknown) => { resolve(watchEnd(errorEvent === undefined ? error : null, errorEvent)); });
    });
    // A fresh apiserver answers 429 until its watch cache for the resource is ready (a failure the
    // watch retries after a backoff); then it says the version is gone.
    let end = await watchFromOne();
    await until('the apiserver\'s watch cache is ready', () => !(end.kind === 'failed' && end.reason === 'HTTP 429'), async () => { end = await watchFromOne(); });
    expect(end).toEqual({ kind: 'relist' });
  });

  it('gives a late subscriber every row, then each change, under the panel\'s Role; stops cleanly', async () => {
    await kube.create('stage-8-admin-panel');
    await kube.setStatus('stage-8-admin-panel', { phase: 'Progressing', weight: 5 });
    const watch = new KubeMigrationWatch({ kubeConfig: config, namespace: kube.namespace, logger });
    const first: MigrationChange[] = [];
    const unsubscribe = watch.subscribe((change) => { first.push(change); });
    await until('the first listing', () => first.some((change) => change.kind === 'row' && change.row.weight === '5 %'));
    await kube.setStatus('stage-8-admin-panel', { weight: 25 });
    await until('the change', () => first.some((change) => change.kind === 'row' && change.row.weight === '25 %'));
    // A page that opens now gets the current rows at once, from the same watch.
    const late: MigrationChange[] = [];
    watch.subscribe((change) => { late.push(change); });
    expect(late).toEqual([{ kind: 'row', row: expect.objectContaining({ key: `${kube.namespace}/stage-8-admin-panel`, weight: '25 %', phase: 'Progressing' }) }]);
    unsubscribe();
    await watch.stop();
  });
});
