import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { MoneySchema, PaymentStatsResponseSchema, ProviderRevenueSchema, type PaymentStatsRequest, type PaymentStatsResponse } from '@nova/contracts';
import type { Clock, HandlerContext } from '@nova/domain';
import type { PaymentDatabase } from './database.js';

/**
 * svc.payment.stats: revenue so far per provider and currency (invoices paid, exact minor units;
 * a charged-back invoice is no longer paid) and the subscriptions active now, from one snapshot.
 */
export function paymentStatsHandler(db: PaymentDatabase, clock: Clock) {
  return async (_request: PaymentStatsRequest, _ctx: HandlerContext): Promise<PaymentStatsResponse> => {
    const asOf = clock();
    const [revenue, active] = await db.$transaction(
      [
        db.invoice.groupBy({ by: ['provider', 'currency'], where: { status: 'paid' }, _sum: { amountMinor: true }, _count: { _all: true }, orderBy: [{ provider: 'asc' }, { currency: 'asc' }] }),
        db.subscription.count({ where: { status: 'active', startsAt: { lte: asOf }, endsAt: { gt: asOf } } }),
      ],
      { isolationLevel: 'RepeatableRead' },
    );
    return create(PaymentStatsResponseSchema, {
      revenue: revenue.map((row) => create(ProviderRevenueSchema, {
        provider: row.provider,
        paid: create(MoneySchema, { minorUnits: row._sum.amountMinor ?? 0n, currency: row.currency }),
        payments: BigInt(row._count._all),
      })),
      activeSubscriptions: BigInt(active),
      asOf: timestampFromDate(asOf),
    });
  };
}
