/**
 * What a provider told us about one of our invoices (a verified callback, or later a
 * reconciler's poll), applied so that a paid invoice activates its subscription exactly once
 * however many times, in whatever order and however concurrently the reports arrive
 * (Decided 4). The state change and its event commit in one transaction (the outbox).
 *
 * Exactly once rests on the invoice row: the transition to `paid` is one conditional UPDATE
 * (... WHERE status IN (not yet paid)). Two concurrent reports both try it; PostgreSQL makes the
 * second wait for the first's row lock and then re-checks the condition against the committed
 * row, so only one sees a row updated and creates the subscription. subscriptions.invoice_id is
 * unique besides, so even a bug here could not write a second one.
 */
import { create } from '@bufbuild/protobuf';
import { SubscriptionActivatedSchema, SubscriptionExpiredSchema, eventMsgId } from '@nova/contracts';
import { appendToOutbox, outboxRecord, type Clock, type EventPublisher } from '@nova/domain';
import { randomUUID } from 'node:crypto';
import type { Invoice as InvoiceRow, Subscription as SubscriptionRow } from '../generated/prisma/client.js';
import type { PaymentDatabase, PaymentTransaction } from './database.js';
import { invoiceMessage, subscriptionMessage } from './mapping.js';
import { sameMoney, type Money } from './money.js';
import type { InvoiceStatusName, ProviderName } from './names.js';
import { flushPaymentOutbox } from './outbox-store.js';

const DAY_MS = 86_400_000;

export type ReportedOutcome = 'paid' | 'expired' | 'canceled' | 'chargebacked';

export interface ProviderReport {
  readonly provider: ProviderName;
  /** The provider's id of the invoice. */
  readonly providerInvoiceId: string;
  /** Our id as the provider echoes it back (the payload we sent); checked when present. */
  readonly invoiceId: string | undefined;
  readonly outcome: ReportedOutcome;
  /** What the provider says was asked or paid; it must be what we asked. */
  readonly amount: Money;
}

export type ReportResult =
  | { readonly kind: 'activated'; readonly invoiceId: string; readonly subscriptionId: string }
  | { readonly kind: 'revoked'; readonly invoiceId: string; readonly subscriptionId: string | undefined }
  | { readonly kind: 'updated'; readonly invoiceId: string; readonly status: InvoiceStatusName }
  /** Already applied (a duplicate, a retry, a late copy): nothing changed. */
  | { readonly kind: 'unchanged'; readonly invoiceId: string; readonly status: InvoiceStatusName }
  | { readonly kind: 'unknown_invoice' }
  /** Amount, currency or our id differ from the invoice: refused, never activated. */
  | { readonly kind: 'mismatch'; readonly invoiceId: string; readonly field: 'amount' | 'invoice_id' };

/** Statuses each outcome may move an invoice from. A chargeback is final: a late "paid" never revives it. */
const MOVES_FROM: Readonly<Record<ReportedOutcome, readonly InvoiceStatusName[]>> = {
  // A payment the provider confirms after we saw the invoice expire or fail still took the money.
  paid: ['pending', 'expired', 'canceled'],
  expired: ['pending'],
  canceled: ['pending'],
  chargebacked: ['pending', 'paid', 'expired', 'canceled'],
};

export interface ReportDeps {
  readonly db: PaymentDatabase;
  readonly publisher: EventPublisher;
  readonly clock: Clock;
  /**
   * Publishes the outbox after a commit. The wiring passes one CoalescedFlush per process, so
   * concurrent callbacks share flushes; default: a flush of its own each time.
   */
  readonly flushOutbox?: () => Promise<unknown>;
}

export async function applyProviderReport(deps: ReportDeps, report: ProviderReport): Promise<ReportResult> {
  const result = await deps.db.$transaction((tx) => apply(tx, report, deps.clock()));
  if (result.kind === 'activated' || result.kind === 'revoked') {
    // Committed: publish now; a failure leaves the events to the relay's next flush.
    await (deps.flushOutbox ?? (() => flushPaymentOutbox(deps.db, deps.publisher)))().catch(() => undefined);
  }
  return result;
}

