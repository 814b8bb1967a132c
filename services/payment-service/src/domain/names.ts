/**
 * The words the tables store (text columns with CHECK constraints) and the contract's enums,
 * paired in one place so a row and a message cannot drift apart.
 */
import { InvoiceStatus, PaymentProvider, PlanKind, SubscriptionStatus } from '@nova/contracts';
import { InvalidArgumentError } from '@nova/domain';

export const PLAN_KINDS = ['bots', 'stories', 'posting'] as const;
export type PlanKindName = (typeof PLAN_KINDS)[number];

export const PROVIDERS = ['cryptobot', 'platega'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export type InvoiceStatusName = 'pending' | 'paid' | 'expired' | 'canceled' | 'chargebacked';
export type SubscriptionStatusName = 'active' | 'expired' | 'revoked';

const KIND_ENUM: Readonly<Record<PlanKindName, PlanKind>> = { bots: PlanKind.BOTS, stories: PlanKind.STORIES, posting: PlanKind.POSTING };
const PROVIDER_ENUM: Readonly<Record<ProviderName, PaymentProvider>> = { cryptobot: PaymentProvider.CRYPTOBOT, platega: PaymentProvider.PLATEGA };
const INVOICE_STATUS_ENUM: Readonly<Record<InvoiceStatusName, InvoiceStatus>> = {
  pending: InvoiceStatus.PENDING,
  paid: InvoiceStatus.PAID,
  expired: InvoiceStatus.EXPIRED,
  canceled: InvoiceStatus.CANCELED,
  chargebacked: InvoiceStatus.CHARGEBACKED,
};
const SUBSCRIPTION_STATUS_ENUM: Readonly<Record<SubscriptionStatusName, SubscriptionStatus>> = {
  active: SubscriptionStatus.ACTIVE,
  expired: SubscriptionStatus.EXPIRED,
  revoked: SubscriptionStatus.REVOKED,
};

function lookup<N extends string, E>(table: Readonly<Record<N, E>>, name: string, what: string): E {
  if (!Object.hasOwn(table, name)) throw new Error(`unknown ${what} "${name}" in the database`);
  return table[name as N];
}

export const planKindEnum = (name: string): PlanKind => lookup(KIND_ENUM, name, 'plan kind');
export const providerEnum = (name: string): PaymentProvider => lookup(PROVIDER_ENUM, name, 'provider');
export const invoiceStatusEnum = (name: string): InvoiceStatus => lookup(INVOICE_STATUS_ENUM, name, 'invoice status');
export const subscriptionStatusEnum = (name: string): SubscriptionStatus => lookup(SUBSCRIPTION_STATUS_ENUM, name, 'subscription status');

/** A request's plan kind; UNSPECIFIED or an unknown number is the caller's mistake. */
export function planKindName(kind: PlanKind, field: string): PlanKindName {
  const name = PLAN_KINDS.find((candidate) => KIND_ENUM[candidate] === kind);
  if (name === undefined) throw new InvalidArgumentError(`${field} must be a plan kind (bots, stories, posting)`, { field });
  return name;
}

export function providerName(provider: PaymentProvider, field: string): ProviderName {
  const name = PROVIDERS.find((candidate) => PROVIDER_ENUM[candidate] === provider);
  if (name === undefined) throw new InvalidArgumentError(`${field} must be a payment provider (cryptobot, platega)`, { field });
  return name;
}
