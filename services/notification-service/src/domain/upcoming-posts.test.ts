/**
 * The timers on a port played in memory: the real publisher's side of it (list_due's look-ahead,
 * publish_due taking only posts whose time has come) is test/notifications/canary.test.ts's.
 * Real timers, a few hundred milliseconds ahead; each wait is on the port's state.
 */
import { describe, expect, it } from '@jest/globals';
import { waitFor } from '@nova/testbed';
import { everyChat, type ChatOwnership } from './chat-ownership.js';
import type { DueItem, DuePostsPort } from './due-posts.js';
import { RETRY_AFTER_MS, UpcomingPosts } from './upcoming-posts.js';

/** The publisher's rows in memory: publish takes the named posts whose time has come (by `skewMs` behind this clock), once. */
function memoryPublisher(skewMs = 0): DuePostsPort & { readonly items: DueItem[]; readonly publishedAt: Map<bigint, number>; readonly calls: bigint[][] } {
  const items: DueItem[] = [];
  const publishedAt = new Map<bigint, number>();
  const calls: bigint[][] = [];
  return {
    items, publishedAt, calls,
    list: (_after, limit, before) => Promise.resolve({
      due: items.filter((item) => !publishedAt.has(item.id) && item.dueAt.getTime() <= (before ?? new Date()).getTime()).slice(0, limit),
      awaitingReport: [],
    }),
    publish: (ids) => {
      calls.push([...ids]);
      const now = Date.now() - skewMs;
      const done = ids.filter((id) => !publishedAt.has(id) && (items.find((item) => item.id === id)?.dueAt.getTime() ?? Infinity) <= now);
      for (const id of done) publishedAt.set(id, Date.now());
      return Promise.resolve(done);
    },
  };
}

async function until(what: string, probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  const failed = await waitFor(() => Promise.resolve(probe()), { timeoutMs, intervalMs: 10 });
  if (failed !== undefined) throw new Error(`waiting for ${what}: ${failed}`);
}

const clock = (): Date => new Date();

describe('UpcomingPosts', () => {
  it('hands each post due before the horizon once, at its time, and arms nothing twice or past the horizon', async () => {
    const publisher = memoryPublisher();
    const now = Date.now();
    publisher.items.push({ id: 1n, owner: 10n, dueAt: new Date(now + 300) }, { id: 2n, owner: 11n, dueAt: new Date(now + 300) }, { id: 3n, owner: 12n, dueAt: new Date(now + 600) }, { id: 4n, owner: 13n, dueAt: new Date(now + 60_000) });
    const handed: Date[] = [];
    const upcoming = new UpcomingPosts({ posts: publisher, chats: everyChat(), clock, horizonMs: 5_000, handed: (dueAt) => handed.push(dueAt) });
    expect(await upcoming.arm()).toBe(3);
    expect(await upcoming.arm()).toBe(0);
    expect(upcoming.pending).toBe(3);
    await until('three posts published', () => publisher.publishedAt.size === 3);
    for (const item of publisher.items.slice(0, 3)) expect(publisher.publishedAt.get(item.id)).toBeGreaterThanOrEqual(item.dueAt.getTime());
    // Posts due at the same time go in one call.
    expect(publisher.calls).toEqual([[1n, 2n], [3n]]);
    expect(handed).toHaveLength(3);
    expect(upcoming.pending).toBe(0);
    upcoming.disarm();
  });

  it('hands only its side\'s posts, reading the side again when a timer fires', async () => {
    const publisher = memoryPublisher();
    const now = Date.now();
    publisher.items.push({ id: 1n, owner: 10n, dueAt: new Date(now + 300) }, { id: 2n, owner: 11n, dueAt: new Date(now + 300) }, { id: 3n, owner: 12n, dueAt: new Date(now + 300) });
    let mine = new Set([10n, 11n]);
    const chats: ChatOwnership = { snapshot: () => ({ none: mine.size === 0, owns: (owner) => mine.has(owner), side: 'every', weight: undefined }) };
    const upcoming = new UpcomingPosts({ posts: publisher, chats, clock, horizonMs: 5_000 });
    expect(await upcoming.arm()).toBe(2);
    mine = new Set([10n]); // the weight moved: 11's chat is the other side's now
    await until('post 1 published', () => publisher.publishedAt.has(1n));
    await upcoming.idle();
    expect([...publisher.publishedAt.keys()]).toEqual([1n]);
    expect(publisher.calls).toEqual([[1n]]);
  });

  it('tries a post again when the publisher\'s clock is a little behind, and leaves it to the tick after a few tries', async () => {
    const behind = memoryPublisher(400);
    behind.items.push({ id: 1n, owner: 10n, dueAt: new Date(Date.now() + 200) });
    const upcoming = new UpcomingPosts({ posts: behind, chats: everyChat(), clock, horizonMs: 5_000 });
    await upcoming.arm();
    await until('post 1 published', () => behind.publishedAt.has(1n));
    expect(behind.calls).toEqual([[1n], [1n]]);

    const stopped = memoryPublisher(60_000);
    stopped.items.push({ id: 2n, owner: 10n, dueAt: new Date(Date.now() + 100) });
    const giving = new UpcomingPosts({ posts: stopped, chats: everyChat(), clock, horizonMs: 5_000 });
    await giving.arm();
    await until('four tries', () => stopped.calls.length === 4, 4 * RETRY_AFTER_MS + 2_000);
    await giving.idle();
    expect(giving.pending).toBe(0);
  });

  it('disarms: no timer fires after, and a hand-off answered after it arms no retry', async () => {
    const publisher = memoryPublisher();
    publisher.items.push({ id: 1n, owner: 10n, dueAt: new Date(Date.now() + 200) });
    const upcoming = new UpcomingPosts({ posts: publisher, chats: everyChat(), clock, horizonMs: 5_000 });
    await upcoming.arm();
    upcoming.disarm();
    expect(upcoming.pending).toBe(0);
    // A second scheduler's post due after the first: once it is handed, the first one's time is past.
    const later = memoryPublisher();
    later.items.push({ id: 2n, owner: 10n, dueAt: new Date(Date.now() + 400) });
    await new UpcomingPosts({ posts: later, chats: everyChat(), clock, horizonMs: 5_000 }).arm();
    await until('the later post handed', () => later.publishedAt.has(2n));
    expect(publisher.calls).toEqual([]);
  });
});
