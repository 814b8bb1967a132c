/**
 * The main bot's subscriptions and payments, as pure functions like decide.ts: /subscribe (or
 * its button) lists the plans with a /buy command per provider, `/buy <plan> <provider>` makes an
 * invoice and answers its payment link, /billing shows the user's subscriptions and payments.
 * The payments context does the work (svc.payment.*); what it answers comes back as an outcome.
 * Every answer returns to the menu: no conversation state is kept for payments.
 */
import { InvoiceStatus, PaymentProvider, PlanKind, SubscriptionStatus, type Invoice, type Money, type Plan, type Subscription } from '@nova/contracts';
import { formatMoney, formatUtcDate, type Locale } from '@nova/i18n';
import { toMenu, type MainBotStep, type MainBotView } from './decide.js';
import { PROVIDER_NAME, paymentTexts } from './texts.js';

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
      if (input.args.length !== 2 || planId === undefined || !/^[a-z0-9-]{1,64}$/.test(planId) || known === undefined) return toMenu(view, paymentTexts(view.locale).buyUsage);
      return { kind: 'buy', planId, provider: known };
    }
  }
}

/** A price for the locale ("299,00 ₽", "RUB 299.00"), exact (minor units never become a float). */
export function formatPrice(money: Money | undefined, locale: Locale): string {
  return money === undefined ? '' : formatMoney(locale, money.minorUnits, money.currency);
}

const KIND: Readonly<Record<number, 'bots' | 'stories' | 'posting'>> = { [PlanKind.BOTS]: 'bots', [PlanKind.STORIES]: 'stories', [PlanKind.POSTING]: 'posting' };
const INVOICE_STATUS: Readonly<Record<number, 'pending' | 'paid' | 'expired' | 'canceled' | 'chargebacked'>> = {
  [InvoiceStatus.PENDING]: 'pending',
  [InvoiceStatus.PAID]: 'paid',
  [InvoiceStatus.EXPIRED]: 'expired',
  [InvoiceStatus.CANCELED]: 'canceled',
  [InvoiceStatus.CHARGEBACKED]: 'chargebacked',
};
const SUBSCRIPTION_STATUS: Readonly<Record<number, 'active' | 'expired' | 'revoked'>> = { [SubscriptionStatus.ACTIVE]: 'active', [SubscriptionStatus.EXPIRED]: 'expired', [SubscriptionStatus.REVOKED]: 'revoked' };

/**
 * A plan's name in the locale, from its kind and period ("More bots, 30 days", "Больше ботов,
 * 30 дней"); the payments context's stored title (English) only for a kind the catalogue lacks.
 */
export function planTitle(plan: Pick<Plan, 'kind' | 'periodDays' | 'title'>, locale: Locale): string {
  const kind = KIND[plan.kind];
  return kind === undefined || plan.periodDays <= 0 ? plan.title : paymentTexts(locale).planTitle(kind, plan.periodDays);
}

/** What a subscription of this kind gives, in words of the locale. */
export function subscriptionKindWord(kind: PlanKind, locale: Locale): string {
  return paymentTexts(locale).planKind(KIND[kind] ?? 'other');
}

/** A Timestamp's day (UTC) for the locale: "Jan 1, 2027", "1 янв. 2027 г."; "?" when absent. */
export function formatDay(seconds: bigint | undefined, locale: Locale): string {
  return seconds === undefined ? '?' : formatUtcDate(locale, new Date(Number(seconds) * 1000));
}

export function concludePayment(intent: PaymentIntent, outcome: PaymentOutcome, view: MainBotView): MainBotStep {
  const { locale } = view;
  const words = paymentTexts(locale);
  if (!outcome.ok) {
    switch (outcome.failure) {
      case 'unknown_plan':
        return toMenu(view, words.unknownPlan);
      case 'unavailable':
        return toMenu(view, words.unavailable);
      case 'provider_unavailable':
        return toMenu(view, words.providerDown(outcome.provider, intent.kind === 'buy' ? intent.planId : ''));
    }
  }
  switch (outcome.kind) {
    case 'offer':
      return toMenu(view, outcome.plans.length === 0 ? words.noPlans : words.offer(outcome.plans.map((plan) => words.offerLine(planTitle(plan, locale), formatPrice(plan.price, locale), plan.id))));
    case 'invoice': {
      const provider = intent.kind === 'buy' ? PROVIDER_NAME[intent.provider] : '';
      return toMenu(view, words.payLink(outcome.plan === undefined ? outcome.invoice.planId : planTitle(outcome.plan, locale), formatPrice(outcome.invoice.amount, locale), provider, outcome.invoice.payUrl));
    }
    case 'billing':
      return toMenu(view, words.billing(
        outcome.subscriptions.map((row) => words.subscriptionLine(subscriptionKindWord(row.kind, locale), formatDay(row.endsAt?.seconds, locale), words.subscriptionStatus(SUBSCRIPTION_STATUS[row.status] ?? 'other'))),
        outcome.invoices.map((row) => words.invoiceLine(formatPrice(row.amount, locale), row.provider === PaymentProvider.CRYPTOBOT ? PROVIDER_NAME.cryptobot : PROVIDER_NAME.platega, words.invoiceStatus(INVOICE_STATUS[row.status] ?? 'other'), formatDay(row.createdAt?.seconds, locale))),
      ));
  }
}
