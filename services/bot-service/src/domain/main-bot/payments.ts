/**
 * The main bot's subscriptions and payments, as pure functions like decide.ts: /subscribe (or
 * its button) lists the plans with a /buy command per provider, `/buy <plan> <provider>` makes an
 * invoice and answers its payment link, /billing shows the user's subscriptions and payments.
 * The payments context does the work (svc.payment.*); what it answers comes back as an outcome.
 * Every answer returns to the menu: no conversation state is kept for payments.
 */
import { InvoiceStatus, PaymentProvider, PlanKind, SubscriptionStatus, type Invoice, type Money, type Plan, type Subscription } from '@nova/contracts';
import type { MainBotStep, MainBotView } from './decide.js';
import { IDLE } from './state.js';
import { MENU, PAYMENT_TEXT } from './texts.js';

export type PaymentProviderName = 'cryptobot' | 'platega';

export type PaymentInput =
  | { readonly kind: 'subscribe' }
  | { readonly kind: 'billing' }
  /** `/buy` and the words after it. */
  | { readonly kind: 'buy'; readonly args: readonly string[] };

export type PaymentIntent =
  | { readonly kind: 'offer' }
  | { readonly kind: 'billing' }
  | { readonly kind: 'buy'; readonly planId: string; readonly provider: PaymentProviderName };

export type PaymentOutcome =
  | { readonly ok: true; readonly kind: 'offer'; readonly plans: readonly Plan[] }
  | { readonly ok: true; readonly kind: 'invoice'; readonly invoice: Invoice; readonly plan: Plan | undefined }
  | { readonly ok: true; readonly kind: 'billing'; readonly invoices: readonly Invoice[]; readonly subscriptions: readonly Subscription[] }
  | { readonly ok: false; readonly failure: 'unknown_plan' | 'unavailable' }
  | { readonly ok: false; readonly failure: 'provider_unavailable'; readonly provider: PaymentProviderName };

const PROVIDERS: readonly PaymentProviderName[] = ['cryptobot', 'platega'];

function toMenu(view: MainBotView, text: string): MainBotStep {
  return { kind: 'step', next: IDLE, replies: [{ chatId: view.chatId, text, replyMarkup: MENU }] };
}

/** `buy_bots_30d_cryptobot` (a tapped buyCommand, without its slash) as /buy's two words; undefined when it is not one. */
export function tappedPurchase(command: string): readonly [string, string] | undefined {
  const match = /^buy_([a-z0-9_]+)_(cryptobot|platega)$/iu.exec(command);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return [match[1].replaceAll('_', '-'), match[2]];
}

export function decidePayment(input: PaymentInput, view: MainBotView): MainBotStep | PaymentIntent {
  switch (input.kind) {
    case 'subscribe':
      return { kind: 'offer' };
    case 'billing':
      return { kind: 'billing' };
    case 'buy': {
      const [planId, provider] = input.args.map((word) => word.toLowerCase());
      const known = PROVIDERS.find((candidate) => candidate === provider);
      if (input.args.length !== 2 || planId === undefined || !/^[a-z0-9-]{1,64}$/.test(planId) || known === undefined) return toMenu(view, PAYMENT_TEXT.buyUsage);
      return { kind: 'buy', planId, provider: known };
    }
  }
}

/** "299.00 RUB": minor units as decimal text (every currency the plans use has 2 decimals). */
export function formatPrice(money: Money | undefined): string {
  if (money === undefined) return '';
  const digits = money.minorUnits.toString().padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)} ${money.currency}`;
}

const KIND_WORD: Readonly<Record<number, string>> = { [PlanKind.BOTS]: 'more bots', [PlanKind.STORIES]: 'stories', [PlanKind.POSTING]: 'posting' };
const INVOICE_WORD: Readonly<Record<number, string>> = {
  [InvoiceStatus.PENDING]: 'waiting for payment',
  [InvoiceStatus.PAID]: 'paid',
  [InvoiceStatus.EXPIRED]: 'expired',
  [InvoiceStatus.CANCELED]: 'canceled',
  [InvoiceStatus.CHARGEBACKED]: 'charged back',
};
const SUBSCRIPTION_WORD: Readonly<Record<number, string>> = { [SubscriptionStatus.ACTIVE]: 'active', [SubscriptionStatus.EXPIRED]: 'ended', [SubscriptionStatus.REVOKED]: 'revoked' };

/** What a subscription of this kind gives, in words. */
export function subscriptionKindWord(kind: PlanKind): string {
  return KIND_WORD[kind] ?? 'plan';
}

/** A Timestamp's day (UTC), e.g. 2027-01-01. */
export function formatDay(seconds: bigint | undefined): string {
  return day(seconds);
}

function day(seconds: bigint | undefined): string {
  return seconds === undefined ? '?' : new Date(Number(seconds) * 1000).toISOString().slice(0, 10);
}

function providerLabel(provider: PaymentProviderName): string {
  return PAYMENT_TEXT.providerName[provider];
}

export function concludePayment(intent: PaymentIntent, outcome: PaymentOutcome, view: MainBotView): MainBotStep {
  if (!outcome.ok) {
    switch (outcome.failure) {
      case 'unknown_plan':
        return toMenu(view, PAYMENT_TEXT.unknownPlan);
      case 'unavailable':
        return toMenu(view, PAYMENT_TEXT.unavailable);
      case 'provider_unavailable': {
        const other = outcome.provider === 'cryptobot' ? 'platega' : 'cryptobot';
        return toMenu(view, PAYMENT_TEXT.providerDown(providerLabel(outcome.provider), providerLabel(other), intent.kind === 'buy' ? intent.planId : ''));
      }
    }
  }
  switch (outcome.kind) {
    case 'offer':
      return toMenu(view, outcome.plans.length === 0 ? PAYMENT_TEXT.noPlans : PAYMENT_TEXT.offer(outcome.plans.map((plan) => PAYMENT_TEXT.offerLine(plan.title, formatPrice(plan.price), plan.id))));
    case 'invoice': {
      const provider = intent.kind === 'buy' ? providerLabel(intent.provider) : '';
      return toMenu(view, PAYMENT_TEXT.payLink(outcome.plan?.title ?? outcome.invoice.planId, formatPrice(outcome.invoice.amount), provider, outcome.invoice.payUrl));
    }
    case 'billing':
      return toMenu(view, PAYMENT_TEXT.billing(
        outcome.subscriptions.map((row) => PAYMENT_TEXT.subscriptionLine(KIND_WORD[row.kind] ?? 'plan', day(row.endsAt?.seconds), SUBSCRIPTION_WORD[row.status] ?? 'unknown')),
        outcome.invoices.map((row) => PAYMENT_TEXT.invoiceLine(formatPrice(row.amount), row.provider === PaymentProvider.CRYPTOBOT ? providerLabel('cryptobot') : providerLabel('platega'), INVOICE_WORD[row.status] ?? 'unknown', day(row.createdAt?.seconds))),
      ));
  }
}
