import { describe, expect, it } from '@jest/globals';
import { chatHash, routingBucket } from './chat-hash.js';

describe('chatHash', () => {
  it('is FNV-1a 32 over "<context> NUL <key>" finished by fmix32 (values from an independent Python implementation)', () => {
    expect(chatHash('user', '42')).toBe(2253227688);
    expect(chatHash('bot', '42')).toBe(286362475);
    expect(chatHash('user', '-1001234567890')).toBe(199892489);
    expect(chatHash('user', 'чат')).toBe(281968594); // UTF-8 bytes, not UTF-16 code units
    expect(routingBucket('user', '42')).toBe(52);
    expect(routingBucket('bot', '42')).toBe(6);
  });

  it('spreads sequential chat ids evenly over the 100 buckets', () => {
    const counts = new Array<number>(100).fill(0);
    const n = 100_000;
    for (let chat = 1; chat <= n; chat++) {
      const bucket = routingBucket('user', String(100_000_000 + chat));
      counts[bucket] = (counts[bucket] ?? 0) + 1;
    }
    // Chi-square with 99 degrees of freedom: the 99.9th percentile is 148.2; a biased hash lands far above.
    const expected = n / 100;
    const chiSquare = counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(148.2);
  });

  it('is seeded by the context: the chats of one stage\'s canary are not the next stage\'s', () => {
    const chats = Array.from({ length: 2_000 }, (_, index) => String(5_000 + index));
    const first10 = (context: string): Set<string> => new Set(chats.filter((chat) => routingBucket(context, chat) < 10));
    const users = first10('user');
    const bots = first10('bot');
    const both = [...users].filter((chat) => bots.has(chat)).length;
    // Independent 10 % samples overlap on about 1 % of the chats (20 of 2,000); identical ones on 10 %.
    expect(both).toBeLessThan(60);
    expect(users.size).toBeGreaterThan(100);
  });
});
