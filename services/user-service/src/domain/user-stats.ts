import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { UserStatsResponseSchema, type UserStatsRequest, type UserStatsResponse } from '@nova/contracts';
import type { Clock, HandlerContext } from '@nova/domain';
import type { UserDatabase } from './database.js';

const HOUR_MS = 3_600_000;

function startOfUtcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

/**
 * Counts as of the clock's now, from one snapshot (REPEATABLE READ) so the figures agree with
 * each other. "Today" is the UTC day.
 */
export function userStatsHandler(db: UserDatabase, clock: Clock) {
  return async (_request: UserStatsRequest, _ctx: HandlerContext): Promise<UserStatsResponse> => {
    const asOf = clock();
    const since = (hours: number): Date => new Date(asOf.getTime() - hours * HOUR_MS);
    const window = (from: Date) => ({ gt: from, lte: asOf });
    const [total, registered24h, registeredToday, active24h, active7d] = await db.$transaction(
      [
        db.user.count({ where: { createdAt: { lte: asOf } } }),
        db.user.count({ where: { createdAt: window(since(24)) } }),
        db.user.count({ where: { createdAt: { gte: startOfUtcDay(asOf), lte: asOf } } }),
        db.user.count({ where: { lastSeenAt: window(since(24)) } }),
        db.user.count({ where: { lastSeenAt: window(since(24 * 7)) } }),
      ],
      { isolationLevel: 'RepeatableRead' },
    );
    return create(UserStatsResponseSchema, {
      totalUsers: BigInt(total),
      registeredLast24h: BigInt(registered24h),
      registeredToday: BigInt(registeredToday),
      activeLast24h: BigInt(active24h),
      activeLast7d: BigInt(active7d),
      asOf: timestampFromDate(asOf),
    });
  };
}
