import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { BotStatsResponseSchema, MoneySchema, PaymentStatsResponseSchema, ProviderRevenueSchema, UserStatsResponseSchema } from '@nova/contracts';
import { createLogger } from '@nova/platform';
import { Writable } from 'node:stream';
import { slotOf, StatsSampler, type StatsHistory, type StatsSample } from './stats-history.js';

const logger = createLogger({ name: 'stats-test', level: 'silent', destination: new Writable({ write(_chunk, _encoding, done) { done(); } }) });

/** The table's rule in memory: one sample per slot, the first insert wins. */
function memoryHistory(): StatsHistory & { readonly slots: Map<bigint, StatsSample> } {
  const slots = new Map<bigint, StatsSample>();
  return {
    slots,
    has: (slot) => Promise.resolve(slots.has(slot)),
    record: (slot, sample) => {
      if (slots.has(slot)) return Promise.resolve(false);
      slots.set(slot, sample);
      return Promise.resolve(true);
    },
    since: () => Promise.resolve([...slots.values()]),
  };
}

/** A bus where each context answers, or not (undefined: it does not). */
function bus(answers: { users?: number; bots?: number; revenue?: number }, asked: string[] = []) {
  return {
    request: (subject: string) => {
      asked.push(subject);
      if (subject === 'svc.user.stats' && answers.users !== undefined) return Promise.resolve(create(UserStatsResponseSchema, { totalUsers: BigInt(answers.users), activeLast24h: 2n, activeLast7d: 3n }));
      if (subject === 'svc.bot.stats' && answers.bots !== undefined) return Promise.resolve(create(BotStatsResponseSchema, { totalBots: BigInt(answers.bots), blockedBots: 1n }));
      if (subject === 'svc.payment.stats' && answers.revenue !== undefined) {
        return Promise.resolve(create(PaymentStatsResponseSchema, { activeSubscriptions: 4n, revenue: [create(ProviderRevenueSchema, { provider: 'platega', paid: create(MoneySchema, { minorUnits: BigInt(answers.revenue), currency: 'RUB' }), payments: 1n })] }));
      }
      return Promise.reject(new Error(`no answer on ${subject}`));
    },
  } as never;
}

describe('sampling the numbers for their history', () => {
  it('cuts time into slots of one interval', () => {
    expect(slotOf(new Date(3_600_000 * 5 + 59_000), 3_600_000)).toBe(5n);
    expect(slotOf(new Date(3_600_000 * 6), 3_600_000)).toBe(6n);
  });

  it('takes one sample per slot however many samplers (replicas, both sides) run, asking nothing once the slot is taken', async () => {
    const history = memoryHistory();
    const now = new Date('2026-12-03T12:00:10Z');
    const asked: string[] = [];
    const samplers = [1, 2, 3].map((n) => new StatsSampler({ bus: bus({ users: n, bots: n, revenue: 24_900 }, asked), history, intervalMs: 60_000, logger, clock: () => now }));
    expect(await samplers[0]?.sampleNow()).toBe(true);
    expect(await Promise.all(samplers.map((sampler) => sampler.sampleNow()))).toEqual([false, false, false]);
    expect(asked).toHaveLength(3);
    expect([...history.slots.values()]).toEqual([{
      takenAt: now, totalUsers: 1n, activeLast24h: 2n, activeLast7d: 3n, totalBots: 1n, blockedBots: 1n, activeSubscriptions: 4n,
      revenue: [{ provider: 'platega', currency: 'RUB', minorUnits: 24_900n }],
    }]);
  });

  it('keeps what the contexts that answered said, and leaves out one that did not', async () => {
    const history = memoryHistory();
    const sampler = new StatsSampler({ bus: bus({ users: 7 }), history, intervalMs: 60_000, logger, clock: () => new Date('2026-12-03T12:00:00Z') });
    expect(await sampler.sampleNow()).toBe(true);
    expect([...history.slots.values()][0]).toEqual({ takenAt: new Date('2026-12-03T12:00:00Z'), totalUsers: 7n, activeLast24h: 2n, activeLast7d: 3n });
  });
});
