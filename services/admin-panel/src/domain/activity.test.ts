import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { BotSchema, ChannelOutcomeSchema, InvoiceSchema, InvoiceStatus, PostSchema, PostStatus, SubscriptionSchema, UserSchema } from '@nova/contracts';
import { recentActivity } from './activity.js';
import type { AuditEntryView } from './audit.js';
import { words } from './texts.js';

const at = (minute: number): Date => new Date(Date.UTC(2026, 11, 4, 10, minute));
const ts = (minute: number): ReturnType<typeof timestampFromDate> => timestampFromDate(at(minute));

const user = create(UserSchema, { telegramId: 51_001n, firstName: 'Анна', createdAt: ts(0), lastSeenAt: ts(50) });
const bot = create(BotSchema, { botId: 7n, username: 'anna_bot', createdAt: ts(2) });
const posted = create(PostSchema, {
  postId: 11n, chatIds: [-1001n, -1002n], status: PostStatus.PUBLISHED, createdAt: ts(5), publishAt: ts(5), publishedAt: ts(6),
  outcomes: [create(ChannelOutcomeSchema, { chatId: -1001n, sent: true }), create(ChannelOutcomeSchema, { chatId: -1002n, sent: false, errorCode: 403 })],
});
const scheduled = create(PostSchema, { postId: 12n, chatIds: [-1001n], status: PostStatus.SCHEDULED, createdAt: ts(7), publishAt: ts(90) });
const invoice = create(InvoiceSchema, { id: 'inv-1', planId: 'posting-30d', status: InvoiceStatus.PAID, createdAt: ts(3), paidAt: ts(4) });
const subscription = create(SubscriptionSchema, { id: 'sub-1', planId: 'posting-30d', startsAt: ts(4) });
const granted = create(SubscriptionSchema, { id: 'sub-2', planId: 'bots-30d', startsAt: ts(20), grantedBy: 70_001n });
const block: AuditEntryView = { id: 1n, adminId: 70_001n, action: 'user.block', targetKind: 'user', targetId: '51001', subjectUser: 51_001n, reason: 'spam', after: {}, outcome: 'done', error: undefined, startedAt: at(30) };

describe('a user\'s recent activity', () => {
  it('merges every context\'s answer and the audit log into one timeline, newest first', () => {
    const entries = recentActivity(words('en'), { user, bots: [bot], posts: [posted, scheduled], payments: { invoices: [invoice], subscriptions: [subscription, granted] }, audit: [block] });
    expect(entries.map((entry) => [entry.at.getUTCMinutes(), entry.kind, entry.what])).toEqual([
      [50, 'seen', 'last talked to a bot of the platform'],
      [30, 'admin', 'user.block by admin 70001 (done)'],
      [20, 'subscription', 'subscription granted by hand: bots-30d'],
      [7, 'post', 'scheduled post #12 to 1 channel for Dec 4, 2026, 11:30 UTC (now scheduled)'],
      [6, 'post', 'post #11 published, 1 of 2 channels failed'],
      [5, 'post', 'wrote post #11 to 2 channels (now published)'],
      [4, 'payment', 'paid for posting-30d (invoice inv-1)'],
      [4, 'subscription', 'subscription: posting-30d'],
      [3, 'payment', 'asked to pay for posting-30d (invoice inv-1)'],
      [2, 'bot', 'connected @anna_bot'],
      [0, 'seen', 'first talked to a bot of the platform'],
    ]);
  });

  it('says the same in Russian, with Russian plurals and dates', () => {
    const entries = recentActivity(words('ru'), { user, bots: [bot], posts: [posted, scheduled], payments: { invoices: [invoice], subscriptions: [subscription, granted] }, audit: [block] });
    expect(entries.map((entry) => entry.what)).toEqual([
      'последний раз писал боту платформы',
      'user.block, администратор 70001 (выполнено)',
      'подписка выдана вручную: bots-30d',
      'запланировал пост #12 в 1 канал на 4 дек. 2026 г., 11:30 UTC (сейчас: запланирован)',
      'пост #11 опубликован, не удалось в 1 из 2 каналов',
      'написал пост #11 в 2 канала (сейчас: опубликован)',
      'оплатил тариф posting-30d (счёт inv-1)',
      'подписка: posting-30d',
      'запросил оплату тарифа posting-30d (счёт inv-1)',
      'подключил @anna_bot',
      'впервые написал боту платформы',
    ]);
  });

  it('keeps the newest entries up to the limit, and leaves out a context that did not answer', () => {
    const entries = recentActivity(words('en'), { user, bots: [bot], posts: undefined, payments: undefined, audit: [block] }, 2);
    expect(entries.map((entry) => entry.kind)).toEqual(['seen', 'admin']);
    expect(recentActivity(words('en'), { user, bots: [], posts: undefined, payments: undefined, audit: [] }).map((entry) => entry.kind)).toEqual(['seen', 'seen']);
  });
});
