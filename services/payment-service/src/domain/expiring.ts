/**
 * Subscriptions about to end, for the notification context's reminders: active ones whose period
 * ends inside a window and is not followed by another of the same kind (a renewal starts where
 * the current period ends, so its owner stays entitled and needs no reminder). With
 * include_renewed every active one ending in the window is listed: the scheduler's expiry of its
 * own side's subscriptions (expire_due by id), where a renewal changes nothing.
 */
import { create } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { ListExpiringResponseSchema, type ListExpiringRequest, type ListExpiringResponse } from '@nova/contracts';
import { InvalidArgumentError, type HandlerContext } from '@nova/domain';
import type { PaymentDatabase } from './database.js';
import { subscriptionMessage } from './mapping.js';

const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 5_000;

export function listExpiringHandler(db: PaymentDatabase) {
  return async (request: ListExpiringRequest, _ctx: HandlerContext): Promise<ListExpiringResponse> => {
    if (request.endsFrom === undefined || request.endsBefore === undefined) throw new InvalidArgumentError('ends_from and ends_before are required', { field: request.endsFrom === undefined ? 'ends_from' : 'ends_before' });
    if (request.limit < 0 || request.limit > MAX_LIMIT) throw new InvalidArgumentError(`limit must be between 0 and ${String(MAX_LIMIT)}`, { field: 'limit' });
    const from = timestampDate(request.endsFrom);
    const before = timestampDate(request.endsBefore);
    if (from.getTime() >= before.getTime()) throw new InvalidArgumentError('ends_from must be before ends_before', { field: 'ends_from' });
    const rows = await db.subscription.findMany({
      where: { status: 'active', endsAt: { gte: from, lt: before } },
      orderBy: [{ endsAt: 'asc' }, { id: 'asc' }],
      take: request.limit === 0 ? DEFAULT_LIMIT : request.limit,
    });
    const ending = [];
    for (const row of rows) {
      if (request.includeRenewed) {
        ending.push(row);
        continue;
      }
      const renewal = await db.subscription.findFirst({ where: { telegramId: row.telegramId, kind: row.kind, status: 'active', startsAt: { gte: row.endsAt } }, select: { id: true } });
      if (renewal === null) ending.push(row);
    }
    return create(ListExpiringResponseSchema, { subscriptions: ending.map(subscriptionMessage) });
  };
}
