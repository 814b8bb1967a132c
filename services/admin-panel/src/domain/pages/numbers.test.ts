import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { MoneySchema, PaymentStatsResponseSchema, ProviderRevenueSchema, PublisherStatsResponseSchema } from '@nova/contracts';
import type { StatsSample } from '../stats-history.js';
import { numbersPage } from './numbers.js';

const at = (minute: number): Date => new Date(Date.UTC(2026, 11, 3, 12, minute));

describe('the numbers page', () => {
  it('charts revenue per currency with a line per provider, exact in the table, and says which context did not answer', () => {
    const history: StatsSample[] = [
      { takenAt: at(0), totalUsers: 1n, revenue: [] },
      { takenAt: at(10), totalUsers: 2n, revenue: [{ provider: 'platega', currency: 'RUB', minorUnits: 24_900n }] },
      { takenAt: at(20), totalUsers: 3n, revenue: [{ provider: 'platega', currency: 'RUB', minorUnits: 49_800n }, { provider: 'cryptobot', currency: 'RUB', minorUnits: 24_900n }] },
      // The payments context did not answer this time: no point, rather than a drop to zero.
      { takenAt: at(30), totalUsers: 3n },
    ];
    const payments = create(PaymentStatsResponseSchema, { activeSubscriptions: 2n, revenue: [create(ProviderRevenueSchema, { provider: 'platega', paid: create(MoneySchema, { minorUnits: 49_800n, currency: 'RUB' }), payments: 2n })] });
    const text = numbersPage({}, { users: undefined, bots: undefined, payments, history, intervalMs: 600_000 }).text;
    expect(text).toContain('The users context did not answer');
    expect(text).toContain('The bots context did not answer');
    expect(text).toContain('Revenue, Platega<strong>498.00 RUB</strong>');
    expect(text).toContain('The panel samples these numbers every 10 min; 4 samples since 2026-12-03 12:00 UTC.');
    expect(text).toContain('<figcaption>Revenue so far (RUB)</figcaption>');
    expect(text).toContain('<title id="chart-revenue-so-far-rub">Revenue so far (RUB): CryptoBot 249.00 RUB, Platega 498.00 RUB</title>');
    // CryptoBot: 0 until its first payment, then its sum; three points each, none for the silent sample.
    const revenueSvg = text.slice(text.indexOf('Revenue so far (RUB)</figcaption>'));
    expect([...revenueSvg.matchAll(/<polyline class="series-\d" fill="none" points="([^"]+)"/g)].map((m) => (m[1] ?? '').split(' ').length)).toEqual([3, 3]);
    expect(text).not.toMatch(/<script|style=/);
  });

  it('shows the posts and channels the publishing context counts, or says it did not answer', () => {
    const posts = create(PublisherStatsResponseSchema, { posts: 12n, postsScheduled: 3n, postsPublished: 8n, postsPublished24h: 5n, channels: 4n });
    const shown = numbersPage({}, { users: undefined, bots: undefined, payments: undefined, posts, history: [], intervalMs: 60_000 }).text;
    for (const card of ['Posts<strong>12</strong>', 'Scheduled<strong>3</strong>', 'Published<strong>8</strong>', 'Published in 24 h<strong>5</strong>', 'Channels linked<strong>4</strong>']) expect(shown).toContain(card);
    expect(numbersPage({}, { users: undefined, bots: undefined, payments: undefined, posts: undefined, history: [], intervalMs: 60_000 }).text).toContain('The publishing context did not answer');
  });

  it('says when nothing was paid yet', () => {
    const payments = create(PaymentStatsResponseSchema, { activeSubscriptions: 0n, revenue: [] });
    const text = numbersPage({}, { users: undefined, bots: undefined, payments, history: [{ takenAt: at(0), revenue: [] }], intervalMs: 3_600_000 }).text;
    expect(text).toContain('no paid invoices yet');
    expect(text).toContain('No paid invoices yet.');
    expect(text).toContain('every 1 h');
  });
});
