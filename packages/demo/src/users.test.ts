import { describe, expect, it } from '@jest/globals';
import { routingBucket } from '@nova/bus';
import { canaryIds, planFor } from './users.js';

describe('the whole plan\'s users', () => {
  it('put two canaries in the lowest buckets (under 5 %) of every context the plan moves on the bus, the first at bucket 0, then distinct ids', () => {
    const contexts = ['user', 'bot', 'publisher', 'payment', 'notification'];
    const ids = canaryIds(contexts, 20, 2);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    for (const [index, context] of contexts.entries()) {
      const [first, second] = [ids[index * 2] ?? 0, ids[index * 2 + 1] ?? 0];
      expect(routingBucket(context, String(first))).toBe(0);
      expect(routingBucket(context, String(second))).toBeLessThan(5);
    }
    expect(canaryIds(contexts, 4, 2)).toHaveLength(4);
  });

  it('buy the plans in turn, but never the kind of the subscription seeded for them (a renewal is owed no reminder)', () => {
    expect([0, 1, 2, 3].map((round) => planFor(round))).toEqual(['bots-30d', 'posting-30d', 'stories-30d', 'bots-30d']);
    expect([0, 1, 2, 3].map((round) => planFor(round, 'posting'))).toEqual(['bots-30d', 'stories-30d', 'stories-30d', 'bots-30d']);
    expect([0, 1, 2].map((round) => planFor(round, 'stories'))).toEqual(['bots-30d', 'posting-30d', 'bots-30d']);
  });
});
