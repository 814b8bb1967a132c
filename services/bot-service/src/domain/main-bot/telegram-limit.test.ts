/**
 * Telegram refuses a message over 4,096 characters (UTF-16 units), and a Russian text is longer
 * than its English one. The lists the main bot sends that can grow without bound (channels,
 * billing, the offer; the bot list is decide.test.ts's; /posts shows the newest 10): each reply goes through toMenu, which splits
 * between lines. Checked in Russian at the limit: a list of exactly 4,096 units is one message, one
 * unit more makes two, and a long list comes in pieces of at most 4,096 that join back into the
 * whole text, the menu under the last.
 */
import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  ChannelSchema,
  ChatKind,
  InvoiceSchema,
  InvoiceStatus,
  MoneySchema,
  PaymentProvider,
  PlanKind,
  PlanSchema,
  PostSchema,
  PostStatus,
  SubscriptionSchema,
  SubscriptionStatus,
  type Channel,
} from '@nova/contracts';
import { TELEGRAM_MESSAGE_LIMIT } from '@nova/i18n';
import type { MainBotStep, MainBotView } from './decide.js';
import { concludePayment } from './payments.js';
import { concludePublishing, publishingTexts } from './publishing.js';
import { IDLE } from './state.js';
import { menu } from './texts.js';

const russian: MainBotView = { chatId: 42n, user: { firstName: 'Анна', registeredNow: false }, locale: 'ru', state: IDLE, bots: [] };
const at = timestampFromDate(new Date('2027-01-01T09:00:00Z'));
const price = create(MoneySchema, { minorUnits: 199_000n, currency: 'RUB' });
const channelTitled = (index: number, title: string): Channel => create(ChannelSchema, { chatId: -1_001_000_000_000n - BigInt(index), title, kind: ChatKind.CHANNEL });
const cyrillicTitle = (index: number) => `Канал новостей и объявлений магазина номер ${String(index)} — всё о скидках`;
const channelsStep = (channels: readonly Channel[]): MainBotStep => concludePublishing({ kind: 'channels' }, { ok: true, kind: 'channels', channels }, russian);
const texts = (step: MainBotStep) => step.replies.map((reply) => reply.text);

/** Every piece within Telegram's limit, the pieces joined back into `whole`, the menu under the last only. */
function expectSplit(step: MainBotStep, whole: string): void {
  expect(step.replies.length).toBeGreaterThan(1);
  for (const reply of step.replies) expect(reply.text.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT);
  expect(texts(step).join('\n')).toBe(whole);
  expect(step.replies.map((reply) => reply.replyMarkup)).toEqual([...step.replies.slice(1).map(() => undefined), menu('ru')]);
}

describe('Telegram\'s 4,096-character limit, in Russian', () => {
  it('a channel list of exactly 4,096 characters is one message; one more makes two', () => {
    const channels = Array.from({ length: 40 }, (_, index) => channelTitled(index, cyrillicTitle(index)));
    const length = publishingTexts('ru').channels(channels).length;
    expect(length).toBeLessThan(TELEGRAM_MESSAGE_LIMIT);
    // Pad the last title (Cyrillic) until the whole list is exactly at the limit.
    const last = channels.length - 1;
    const exact = [...channels.slice(0, last), channelTitled(last, cyrillicTitle(last) + 'я'.repeat(TELEGRAM_MESSAGE_LIMIT - length))];
    expect(publishingTexts('ru').channels(exact).length).toBe(TELEGRAM_MESSAGE_LIMIT);
    expect(texts(channelsStep(exact))).toEqual([publishingTexts('ru').channels(exact)]);
    const over = [...channels.slice(0, last), channelTitled(last, cyrillicTitle(last) + 'я'.repeat(TELEGRAM_MESSAGE_LIMIT - length + 1))];
    expectSplit(channelsStep(over), publishingTexts('ru').channels(over));
  });

  it('200 channels, a long billing and a long offer come in pieces Telegram takes; /posts stays one message', () => {
    const channels = Array.from({ length: 200 }, (_, index) => channelTitled(index, cyrillicTitle(index)));
    expectSplit(channelsStep(channels), publishingTexts('ru').channels(channels));

    // The publisher answers at most 200 posts; /posts shows the newest 10, each preview cut at 40 characters: one message.
    const posts = Array.from({ length: 200 }, (_, index) => create(PostSchema, {
      postId: BigInt(70_000 + index), chatIds: [-1001n, -1002n, -1003n], status: [PostStatus.SCHEDULED, PostStatus.PUBLISHED, PostStatus.CANCELLED][index % 3] ?? PostStatus.SCHEDULED,
      publishAt: at, publishedAt: at, content: { text: 'Распродажа: скидки до 50 % на всё в магазине до конца недели' }, outcomes: [{ chatId: -1001n, sent: true }],
    }));
    const postsStep = concludePublishing({ kind: 'posts' }, { ok: true, kind: 'posts', posts }, russian);
    const words = publishingTexts('ru');
    expect(texts(postsStep)).toEqual([words.posts(posts.slice(0, 10).map(words.postLine))]);
    expect(texts(postsStep)[0]?.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT);

    const invoices = Array.from({ length: 150 }, (_, index) => create(InvoiceSchema, { id: `inv-${String(index)}`, planId: 'bots-30d', amount: price, provider: index % 2 === 0 ? PaymentProvider.PLATEGA : PaymentProvider.CRYPTOBOT, status: InvoiceStatus.PAID, createdAt: at }));
    const subscriptions = Array.from({ length: 60 }, () => create(SubscriptionSchema, { kind: PlanKind.POSTING, status: SubscriptionStatus.ACTIVE, endsAt: at }));
    const billing = concludePayment({ kind: 'billing' }, { ok: true, kind: 'billing', invoices, subscriptions }, russian);
    expect(billing.replies.length).toBeGreaterThan(1);
    for (const reply of billing.replies) expect(reply.text.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT);
    const billingText = texts(billing).join('\n');
    expect(billingText.match(/Platega|CryptoBot/gu)).toHaveLength(150);

    const plans = Array.from({ length: 120 }, (_, index) => create(PlanSchema, { id: `posting-${String(index + 1)}d`, kind: PlanKind.POSTING, periodDays: index + 1, price }));
    const offer = concludePayment({ kind: 'offer' }, { ok: true, kind: 'offer', plans }, russian);
    expect(offer.replies.length).toBeGreaterThan(1);
    for (const reply of offer.replies) expect(reply.text.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT);
    for (const plan of plans) expect(texts(offer).join('\n')).toContain(`/buy_posting_${String(plans.indexOf(plan) + 1)}d_`);
  });
});
