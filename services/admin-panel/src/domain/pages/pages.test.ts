/**
 * Every page of the panel in both languages, built from the same views: the Russian page has no
 * English words left but names, ids and codes (nothing hard-coded outside the catalogue), the
 * English one none of the Russian words; both say their language in <html lang> and link to
 * the other language, back to the same page.
 */
import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AnnouncementSchema, AnnouncementStatus, BotSchema, BotStatsResponseSchema, InvoiceSchema, InvoiceStatus, MoneySchema, PaymentProvider, PaymentStatsResponseSchema, PlanKind, PlanSchema,
  ProviderRevenueSchema, PublisherStatsResponseSchema, SubscriptionSchema, SubscriptionStatus, UserSchema, UserStatsResponseSchema,
} from '@nova/contracts';
import type { Locale } from '@nova/i18n';
import { recentActivity } from '../activity.js';
import type { AuditEntryView } from '../audit.js';
import { words } from '../texts.js';
import { auditPage } from './audit.js';
import { announcementPage, broadcastPage } from './broadcast.js';
import { problemPage } from './errors.js';
import { migrationsPage } from './migrations.js';
import { numbersPage } from './numbers.js';
import { signInPage } from './sign-in.js';
import { linkRefusedPage, signInLinkPage } from './sign-in-link.js';
import { userPage, type UserPageView } from './user.js';
import { usersPage } from './users.js';

const at = (minute: number): Date => new Date(Date.UTC(2026, 11, 4, 10, minute));
const ts = (minute: number) => timestampFromDate(at(minute));
const session = { admin: { adminId: 70_001n, name: '@boss', sid: 's', expiresAt: at(600) }, csrf: 'csrf-token' };

const user = create(UserSchema, { telegramId: 51_001n, firstName: 'Anna', username: 'anna', createdAt: ts(0), lastSeenAt: ts(50), blocked: true, blockedReason: 'spam' });
const bots = [create(BotSchema, { botId: 7n, username: 'anna_bot', createdAt: ts(2), audienceSize: 1234n }), create(BotSchema, { botId: 8n, username: 'shop_bot', createdAt: ts(3), blocked: true, blockedReason: 'scam' })];
const plans = [create(PlanSchema, { id: 'bots-30d', kind: PlanKind.BOTS, periodDays: 30, title: 'Bots' })];
const invoices = [create(InvoiceSchema, { id: 'inv-1', planId: 'bots-30d', provider: PaymentProvider.PLATEGA, amount: create(MoneySchema, { minorUnits: 29_900n, currency: 'RUB' }), status: InvoiceStatus.PAID, createdAt: ts(3), paidAt: ts(4) })];
const subscriptions = [
  create(SubscriptionSchema, { id: 'sub-1', planId: 'bots-30d', kind: PlanKind.BOTS, status: SubscriptionStatus.ACTIVE, invoiceId: 'inv-1', startsAt: ts(4), endsAt: ts(900) }),
  create(SubscriptionSchema, { id: 'sub-2', planId: 'bots-30d', kind: PlanKind.BOTS, status: SubscriptionStatus.REVOKED, grantedBy: 70_001n, adminReason: 'gift', startsAt: ts(5), endsAt: ts(6) }),
];
const audit: AuditEntryView[] = [
  { id: 1n, adminId: 70_001n, action: 'user.block', targetKind: 'user', targetId: '51001', subjectUser: 51_001n, reason: 'spam', after: {}, outcome: 'done', error: undefined, startedAt: at(30) },
  { id: 2n, adminId: 70_001n, action: 'bot.block', targetKind: 'bot', targetId: '8', subjectUser: 51_001n, reason: 'scam', after: {}, outcome: 'failed', error: 'timeout', startedAt: at(31) },
];
const announcement = (status: AnnouncementStatus) => create(AnnouncementSchema, {
  id: 3n, text: 'Maintenance tonight', adminTelegramId: 70_001n, status, createdAt: ts(0), finishedAt: ts(5),
  recipients: 50n, sent: 40n, blockedByUser: 1n, failed: 0n, remaining: 9n, ratePerSecond: 29.5,
});

