import { describe, expect, it } from '@jest/globals';
import { InMemoryKeyValueStore } from './in-memory-store.js';

describe('the in-process key-value store', () => {
  it('refuses a create of an existing key and an update from a stale revision, as NATS KV does', async () => {
    const store = new InMemoryKeyValueStore();
    const first = await store.create('k', 'a');
    expect(first).toBeDefined();
    expect(await store.create('k', 'b')).toBeUndefined();
    const second = await store.update('k', 'c', first ?? 0);
    expect(second).toBeDefined();
    expect(await store.update('k', 'd', first ?? 0)).toBeUndefined();
    expect(await store.get('k')).toEqual({ value: 'c', revision: second });
  });
});