async function apply(tx: PaymentTransaction, report: ProviderReport, now: Date): Promise<ReportResult> {
  const invoice = await tx.invoice.findUnique({ where: { provider_providerInvoiceId: { provider: report.provider, providerInvoiceId: report.providerInvoiceId } } });
  if (invoice === null) return { kind: 'unknown_invoice' };
  if (report.invoiceId !== undefined && report.invoiceId !== invoice.id) return { kind: 'mismatch', invoiceId: invoice.id, field: 'invoice_id' };
  if (!sameMoney(report.amount, { minorUnits: invoice.amountMinor, currency: invoice.currency })) return { kind: 'mismatch', invoiceId: invoice.id, field: 'amount' };

  const { count } = await tx.invoice.updateMany({
    where: { id: invoice.id, status: { in: [...MOVES_FROM[report.outcome]] } },
    data: { status: report.outcome, ...(report.outcome === 'paid' ? { paidAt: now } : {}) },
  });
  if (count === 0) {
    const current = await tx.invoice.findUniqueOrThrow({ where: { id: invoice.id }, select: { status: true } });
    return { kind: 'unchanged', invoiceId: invoice.id, status: current.status as InvoiceStatusName };
  }
  if (report.outcome === 'paid') return activate(tx, { ...invoice, status: 'paid', paidAt: now }, now);
  if (report.outcome === 'chargebacked') return revoke(tx, { ...invoice, status: 'chargebacked' });
  return { kind: 'updated', invoiceId: invoice.id, status: report.outcome };
}

/** Creates the invoice's subscription; a user who already has one of the kind gets the period added after it. */
async function activate(tx: PaymentTransaction, invoice: InvoiceRow, now: Date): Promise<ReportResult> {
  const plan = await tx.plan.findUniqueOrThrow({ where: { id: invoice.planId } });
  const latest = await tx.subscription.findFirst({
    where: { telegramId: invoice.telegramId, kind: plan.kind, status: 'active', endsAt: { gt: now } },
    orderBy: { endsAt: 'desc' },
  });
  const startsAt = latest === null ? now : latest.endsAt;
  const subscription = await tx.subscription.create({
    data: {
      id: randomUUID(), telegramId: invoice.telegramId, kind: plan.kind, planId: plan.id, invoiceId: invoice.id, status: 'active',
      startsAt, endsAt: new Date(startsAt.getTime() + plan.periodDays * DAY_MS), createdAt: now,
    },
  });
  const event = create(SubscriptionActivatedSchema, { subscription: subscriptionMessage(subscription), invoice: invoiceMessage(invoice) });
  await appendToOutbox(tx.outboxEvent, [outboxRecord('nova.payment.subscription_activated', event, eventMsgId('nova.payment.subscription_activated', invoice.id))]);
  return { kind: 'activated', invoiceId: invoice.id, subscriptionId: subscription.id };
}

/** A chargeback takes back what the invoice paid for: its subscription stops counting at once. */
async function revoke(tx: PaymentTransaction, invoice: InvoiceRow): Promise<ReportResult> {
  const subscription = await tx.subscription.findUnique({ where: { invoiceId: invoice.id } });
  if (subscription === null) return { kind: 'revoked', invoiceId: invoice.id, subscriptionId: undefined };
  const wasActive = subscription.status === 'active';
  const revoked = await tx.subscription.update({ where: { id: subscription.id }, data: { status: 'revoked' } });
  // An expired subscription already had its "expired" event.
  if (wasActive) await appendExpired(tx, revoked);
  return { kind: 'revoked', invoiceId: invoice.id, subscriptionId: subscription.id };
}

export async function appendExpired(tx: PaymentTransaction, subscription: SubscriptionRow): Promise<void> {
  const event = create(SubscriptionExpiredSchema, { subscription: subscriptionMessage(subscription) });
  await appendToOutbox(tx.outboxEvent, [outboxRecord('nova.payment.subscription_expired', event, eventMsgId('nova.payment.subscription_expired', subscription.id))]);
}
