import { describe, expect, it } from '@jest/globals';
import { flushPromises, ManualClock } from './clock.js';
import { backoffDelay, ExponentialRateLimiter } from './rate-limiter.js';
import { WorkQueue } from './workqueue.js';

function queue(clock = new ManualClock()): { q: WorkQueue; clock: ManualClock } {
  return { q: new WorkQueue({ clock }), clock };
}

describe('WorkQueue de-duplication', () => {
  it('queues a key added several times while waiting once', async () => {
    const { q } = queue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.length).toBe(0);
  });

  it('never hands a key being processed to a second worker, and requeues it once after done', async () => {
    const { q } = queue();
    q.add('a');
    const first = await q.get();
    expect(first).toBe('a');
    q.add('a');
    q.add('a');
    // A second worker waiting now must not receive 'a' while the first still holds it.
    let second: string | undefined | null = null;
    void q.get().then((key) => { second = key; });
    await flushPromises();
    expect(second).toBeNull();
    expect(q.length).toBe(0);
    q.done('a');
    await flushPromises();
    expect(second).toBe('a');
    q.done('a');
    expect(q.length).toBe(0);
    expect(q.inFlight).toBe(0);
  });

  it('hands keys to waiting workers in order', async () => {
    const { q } = queue();
    const got = [q.get(), q.get()];
    q.add('x');
    q.add('y');
    expect(await Promise.all(got)).toEqual(['x', 'y']);
  });
});

describe('WorkQueue delays and backoff', () => {
  it('addAfter delivers at the due time and keeps only the earliest due time', async () => {
    const { q, clock } = queue();
    q.addAfter('a', 100);
    q.addAfter('a', 50);
    q.addAfter('a', 500);
    await clock.advance(49);
    expect(q.length).toBe(0);
    await clock.advance(1);
    expect(q.length).toBe(1);
    await clock.advance(1_000);
    expect(q.length).toBe(1);
    expect(await q.get()).toBe('a');
  });

  it('doubles the per-key delay from 5 ms on every failure and starts over after forget', async () => {
    const { q, clock } = queue();
    const delays = [];
    for (let i = 0; i < 5; i++) {
      delays.push(q.addRateLimited('a'));
      await clock.advance(delays.at(-1) ?? 0);
      expect(await q.get()).toBe('a');
      q.done('a');
    }
    expect(delays).toEqual([5, 10, 20, 40, 80]);
    expect(q.numRequeues('a')).toBe(5);
    // Another key has its own count.
    expect(q.addRateLimited('b')).toBe(5);
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
    expect(q.addRateLimited('a')).toBe(5);
  });

  it('caps the backoff', () => {
    const limiter = new ExponentialRateLimiter({ baseMs: 5, maxMs: 300_000 });
    let last = 0;
    for (let i = 0; i < 100; i++) last = limiter.when('k');
    expect(last).toBe(300_000);
    expect(backoffDelay(10_000, 5, 1_000)).toBe(1_000);
    expect(() => new ExponentialRateLimiter({ baseMs: 0 })).toThrow(RangeError);
  });

  it('by default retries a key that failed many times in a row within 30 s (issue 21)', () => {
    const limiter = new ExponentialRateLimiter();
    const delays = Array.from({ length: 40 }, () => limiter.when('k'));
    expect(Math.max(...delays)).toBe(30_000);
    expect(delays.at(-1)).toBe(30_000);
  });

  it('a rate-limited key that is also added directly is processed once, now', async () => {
    const { q, clock } = queue();
    q.addRateLimited('a');
    q.add('a');
    expect(await q.get()).toBe('a');
    q.done('a');
    await clock.advance(5);
    // The delayed copy arrives later as a fresh request, which is client-go's behaviour too.
    expect(q.length).toBe(1);
  });
});

describe('WorkQueue shutdown', () => {
  it('drains: resolves only after queued and in-flight keys are done', async () => {
    const { q } = queue();
    q.add('a');
    q.add('b');
    const a = await q.get();
    let drained = false;
    const shutdown = q.shutDown().then(() => { drained = true; });
    q.add('c');
    expect(q.length).toBe(1);
    expect(await q.get()).toBe('b');
    q.done('b');
    await flushPromises();
    expect(drained).toBe(false);
    q.done(a ?? '');
    await shutdown;
    expect(drained).toBe(true);
    expect(await q.get()).toBeUndefined();
  });

  it('dropQueued discards waiting keys, cancels delays, and releases idle workers', async () => {
    const { q, clock } = queue();
    const idle = q.get();
    q.add('a');
    expect(await idle).toBe('a');
    q.add('b');
    q.add('a');
    q.addAfter('c', 10);
    const waiting = q.get();
    expect(await waiting).toBe('b');
    const worker = q.get();
    const shutdown = q.shutDown({ dropQueued: true });
    expect(await worker).toBeUndefined();
    q.done('b');
    q.done('a');
    await shutdown;
    await clock.advance(100);
    expect(q.length).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    expect(await q.get()).toBeUndefined();
  });
});
