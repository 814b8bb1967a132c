import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { InvoiceSchema, InvoiceStatus, MoneySchema, PaymentProvider, PlanKind, PlanSchema, SubscriptionSchema, SubscriptionStatus } from '@nova/contracts';
import type { MainBotStep, MainBotView } from './decide.js';
import { concludePayment, decidePayment, formatPrice, planTitle, tappedPurchase, type PaymentIntent } from './payments.js';
import { IDLE } from './state.js';
import { buyCommand, menu, paymentTexts } from './texts.js';

const MENU = menu('en');
const PAYMENT_TEXT = paymentTexts('en');

const view: MainBotView = { chatId: 42n, user: { firstName: 'Anna', registeredNow: false }, locale: 'en', state: { step: 'awaiting_token' }, bots: [] };
const russian: MainBotView = { ...view, locale: 'ru' };
const price = create(MoneySchema, { minorUnits: 29900n, currency: 'RUB' });
const plan = create(PlanSchema, { id: 'bots-30d', kind: PlanKind.BOTS, periodDays: 30, price, title: 'More bots, 30 days' });
const textOf = (step: MainBotStep): string => step.replies.map((reply) => reply.text).join('\n');

describe('the main bot\'s payments', () => {
  it('turns /subscribe, /billing and a well-formed /buy into intents, whatever the conversation was doing', () => {
    expect(decidePayment({ kind: 'subscribe' }, view)).toEqual({ kind: 'offer' });
    expect(decidePayment({ kind: 'billing' }, view)).toEqual({ kind: 'billing' });
    expect(decidePayment({ kind: 'buy', args: ['bots-30d', 'CryptoBot'] }, view)).toEqual({ kind: 'buy', planId: 'bots-30d', provider: 'cryptobot' });
  });

  it('explains /buy when its words are not a plan and a provider, back at the menu', () => {
    for (const args of [[], ['bots-30d'], ['bots-30d', 'paypal'], ['bots 30d!', 'platega'], ['a', 'b', 'c']]) {
      expect(decidePayment({ kind: 'buy', args }, view)).toEqual({ kind: 'step', next: IDLE, replies: [{ chatId: 42n, text: PAYMENT_TEXT.buyUsage, replyMarkup: MENU }] });
    }
  });

  it('writes a purchase as one tappable command and reads it back, plan ids with dashes included', () => {
    for (const [planId, provider] of [['bots-30d', 'cryptobot'], ['posting-30d', 'platega'], ['x', 'platega'], ['a-b-c-1', 'cryptobot']] as const) {
      const command = buyCommand(planId, provider);
      // Telegram's command entity: a slash and up to 32 of [A-Za-z0-9_].
      expect(command).toMatch(/^\/[a-z0-9_]{1,32}$/u);
      expect(tappedPurchase(command.slice(1))).toEqual([planId, provider]);
    }
    expect(tappedPurchase('buy_bots_30d_paypal')).toBeUndefined();
    expect(tappedPurchase('buy__platega')).toBeUndefined();
  });

  it('formats prices for the locale from minor units, never through a float', () => {
    expect(formatPrice(price, 'en')).toBe('RUB\u00a0299.00');
    expect(formatPrice(price, 'ru')).toBe('299,00\u00a0₽');
    expect(formatPrice(create(MoneySchema, { minorUnits: 5n, currency: 'USD' }), 'en')).toBe('$0.05');
    expect(formatPrice(create(MoneySchema, { minorUnits: 900719925474099312n, currency: 'RUB' }), 'en')).toBe('RUB\u00a09,007,199,254,740,993.12');
  });

  it('lists plans with a /buy per provider, and answers a payment link', () => {
    const offer = concludePayment({ kind: 'offer' }, { ok: true, kind: 'offer', plans: [plan] }, view);
    expect(offer.next).toEqual(IDLE);
    expect(textOf(offer)).toContain('More bots, 30 days: RUB\u00a0299.00');
    expect(textOf(offer)).toContain('/buy_bots_30d_cryptobot · /buy_bots_30d_platega');
    const buy: PaymentIntent = { kind: 'buy', planId: 'bots-30d', provider: 'platega' };
    const invoice = create(InvoiceSchema, { id: 'i', planId: 'bots-30d', amount: price, payUrl: 'https://pay.platega.io/?id=1', provider: PaymentProvider.PLATEGA });
    expect(textOf(concludePayment(buy, { ok: true, kind: 'invoice', invoice, plan }, view))).toBe(PAYMENT_TEXT.payLink('More bots, 30 days', 'RUB\u00a0299.00', 'Platega', 'https://pay.platega.io/?id=1'));
  });

  it("names plans in the person's language from their kind and period, the stored title only for a kind it does not know", () => {
    const offer = concludePayment({ kind: 'offer' }, { ok: true, kind: 'offer', plans: [plan] }, russian);
    expect(textOf(offer)).toContain('⭐ Больше ботов, 30 дней: 299,00 ₽');
    const invoice = create(InvoiceSchema, { id: 'i', planId: 'bots-30d', amount: price, payUrl: 'https://pay.platega.io/?id=1', provider: PaymentProvider.PLATEGA });
    expect(textOf(concludePayment({ kind: 'buy', planId: 'bots-30d', provider: 'platega' }, { ok: true, kind: 'invoice', invoice, plan }, russian))).toContain('Оплатите 299,00 ₽ за «Больше ботов, 30 дней» через Platega:');
    // The English names are the ones the payments context stores for its launch plans.
    expect(planTitle(create(PlanSchema, { kind: PlanKind.STORIES, periodDays: 30 }), 'en')).toBe('Stories, 30 days');
    expect(planTitle(create(PlanSchema, { kind: PlanKind.POSTING, periodDays: 30 }), 'en')).toBe('Channel posting, 30 days');
    expect(planTitle(create(PlanSchema, { kind: PlanKind.POSTING, periodDays: 1 }), 'en')).toBe('Channel posting, 1 day');
    expect(planTitle(create(PlanSchema, { kind: PlanKind.STORIES, periodDays: 30 }), 'ru')).toBe('Истории, 30 дней');
    expect(planTitle(create(PlanSchema, { kind: PlanKind.UNSPECIFIED, periodDays: 30, title: 'Gift' }), 'ru')).toBe('Gift');
  });

  it.each([
    [1, '1 день'], [2, '2 дня'], [5, '5 дней'], [11, '11 дней'], [21, '21 день'], [22, '22 дня'], [25, '25 дней'], [101, '101 день'],
  ])('counts a plan\'s days in Russian: %p → %p', (periodDays, words) => {
    expect(planTitle(create(PlanSchema, { kind: PlanKind.BOTS, periodDays }), 'ru')).toBe(`Больше ботов, ${words}`);
  });

  it('offers the other provider when one cannot take payments', () => {
    const step = concludePayment({ kind: 'buy', planId: 'bots-30d', provider: 'cryptobot' }, { ok: false, failure: 'provider_unavailable', provider: 'cryptobot' }, view);
    expect(textOf(step)).toBe('CryptoBot cannot take payments right now. Pay with Platega instead: /buy_bots_30d_platega');
    expect(textOf(concludePayment({ kind: 'buy', planId: 'bots-30d', provider: 'cryptobot' }, { ok: false, failure: 'provider_unavailable', provider: 'cryptobot' }, russian))).toBe('CryptoBot сейчас не принимает платежи. Оплатите через Platega: /buy_bots_30d_platega');
  });

  it('shows subscriptions and payments in /billing', () => {
    const subscription = create(SubscriptionSchema, { kind: PlanKind.BOTS, status: SubscriptionStatus.ACTIVE, endsAt: { seconds: 1_798_761_600n } });
    const invoice = create(InvoiceSchema, { amount: price, provider: PaymentProvider.CRYPTOBOT, status: InvoiceStatus.PAID, createdAt: { seconds: 1_796_169_600n } });
    const text = textOf(concludePayment({ kind: 'billing' }, { ok: true, kind: 'billing', invoices: [invoice], subscriptions: [subscription] }, view));
    expect(text).toBe('Your subscriptions:\n• more bots until Jan 1, 2027 (active)\n\nYour payments:\n• Dec 2, 2026: RUB\u00a0299.00, CryptoBot, paid');
    const russianText = textOf(concludePayment({ kind: 'billing' }, { ok: true, kind: 'billing', invoices: [invoice], subscriptions: [subscription] }, russian));
    expect(russianText).toBe('Ваши подписки:\n• больше ботов до 1 янв. 2027 г. (действует)\n\nВаши платежи:\n• 2 дек. 2026 г.: 299,00\u00a0₽, CryptoBot, оплачен');
    expect(textOf(concludePayment({ kind: 'billing' }, { ok: true, kind: 'billing', invoices: [], subscriptions: [] }, view))).toBe('You have no subscriptions. /subscribe shows the plans.');
  });
});
