import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { MoneySchema, PaymentStatsResponseSchema, ProviderRevenueSchema, PublisherStatsResponseSchema } from '@nova/contracts';
import type { StatsSample } from '../stats-history.js';
import { numbersPage } from './numbers.js';

const en = { locale: 'en', here: '/admin/' } as const;
const ru = { locale: 'ru', here: '/admin/' } as const;

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
    const text = numbersPage(en, { users: undefined, bots: undefined, payments, history, intervalMs: 600_000 }).text;
    expect(text).toContain('The users context did not answer');
    expect(text).toContain('The bots context did not answer');
    expect(text).toContain('Revenue, Platega<strong>RUB\u00a0498.00</strong><span class="muted">2 payments</span>');
    expect(text).toContain('The panel samples these numbers every 10 minutes; 4 samples since Dec 3, 2026, 12:00 UTC.');
    expect(text).toContain('<figcaption>Revenue so far (RUB)</figcaption>');
    expect(text).toContain('<title id="chart-revenue-rub">Revenue so far (RUB): CryptoBot RUB\u00a0249.00, Platega RUB\u00a0498.00</title>');
    // CryptoBot: 0 until its first payment, then its sum; three points each, none for the silent sample.
    const revenueSvg = text.slice(text.indexOf('Revenue so far (RUB)</figcaption>'));
    expect([...revenueSvg.matchAll(/<polyline class="series-\d" fill="none" points="([^"]+)"/g)].map((m) => (m[1] ?? '').split(' ').length)).toEqual([3, 3]);
    expect(text).not.toMatch(/<script|style=/);
  });

  it('shows the posts and channels the publishing context counts, or says it did not answer', () => {
    const posts = create(PublisherStatsResponseSchema, { posts: 12n, postsScheduled: 3n, postsPublished: 8n, postsPublished24h: 5n, channels: 4n });
    const shown = numbersPage(en, { users: undefined, bots: undefined, payments: undefined, posts, history: [], intervalMs: 60_000 }).text;
    for (const card of ['Posts<strong>12</strong>', 'Scheduled<strong>3</strong>', 'Published<strong>8</strong>', 'Published in 24 h<strong>5</strong>', 'Channels linked<strong>4</strong>']) expect(shown).toContain(card);
    expect(numbersPage(en, { users: undefined, bots: undefined, payments: undefined, posts: undefined, history: [], intervalMs: 60_000 }).text).toContain('The publishing context did not answer');
  });

  it('says when nothing was paid yet', () => {
    const payments = create(PaymentStatsResponseSchema, { activeSubscriptions: 0n, revenue: [] });
    const text = numbersPage(en, { users: undefined, bots: undefined, payments, history: [{ takenAt: at(0), revenue: [] }], intervalMs: 3_600_000 }).text;
    expect(text).toContain('no paid invoices yet');
    expect(text).toContain('No paid invoices yet.');
    expect(text).toContain('every 1 hour');
  });

  it('reads in Russian: words, plurals, money, dates and the sampling interval as Russian writes them, unique chart ids', () => {
    const payments = create(PaymentStatsResponseSchema, { activeSubscriptions: 1234n, revenue: [create(ProviderRevenueSchema, { provider: 'platega', paid: create(MoneySchema, { minorUnits: 49_800n, currency: 'RUB' }), payments: 22n })] });
    const history: StatsSample[] = [{ takenAt: at(0), totalUsers: 1n, revenue: [] }, { takenAt: at(10), totalUsers: 2n, revenue: [] }];
    const text = numbersPage(ru, { users: undefined, bots: undefined, payments, posts: undefined, history, intervalMs: 60_000 }).text;
    expect(text).toContain('<html lang="ru">');
    expect(text).toContain('<h1>Показатели платформы</h1>');
    expect(text).toContain('Контекст пользователей не ответил, его показатели сейчас недоступны.');
    expect(text).toContain('Действующие подписки<strong>1\u00a0234</strong>');
    expect(text).toContain('Выручка, Platega<strong>498,00\u00a0₽</strong><span class="muted">22 платежа</span>');
    expect(text).toContain('Интервал между замерами этих показателей — 1 минута; 2 замера с 3 дек. 2026 г., 12:00 UTC.');
    const ids = [...text.matchAll(/<title id="([^"]+)"/g)].map((match) => match[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
