import { describe, expect, it } from '@jest/globals';
import { RoutingTable, stampedSide } from './routing-table.js';

const chats = Array.from({ length: 1_000 }, (_, index) => String(7_000_000 + index * 13));

describe('RoutingTable', () => {
  it('sends everything to legacy until a weight is written, and everything to the target at 100', () => {
    const table = new RoutingTable();
    expect(chats.every((chat) => table.side('user', chat) === 'legacy')).toBe(true);
    table.set('user', 100, 3);
    expect(chats.every((chat) => table.side('user', chat) === 'target')).toBe(true);
    expect(table.side('bot', '1')).toBe('legacy');
  });

  it('moves chats only legacy → target as the weight grows, and back as it falls', () => {
    const table = new RoutingTable();
    let previous = new Set<string>();
    for (const [revision, weight] of [10, 30, 60, 90].entries()) {
      table.set('user', weight, revision + 1);
      const onTarget = new Set(chats.filter((chat) => table.side('user', chat) === 'target'));
      expect([...previous].every((chat) => onTarget.has(chat))).toBe(true);
      previous = onTarget;
    }
    table.set('user', 0, 10);
    expect(chats.some((chat) => table.side('user', chat) === 'target')).toBe(false);
  });

  it('keeps the newest revision: an older entry arriving late changes nothing', () => {
    const table = new RoutingTable();
    expect(table.set('user', 60, 5)).toBe(true);
    expect(table.set('user', 30, 4)).toBe(false);
    expect(table.set('user', 30, 5)).toBe(false);
    expect(table.get('user')).toEqual({ weight: 60, revision: 5 });
  });

  it('routes updates by the weight of the context that handles them (bot by default)', () => {
    const table = new RoutingTable();
    table.set('bot', 100, 1);
    expect(table.side('telegram', '42')).toBe('target');
    expect(new RoutingTable({ updatesContext: 'user' }).side('telegram', '42')).toBe('legacy');
    expect(table.side('no-such-scope', '42')).toBe('legacy');
  });

  it('draws keyless messages at the weight, since there is no chat to keep on one side', () => {
    const draws = [0.05, 0.29, 0.3, 0.95];
    const table = new RoutingTable({ random: () => draws.shift() ?? 0 });
    table.set('user', 30, 1);
    expect([1, 2, 3, 4].map(() => table.side('user', undefined))).toEqual(['target', 'target', 'legacy', 'legacy']);
  });

  it('stamps every context\'s side on an event, and a consumer follows the stamp, not the weight now', () => {
    const table = new RoutingTable();
    table.set('user', 100, 1);
    const stamp = table.eventRoute('42');
    expect(stamp).toBe('user=target,bot=legacy,publisher=legacy,payment=legacy,notification=legacy');
    table.set('user', 0, 2); // rolled back after the event was stored
    expect(table.accepts('user', stamp, '42', 'target')).toBe(true);
    expect(table.accepts('user', stamp, '42', 'legacy')).toBe(false);
    expect(table.accepts('bot', stamp, '42', 'legacy')).toBe(true);
    // No stamp (a publisher that does not route): the weight now decides.
    expect(table.accepts('user', undefined, '42', 'legacy')).toBe(true);
  });

  it('reads a stamp strictly', () => {
    expect(stampedSide('user=target', 'user')).toBe('target');
    expect(stampedSide('user=target', 'bot')).toBe('legacy');
    expect(stampedSide('user=sideways', 'user')).toBeUndefined();
    expect(stampedSide('', 'user')).toBeUndefined();
  });
});
