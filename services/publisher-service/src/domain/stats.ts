import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { PublisherStatsResponseSchema, type PublisherStatsRequest, type PublisherStatsResponse } from '@nova/contracts';
import type { Clock, HandlerContext } from '@nova/domain';
import type { PublisherDatabase } from './database.js';

const DAY_MS = 86_400_000;

/**
 * svc.publisher.stats: posts by status, those published in the last 24 hours, and channels
 * linked, counted in one snapshot (one transaction at REPEATABLE READ) so the figures agree
 * with each other. Counts over indexed columns: the admin panel asks once per page and sample.
 */
export function publisherStatsHandler(db: PublisherDatabase, clock: Clock) {
  return async (_request: PublisherStatsRequest, _ctx: HandlerContext): Promise<PublisherStatsResponse> => {
    const asOf = clock();
    const [byStatus, published24h, channels] = await db.$transaction(
      [
        db.post.groupBy({ by: ['status'], _count: { _all: true }, orderBy: { status: 'asc' } }),
        db.post.count({ where: { status: 'PUBLISHED', publishedAt: { gt: new Date(asOf.getTime() - DAY_MS), lte: asOf } } }),
        db.channel.count(),
      ],
      { isolationLevel: 'RepeatableRead' },
    );
    const count = (status: string): bigint => BigInt(byStatus.find((row) => row.status === status)?._count._all ?? 0);
    return create(PublisherStatsResponseSchema, {
      posts: byStatus.reduce((sum, row) => sum + BigInt(row._count._all), 0n),
      postsScheduled: count('SCHEDULED'),
      postsPublished: count('PUBLISHED'),
      postsPublished24h: BigInt(published24h),
      channels: BigInt(channels),
      asOf: timestampFromDate(asOf),
    });
  };
}
