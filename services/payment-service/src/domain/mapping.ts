import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { InvoiceSchema, MoneySchema, PlanSchema, SubscriptionSchema, type Invoice, type Plan, type Subscription } from '@nova/contracts';
import type { Invoice as InvoiceRow, Plan as PlanRow, Subscription as SubscriptionRow } from '../generated/prisma/client.js';
import { invoiceStatusEnum, planKindEnum, providerEnum, subscriptionStatusEnum } from './names.js';

export function planMessage(row: PlanRow): Plan {
  return create(PlanSchema, {
    id: row.id,
    kind: planKindEnum(row.kind),
    periodDays: row.periodDays,
    price: create(MoneySchema, { minorUnits: row.priceMinor, currency: row.currency }),
    title: row.title,
  });
}

export function invoiceMessage(row: InvoiceRow): Invoice {
  return create(InvoiceSchema, {
    id: row.id,
    telegramId: row.telegramId,
    planId: row.planId,
    provider: providerEnum(row.provider),
    amount: create(MoneySchema, { minorUnits: row.amountMinor, currency: row.currency }),
    status: invoiceStatusEnum(row.status),
    payUrl: row.payUrl ?? '',
    createdAt: timestampFromDate(row.createdAt),
    expiresAt: timestampFromDate(row.expiresAt),
    ...(row.paidAt === null ? {} : { paidAt: timestampFromDate(row.paidAt) }),
  });
}

export function subscriptionMessage(row: SubscriptionRow): Subscription {
  return create(SubscriptionSchema, {
    id: row.id,
    telegramId: row.telegramId,
    kind: planKindEnum(row.kind),
    planId: row.planId,
    invoiceId: row.invoiceId ?? '',
    status: subscriptionStatusEnum(row.status),
    startsAt: timestampFromDate(row.startsAt),
    endsAt: timestampFromDate(row.endsAt),
    grantedBy: row.grantedBy ?? 0n,
    adminReason: row.adminReason ?? '',
  });
}