/** Every page, as each locale renders it. */
function pages(locale: Locale): Record<string, string> {
  const visit = { locale, here: '/admin/users/51001' } as const;
  const frame = { ...visit, session };
  const payments = { invoices, subscriptions };
  const view: UserPageView = {
    user, bots, payments, plans, audit, activity: recentActivity(words(locale), { user, bots, posts: [], payments, audit }),
    errors: { 'user-unblock-reason': words(locale).t('reason-too-long', { max: 500 }) }, values: {},
  };
  return {
    user: userPage({ ...frame, notice: words(locale).t('notice-done', { action: 'grant' }) }, view).text,
    'user, contexts silent': userPage(frame, { ...view, payments: undefined, postsUnknown: true, activity: [], errors: { form: 'x' } }).text,
    users: usersPage(frame, 'anna', [user]).text,
    'users, none': usersPage(frame, 'zed', [], words(locale).t('search-too-long', { max: 100 })).text,
    numbers: numbersPage(frame, {
      users: create(UserStatsResponseSchema, { totalUsers: 1200n, asOf: ts(0) }), bots: create(BotStatsResponseSchema, { totalBots: 3n }),
      payments: create(PaymentStatsResponseSchema, { activeSubscriptions: 1n, revenue: [create(ProviderRevenueSchema, { provider: 'platega', paid: create(MoneySchema, { minorUnits: 29_900n, currency: 'RUB' }), payments: 1n })] }),
      posts: create(PublisherStatsResponseSchema, { posts: 2n }), history: [{ takenAt: at(0), totalUsers: 1n, totalBots: 1n, activeSubscriptions: 0n, revenue: [] }, { takenAt: at(10), totalUsers: 2n, totalBots: 1n, activeSubscriptions: 1n, revenue: [{ provider: 'platega', currency: 'RUB', minorUnits: 29_900n }] }], intervalMs: 60_000,
    }).text,
    'numbers, contexts silent': numbersPage(frame, { users: undefined, bots: undefined, payments: create(PaymentStatsResponseSchema, {}), posts: undefined, history: [], intervalMs: 1_000 }).text,
    broadcast: broadcastPage(frame, { announcements: [announcement(AnnouncementStatus.DONE)], error: words(locale).t('announcement-empty'), text: '' }).text,
    'broadcast, silent': broadcastPage(frame, { announcements: undefined }).text,
    announcement: announcementPage(frame, announcement(AnnouncementStatus.PREPARING)).text,
    audit: auditPage(frame, audit).text,
    'audit, empty': auditPage(frame, []).text,
    migrations: migrationsPage(frame, { kind: 'listed', items: [{ name: 'stage-8', namespace: 'nova', stage: '8', route: 'admin.example/admin/', phase: 'Paused', weight: 50, step: '4/5 pause', analysis: 'Pass', message: undefined }] }).text,
    'migrations, none': migrationsPage(frame, { kind: 'listed', items: [] }).text,
    'sign-in': signInPage(visit, { next: '/admin/', botUsername: undefined, problem: words(locale).t('sign-in-refused', { reason: 'stale' }) }).text,
    'sign-in link': signInLinkPage(visit, { token: 'tok', name: '@boss' }).text,
    'sign-in link refused': linkRefusedPage(visit, 'used').text,
    'not found': problemPage(frame, 404, words(locale).t('no-such-user')).text,
  };
}

/** The text a person reads: tags dropped, attributes a person reads (labels, titles) kept. */
function readable(page: string): string {
  const shown = page.replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ').replace(/<(?:pre|code)>[\s\S]*?<\/(?:pre|code)>/g, ' ');
  const attributes = [...shown.matchAll(/\s(?:aria-label|title|placeholder|alt)="([^"]*)"/g)].map((match) => match[1] ?? '');
  return `${shown.replace(/<[^>]*>/g, ' ')} ${attributes.join(' ')}`.replace(/&[a-z#0-9]+;/g, ' ');
}

/** Latin words a Russian page may hold: names, ids and codes from the data, product names, "UTC". */
const NOT_ENGLISH = new Set(['Anna', 'anna', 'anna_bot', 'shop_bot', 'bots', 'inv', 'spam', 'scam', 'gift', 'boss', 'Bots', 'Maintenance', 'tonight', 'timeout', 'zed', 'UTC', 'ID', 'Telegram', 'Nova', 'Platega', 'CryptoBot', 'RUB', 'English', 'NovaMigration', 'NOVA_ADMIN_BOT_USERNAME', 'KUBECONFIG', 'API', 'Kubernetes', 'HTTP', 'nova', 'admin', 'example', 'stage', 'Paused', 'pause', 'Pass', 'username', 'nova-admin-login', 'login', 'sub', 'user', 'block', 'bot']);

describe('every page, in both languages', () => {
  it('in Russian, has no English words left but names, ids and codes', () => {
    const leftovers = Object.entries(pages('ru')).flatMap(([name, page]) => {
      const latin = readable(page).match(/[A-Za-z][A-Za-z_-]*[A-Za-z]/g) ?? [];
      return latin.filter((word) => !NOT_ENGLISH.has(word)).map((word) => `${name}: ${word}`);
    });
    expect(leftovers).toEqual([]);
  });

  it('in English, has no Russian words', () => {
    const leftovers = Object.entries(pages('en')).flatMap(([name, page]) => (readable(page).match(/[А-Яа-яЁё]+/g) ?? []).filter((word) => word !== 'Русский').map((word) => `${name}: ${word}`));
    expect(leftovers).toEqual([]);
  });

  it('says its language in <html lang> and links to the other one, back to the same page', () => {
    for (const [locale, other, name] of [['en', 'ru', 'Русский'], ['ru', 'en', 'English']] as const) {
      for (const page of Object.values(pages(locale))) {
        expect(page).toContain(`<html lang="${locale}">`);
        expect(page).toContain(`<a href="/admin/language?to=${other}&amp;next=%2Fadmin%2Fusers%2F51001" hreflang="${other}" lang="${other}">${name}</a>`);
      }
    }
  });

  it('writes counts, money and dates as each language does', () => {
    const [en, ru] = [pages('en'), pages('ru')];
    // An id is a name, not a quantity: never grouped.
    expect(ru.user).toContain('<dd>51001</dd>');
    expect(en.user).toContain('<td>1,234</td>');
    expect(ru.user).toContain('<td>1\u00a0234</td>');
    expect(en.user).toContain('<td>RUB\u00a0299.00</td>');
    expect(ru.user).toContain('<td>299,00\u00a0₽</td>');
    expect(en.user).toContain('<dd>Dec 4, 2026, 10:00 UTC</dd>');
    expect(ru.user).toContain('<dd>4 дек. 2026 г., 10:00 UTC</dd>');
    expect(ru.user).toContain('Bots (боты, 30 дней)');
    expect(ru.user).toContain('Не больше 500 символов.');
    expect(ru.numbers).toContain('Пользователи<strong>1\u00a0200</strong>');
  });
});
