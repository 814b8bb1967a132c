import { describe, expect, it } from '@jest/globals';
import { RoutingTable } from '@nova/bus';
import { everyChat, sideChats, sideOfChat } from './chat-ownership.js';
import { handDuePosts, type DueItem, type DuePostsPort } from './due-posts.js';

const OWNERS = Array.from({ length: 500 }, (_, i) => 5_000_000n + BigInt(i));

describe('the chats of each side', () => {
  it('split as the bus routes the notification context: each chat on exactly one side at every weight', () => {
    for (const weight of [0, 1, 10, 33, 50, 99, 100]) {
      const table = new RoutingTable();
      table.set('notification', weight, 1);
      const legacy = sideChats('legacy', () => weight).snapshot();
      const target = sideChats('target', () => weight).snapshot();
      for (const owner of OWNERS) {
        expect(sideOfChat(weight, owner)).toBe(table.sideIn('notification', owner.toString()));
        expect(legacy.owns(owner)).not.toBe(target.owns(owner));
      }
    }
  });

  it('say when a side has no chat at all (the target at 0, the legacy side at 100), and a process without routing has every chat', () => {
    expect(sideChats('target', () => 0).snapshot().none).toBe(true);
    expect(sideChats('legacy', () => 0).snapshot().none).toBe(false);
    expect(sideChats('legacy', () => 100).snapshot().none).toBe(true);
    expect(sideChats('target', () => 100).snapshot().none).toBe(false);
    expect(OWNERS.every((owner) => everyChat().snapshot().owns(owner))).toBe(true);
  });

  it('only move legacy → target as the weight grows', () => {
    const at = (weight: number): Set<bigint> => new Set(OWNERS.filter((owner) => sideOfChat(weight, owner) === 'target'));
    const ten = at(10);
    expect([...ten].every((owner) => at(50).has(owner))).toBe(true);
    expect(ten.size).toBeGreaterThan(20);
    expect(ten.size).toBeLessThan(80);
  });
});

/** A publisher in memory: posts due, published once, in pages by (due, id). */
function memoryPublisher(items: readonly DueItem[]): DuePostsPort & { published: bigint[]; calls: bigint[][] } {
  const done = new Set<bigint>();
  const published: bigint[] = [];
  const calls: bigint[][] = [];
  const order = [...items].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || Number(a.id - b.id));
  return {
    published,
    calls,
    list(after, limit) {
      const open = order.filter((item) => !done.has(item.id));
      const start = after === undefined ? 0 : open.findIndex((item) => item.dueAt > after.dueAt || (item.dueAt.getTime() === after.dueAt.getTime() && item.id > after.id));
      return Promise.resolve({ due: start < 0 ? [] : open.slice(start, start + limit), awaitingReport: [] });
    },
    publish(ids) {
      calls.push([...ids]);
      const now = ids.filter((id) => !done.has(id));
      for (const id of now) done.add(id);
      published.push(...now);
      return Promise.resolve(now);
    },
  };
}

describe('handing due posts', () => {
  const items = OWNERS.slice(0, 120).map((owner, i): DueItem => ({ id: BigInt(i + 1), owner, dueAt: new Date(1_000 + i) }));

  it('hands only this side\'s posts, in batches, over several pages, and reports each one\'s due time', async () => {
    const publisher = memoryPublisher(items);
    const lags: Date[] = [];
    const handed = await handDuePosts({ posts: publisher, chats: sideChats('target', () => 50), handed: (due) => lags.push(due), pageSize: 25, batchSize: 7 });
    const mine = items.filter((item) => sideOfChat(50, item.owner) === 'target');
    expect(handed).toBe(mine.length);
    expect(publisher.published.sort((a, b) => Number(a - b))).toEqual(mine.map((item) => item.id));
    expect(publisher.calls.every((call) => call.length <= 7)).toBe(true);
    expect(lags).toHaveLength(mine.length);
  });

  it('asks nothing on the side with no chat', async () => {
    const publisher = memoryPublisher(items);
    expect(await handDuePosts({ posts: publisher, chats: sideChats('target', () => 0) })).toBe(0);
    expect(publisher.calls).toEqual([]);
  });

  it('together, the two sides hand every post once at a weight', async () => {
    const publisher = memoryPublisher(items);
    await handDuePosts({ posts: publisher, chats: sideChats('legacy', () => 30), pageSize: 10 });
    await handDuePosts({ posts: publisher, chats: sideChats('target', () => 30), pageSize: 10 });
    expect(new Set(publisher.calls.flat()).size).toBe(items.length);
    expect(publisher.calls.flat()).toHaveLength(items.length);
  });

  it('while the weight changes between the two sides\' readings: a chat the change crossed is handed by both (published once) or by neither, then by the next tick', async () => {
    const crossed = items.filter((item) => sideOfChat(30, item.owner) !== sideOfChat(50, item.owner));
    expect(crossed.length).toBeGreaterThan(0);
    // The legacy side read 30, the target 50 (the change landed between them), both listing before
    // either published: the crossed chats are both sides'.
    const both = memoryPublisher(items);
    await Promise.all([handDuePosts({ posts: both, chats: sideChats('legacy', () => 30) }), handDuePosts({ posts: both, chats: sideChats('target', () => 50) })]);
    expect(both.calls.flat()).toHaveLength(items.length + crossed.length);
    expect(both.published).toHaveLength(items.length);
    expect(new Set(both.published).size).toBe(items.length);
    // The other way round (legacy read 50, target 30): the crossed chats are nobody's in this tick...
    const neither = memoryPublisher(items);
    await handDuePosts({ posts: neither, chats: sideChats('legacy', () => 50) });
    await handDuePosts({ posts: neither, chats: sideChats('target', () => 30) });
    expect(items.filter((item) => !neither.published.includes(item.id))).toEqual(crossed);
    // ...and the target's at its next tick, when both read 50: one interval late, not lost.
    await handDuePosts({ posts: neither, chats: sideChats('legacy', () => 50) });
    await handDuePosts({ posts: neither, chats: sideChats('target', () => 50) });
    expect(new Set(neither.published).size).toBe(items.length);
  });
});
