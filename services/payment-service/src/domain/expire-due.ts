import { create } from '@bufbuild/protobuf';
import { ExpireDueResponseSchema, type ExpireDueRequest, type ExpireDueResponse } from '@nova/contracts';
import { InvalidArgumentError, type Clock, type EventPublisher, type HandlerContext } from '@nova/domain';
import type { PaymentDatabase } from './database.js';
import { flushPaymentOutbox } from './outbox-store.js';
import { appendExpired } from './provider-report.js';
import { RECONCILE_GRACE_MS } from './reconcile.js';

const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 5_000;

export interface ExpireDueDeps {
  readonly db: PaymentDatabase;
  readonly publisher: EventPublisher;
  readonly clock: Clock;
}

/**
 * Expires active subscriptions whose period has ended, each with its subscription_expired event
 * in the same transaction. Safe to run from any number of schedulers at once: each row moves
 * from active to expired in a conditional UPDATE, so only one caller expires (and announces) it.
 * Pending invoices past their expiry and the reconciler's grace are marked expired (until then
 * the reconciler still asks the provider about them; a late payment can activate even after).
 *
 * With subscription_ids (the notification scheduler's own side during its canary: it lists the
 * ended ones with svc.payment.expiring, include_renewed, and keeps its owners') only those are
 * expired, each when its period has ended.
 */
export function expireDueHandler(deps: ExpireDueDeps) {
  return async (request: ExpireDueRequest, _ctx: HandlerContext): Promise<ExpireDueResponse> => {
    if (request.limit < 0 || request.limit > MAX_LIMIT) throw new InvalidArgumentError(`limit must be between 0 and ${String(MAX_LIMIT)}`, { field: 'limit' });
    if (request.subscriptionIds.length > MAX_LIMIT) throw new InvalidArgumentError(`at most ${String(MAX_LIMIT)} subscription_ids`, { field: 'subscription_ids' });
    const byId = request.namedOnly || request.subscriptionIds.length > 0;
    const named = byId ? { id: { in: request.subscriptionIds } } : {};
    const limit = byId ? request.subscriptionIds.length : request.limit === 0 ? DEFAULT_LIMIT : request.limit;
    const now = deps.clock();
    const due = await deps.db.subscription.findMany({ where: { status: 'active', endsAt: { lte: now }, ...named }, orderBy: { endsAt: 'asc' }, take: limit, select: { id: true } });
    let expired = 0;
    for (const { id } of due) {
      const moved = await deps.db.$transaction(async (tx) => {
        const { count } = await tx.subscription.updateMany({ where: { id, status: 'active', endsAt: { lte: now } }, data: { status: 'expired' } });
        if (count === 0) return false;
        await appendExpired(tx, await tx.subscription.findUniqueOrThrow({ where: { id } }));
        return true;
      });
      if (moved) expired += 1;
    }
    await deps.db.invoice.updateMany({ where: { status: 'pending', expiresAt: { lte: new Date(now.getTime() - RECONCILE_GRACE_MS) } }, data: { status: 'expired' } });
    if (expired > 0) await flushPaymentOutbox(deps.db, deps.publisher).catch(() => undefined);
    return create(ExpireDueResponseSchema, { expired });
  };
}
