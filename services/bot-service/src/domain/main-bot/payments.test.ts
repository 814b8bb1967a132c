import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { InvoiceSchema, InvoiceStatus, MoneySchema, PaymentProvider, PlanKind, PlanSchema, SubscriptionSchema, SubscriptionStatus } from '@nova/contracts';
import type { MainBotStep, MainBotView } from './decide.js';
import { concludePayment, decidePayment, formatPrice, tappedPurchase, type PaymentIntent } from './payments.js';
import { IDLE } from './state.js';
import { buyCommand, MENU, PAYMENT_TEXT } from './texts.js';

const view: MainBotView = { chatId: 42n, user: { firstName: 'Анна', registeredNow: false }, state: { step: 'awaiting_token' }, bots: [] };
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

  it('formats prices from minor units, never through a float', () => {
    expect(formatPrice(price)).toBe('299.00 RUB');
    expect(formatPrice(create(MoneySchema, { minorUnits: 5n, currency: 'USD' }))).toBe('0.05 USD');
    expect(formatPrice(create(MoneySchema, { minorUnits: 900719925474099312n, currency: 'RUB' }))).toBe('9007199254740993.12 RUB');
  });

  it('lists plans with a /buy per provider, and answers a payment link', () => {
    const offer = concludePayment({ kind: 'offer' }, { ok: true, kind: 'offer', plans: [plan] }, view);
    expect(offer.next).toEqual(IDLE);
    expect(textOf(offer)).toContain('More bots, 30 days: 299.00 RUB');
    expect(textOf(offer)).toContain('/buy_bots_30d_cryptobot · /buy_bots_30d_platega');
    const buy: PaymentIntent = { kind: 'buy', planId: 'bots-30d', provider: 'platega' };
    const invoice = create(InvoiceSchema, { id: 'i', planId: 'bots-30d', amount: price, payUrl: 'https://pay.platega.io/?id=1', provider: PaymentProvider.PLATEGA });
    expect(textOf(concludePayment(buy, { ok: true, kind: 'invoice', invoice, plan }, view))).toBe(PAYMENT_TEXT.payLink('More bots, 30 days', '299.00 RUB', 'Platega', 'https://pay.platega.io/?id=1'));
  });

  it('offers the other provider when one cannot take payments', () => {
    const step = concludePayment({ kind: 'buy', planId: 'bots-30d', provider: 'cryptobot' }, { ok: false, failure: 'provider_unavailable', provider: 'cryptobot' }, view);
    expect(textOf(step)).toBe('CryptoBot cannot take payments right now. Pay with Platega instead: /buy_bots_30d_platega');
  });

  it('shows subscriptions and payments in /billing', () => {
    const subscription = create(SubscriptionSchema, { kind: PlanKind.BOTS, status: SubscriptionStatus.ACTIVE, endsAt: { seconds: 1_798_761_600n } });
    const invoice = create(InvoiceSchema, { amount: price, provider: PaymentProvider.CRYPTOBOT, status: InvoiceStatus.PAID, createdAt: { seconds: 1_796_169_600n } });
    const text = textOf(concludePayment({ kind: 'billing' }, { ok: true, kind: 'billing', invoices: [invoice], subscriptions: [subscription] }, view));
    expect(text).toBe('Your subscriptions:\n• more bots until 2027-01-01 (active)\n\nYour payments:\n• 2026-12-02: 299.00 RUB, CryptoBot, paid');
    expect(textOf(concludePayment({ kind: 'billing' }, { ok: true, kind: 'billing', invoices: [], subscriptions: [] }, view))).toBe('You have no subscriptions. /subscribe shows the plans.');
  });
});
