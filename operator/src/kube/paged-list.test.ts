import { describe, expect, it } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { listInPages, ListPagesError, type PageRequest } from './paged-list.js';

const object = (name: string): KubernetesObject => ({ metadata: { namespace: 'ns', name } });

/** A server with `count` objects, answering `limit` at a time as the apiserver does (token = next index). */
function server(count: number, continueKey: 'continue' | '_continue' = 'continue'): { request: PageRequest<KubernetesObject>; asked: { limit: number; _continue?: string }[] } {
  const asked: { limit: number; _continue?: string }[] = [];
  const request: PageRequest<KubernetesObject> = (page) => {
    asked.push(page);
    const from = page._continue === undefined ? 0 : Number(page._continue);
    const to = Math.min(count, from + page.limit);
    const items = Array.from({ length: to - from }, (_, i) => object(`m${String(from + i)}`));
    // The snapshot's version on every page, as the apiserver answers a continue chain.
    const metadata = to < count ? { resourceVersion: '42', [continueKey]: String(to) } : { resourceVersion: '42' };
    return Promise.resolve({ items, metadata });
  };
  return { request, asked };
}

describe('listInPages', () => {
  it('joins every page, in order, with the snapshot version, asking each next page by its token', async () => {
    const { request, asked } = server(1_201);
    const list = await listInPages('migrations', request, 500);
    expect(list.items.map((item) => item.metadata?.name)).toEqual(Array.from({ length: 1_201 }, (_, i) => `m${String(i)}`));
    expect(list.metadata.resourceVersion).toBe('42');
    expect(asked).toEqual([{ limit: 500 }, { limit: 500, _continue: '500' }, { limit: 500, _continue: '1000' }]);
  });

  it("reads client-node's typed `_continue` as well as the JSON `continue`", async () => {
    const { request, asked } = server(3, '_continue');
    expect((await listInPages('migrations', request, 2)).items).toHaveLength(3);
    expect(asked).toHaveLength(2);
  });

  it('answers an empty list in one request, and an exact multiple of the page without an extra one', async () => {
    expect(await listInPages('migrations', server(0).request, 500)).toEqual({ items: [], metadata: { resourceVersion: '42' } });
    const { request, asked } = server(1_000);
    expect((await listInPages('migrations', request, 500)).items).toHaveLength(1_000);
    expect(asked).toHaveLength(2);
  });

  it('gives up, naming what it listed, when the server never stops handing out tokens', async () => {
    const endless: PageRequest<KubernetesObject> = () => Promise.resolve({ items: [object('m')], metadata: { resourceVersion: '1', continue: 'again' } });
    await expect(listInPages('virtualservices', endless, 500, 5)).rejects.toThrow(new ListPagesError('virtualservices', 5));
  });

  it('passes a failed page on (an expired token, 410): the informer lists again from the start', async () => {
    const gone = Object.assign(new Error('the continue token expired'), { code: 410 });
    let calls = 0;
    const failing: PageRequest<KubernetesObject> = () => (++calls === 2 ? Promise.reject(gone) : Promise.resolve({ items: [object('m')], metadata: { continue: 'next' } }));
    await expect(listInPages('migrations', failing, 1)).rejects.toBe(gone);
  });
});
