import { describe, expect, it } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { CachedReader, type CacheSource } from './cached-reader.js';

/** An informer's cache and its events, driven by the test: `deliver` is a watch event arriving. */
class FakeInformer implements CacheSource<KubernetesObject> {
  private readonly objects = new Map<string, KubernetesObject>();
  private readonly handlers: Record<'add' | 'update' | 'delete', ((object: KubernetesObject) => void)[]> = { add: [], update: [], delete: [] };
  synced = true;

  get(namespace: string | undefined, name: string): KubernetesObject | undefined {
    return this.objects.get(`${namespace ?? ''}/${name}`);
  }

  on(event: 'add' | 'update' | 'delete', handler: (object: KubernetesObject) => void): void {
    this.handlers[event].push(handler);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  deliver(resourceVersion: string): void {
    const object = version(resourceVersion);
    const known = this.objects.has('ns/vs');
    this.objects.set('ns/vs', object);
    for (const handler of this.handlers[known ? 'update' : 'add']) handler(object);
  }
}

function version(resourceVersion: string): KubernetesObject {
  return { metadata: { namespace: 'ns', name: 'vs', resourceVersion } };
}

function deferred(): { promise: Promise<KubernetesObject>; answer: (resourceVersion: string) => void } {
  let answer: (resourceVersion: string) => void = () => undefined;
  const promise = new Promise<KubernetesObject>((resolve) => {
    answer = (resourceVersion) => { resolve(version(resourceVersion)); };
  });
  return { promise, answer };
}

const rv = (object: KubernetesObject): string | undefined => object.metadata?.resourceVersion;

describe('CachedReader: the cache, never older than our own last write', () => {
  it('answers from a synced cache when this process wrote nothing', () => {
    const informer = new FakeInformer();
    informer.deliver('1');
    const reader = new CachedReader(informer);
    expect(rv(reader.get('ns', 'vs') ?? {})).toBe('1');
    informer.synced = false;
    expect(reader.get('ns', 'vs')).toBeUndefined();
  });

  it('sends reads to the apiserver while our write is in flight and until the informer delivers its version', async () => {
    const informer = new FakeInformer();
    informer.deliver('1');
    const reader = new CachedReader(informer);
    const write = deferred();
    const tracked = reader.track('ns', 'vs', () => write.promise, rv);
    expect(reader.get('ns', 'vs')).toBeUndefined();
    write.answer('5');
    await tracked;
    expect(reader.get('ns', 'vs')).toBeUndefined();
    // Another writer's version before ours: still behind our write.
    informer.deliver('4');
    expect(reader.get('ns', 'vs')).toBeUndefined();
    informer.deliver('5');
    expect(rv(reader.get('ns', 'vs') ?? {})).toBe('5');
  });

  it('trusts the cache at once when the write\'s own event arrived before its answer', async () => {
    const informer = new FakeInformer();
    informer.deliver('1');
    const reader = new CachedReader(informer);
    const write = deferred();
    const tracked = reader.track('ns', 'vs', () => write.promise, rv);
    informer.deliver('5');
    write.answer('5');
    await tracked;
    expect(rv(reader.get('ns', 'vs') ?? {})).toBe('5');
  });

  it('answers with the object our write returned until the informer delivers it, when given one', async () => {
    const informer = new FakeInformer();
    informer.deliver('1');
    const reader = new CachedReader(informer);
    const write = deferred();
    const tracked = reader.track('ns', 'vs', () => write.promise, rv, (stored) => stored);
    expect(reader.get('ns', 'vs')).toBeUndefined();
    write.answer('5');
    await tracked;
    expect(rv(reader.get('ns', 'vs') ?? {})).toBe('5');
    informer.deliver('5');
    informer.deliver('6');
    expect(rv(reader.get('ns', 'vs') ?? {})).toBe('6');
  });

  it('sends reads to the apiserver while two answered writes of ours are awaited (answers may come out of order)', async () => {
    const informer = new FakeInformer();
    informer.deliver('1');
    const reader = new CachedReader(informer);
    const [first, second] = [deferred(), deferred()];
    const writes = [reader.track('ns', 'vs', () => first.promise, rv, (stored) => stored), reader.track('ns', 'vs', () => second.promise, rv, (stored) => stored)];
    second.answer('6');
    first.answer('5');
    await Promise.all(writes);
    expect(reader.get('ns', 'vs')).toBeUndefined();
    informer.deliver('5');
    expect(reader.get('ns', 'vs')).toBeUndefined();
    informer.deliver('6');
    expect(rv(reader.get('ns', 'vs') ?? {})).toBe('6');
  });

  it('takes a failed write as not applied', async () => {
    const informer = new FakeInformer();
    informer.deliver('1');
    const reader = new CachedReader(informer);
    await expect(reader.track('ns', 'vs', () => Promise.reject(new Error('422 test failed')), rv)).rejects.toThrow('422');
    expect(rv(reader.get('ns', 'vs') ?? {})).toBe('1');
  });

  it('does not wait for the event of a write that changed nothing (its answer is the version already cached)', async () => {
    const informer = new FakeInformer();
    informer.deliver('5');
    const reader = new CachedReader(informer);
    // The apiserver stores nothing for a patch that changes nothing: same version, no watch event.
    await reader.track('ns', 'vs', () => Promise.resolve(version('5')), rv, (stored) => stored);
    // Another writer's change (a deletion's timestamp, say) must reach our reads.
    informer.deliver('6');
    expect(rv(reader.get('ns', 'vs') ?? {})).toBe('6');
  });

  it('catches up on a newer version when the one it waits for is never delivered as such (a relist after 410)', async () => {
    const informer = new FakeInformer();
    informer.deliver('1');
    const reader = new CachedReader(informer);
    await reader.track('ns', 'vs', () => Promise.resolve(version('5')), rv, (stored) => stored);
    expect(rv(reader.get('ns', 'vs') ?? {})).toBe('5');
    informer.deliver('9');
    expect(rv(reader.get('ns', 'vs') ?? {})).toBe('9');
  });

  it('keeps waiting when versions cannot be ordered and the one it waits for is not delivered', async () => {
    const informer = new FakeInformer();
    informer.deliver('a1');
    const reader = new CachedReader(informer);
    const tracked = reader.track('ns', 'vs', () => Promise.resolve(version('a5')), rv);
    await tracked;
    informer.deliver('a4');
    expect(reader.get('ns', 'vs')).toBeUndefined();
    informer.deliver('a5');
    expect(rv(reader.get('ns', 'vs') ?? {})).toBe('a5');
  });
});
