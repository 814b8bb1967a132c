/** The read side: plans on offer, a user's entitlement, a user's invoices and subscriptions. */
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  GetEntitlementResponseSchema,
  ListPaymentsResponseSchema,
  ListPlansResponseSchema,
  type GetEntitlementRequest,
  type GetEntitlementResponse,
  type ListPaymentsRequest,
  type ListPaymentsResponse,
  type ListPlansRequest,
  type ListPlansResponse,
} from '@nova/contracts';
import { telegramId, type Clock, type HandlerContext } from '@nova/domain';
import type { PaymentDatabase } from './database.js';
import { invoiceMessage, planMessage, subscriptionMessage } from './mapping.js';
import { planKindName } from './names.js';

/** What /billing shows at most; older history stays in the database. */
const LIST_LIMIT = 50;

export function listPlansHandler(db: PaymentDatabase) {
  return async (_request: ListPlansRequest, _ctx: HandlerContext): Promise<ListPlansResponse> => {
    const rows = await db.plan.findMany({ where: { active: true }, orderBy: [{ kind: 'asc' }, { periodDays: 'asc' }] });
    return create(ListPlansResponseSchema, { plans: rows.map(planMessage) });
  };
}

/**
 * Active means: status active and the clock inside [starts_at, ends_at). A period bought on top
 * of another starts when that one ends, so "active until" is the end of the last one that
 * continues without a gap from now.
 */
export function entitlementHandler(db: PaymentDatabase, clock: Clock) {
  return async (request: GetEntitlementRequest, _ctx: HandlerContext): Promise<GetEntitlementResponse> => {
    const user = telegramId(request.telegramId, 'telegram_id');
    const kind = planKindName(request.kind, 'kind');
    const now = clock();
    const rows = await db.subscription.findMany({ where: { telegramId: user, kind, status: 'active', endsAt: { gt: now } }, orderBy: { startsAt: 'asc' } });
    let until: Date | undefined;
    for (const row of rows) {
      if (row.startsAt.getTime() > (until ?? now).getTime()) break;
      if (until === undefined || row.endsAt > until) until = row.endsAt;
    }
    return create(GetEntitlementResponseSchema, until === undefined ? { active: false } : { active: true, activeUntil: timestampFromDate(until) });
  };
}

export function listPaymentsHandler(db: PaymentDatabase) {
  return async (request: ListPaymentsRequest, _ctx: HandlerContext): Promise<ListPaymentsResponse> => {
    const user = telegramId(request.telegramId, 'telegram_id');
    const [invoices, subscriptions] = await db.$transaction([
      db.invoice.findMany({ where: { telegramId: user }, orderBy: { createdAt: 'desc' }, take: LIST_LIMIT }),
      db.subscription.findMany({ where: { telegramId: user }, orderBy: { startsAt: 'desc' }, take: LIST_LIMIT }),
    ], { isolationLevel: 'RepeatableRead' });
    return create(ListPaymentsResponseSchema, { invoices: invoices.map(invoiceMessage), subscriptions: subscriptions.map(subscriptionMessage) });
  };
}
