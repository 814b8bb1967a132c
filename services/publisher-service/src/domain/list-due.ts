/**
 * The due posts as work items, for the notification context's scheduler (svc.publisher.list_due):
 * each with its owner and due time, nothing published. During the notification canary each
 * side's scheduler keeps the posts whose owner's routing bucket is its own and hands them to
 * publish_due by id (publish-due.ts), so the side that hands a post is decided per chat, and the
 * lag from due time to hand-off can be measured. The rows are the durable work items: a post
 * stays listed until it is PUBLISHED (or cancelled), whoever died half way through it. With
 * due_before it also lists the posts about to fall due (the scheduler's timers); publish_due
 * still takes only the posts whose time has come.
 */
import { create } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { DuePostSchema, ListDueResponseSchema, type DuePost, type ListDueRequest, type ListDueResponse } from '@nova/contracts';
import { InvalidArgumentError, type Clock, type HandlerContext } from '@nova/domain';
import type { PublisherDatabase } from './database.js';
import { refusal } from './refuse.js';

const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 5_000;
/** How far ahead due_before may look: a scheduler's tick interval is 30 s, its slowest job hourly. */
export const MAX_LOOK_AHEAD_MS = 3_600_000;

/** What publish_due and list_due both call due: scheduled, or left part-published by a failure or a crash. */
export function dueWhere(now: Date) {
  return { status: { in: ['SCHEDULED', 'PUBLISHING'] as ('SCHEDULED' | 'PUBLISHING')[] }, publishAt: { lte: now } };
}

/** Published posts whose owner's report is still to send (not sent, not refused for good). */
export const AWAITING_REPORT = { status: 'PUBLISHED' as const, reportSentAt: null, reportFailure: null };

type Row = { id: bigint; ownerTelegramId: bigint; publishAt: Date };

function duePost(row: Row): DuePost {
  return create(DuePostSchema, { postId: row.id, ownerTelegramId: row.ownerTelegramId, publishAt: timestampFromDate(row.publishAt) });
}

export function listDueHandler(deps: { readonly db: PublisherDatabase; readonly clock: Clock }) {
  return async (request: ListDueRequest, _ctx: HandlerContext): Promise<ListDueResponse> => {
    if (request.limit < 0 || request.limit > MAX_LIMIT) throw refusal(InvalidArgumentError, 'limit-range', { max: String(MAX_LIMIT) }, { field: 'limit' });
    const limit = request.limit === 0 ? DEFAULT_LIMIT : request.limit;
    const select = { id: true, ownerTelegramId: true, publishAt: true };
    const after = request.afterPublishAt === undefined ? undefined : timestampDate(request.afterPublishAt);
    // Keyset paging on the order itself: a page never repeats or skips a post that stays due.
    const page = after === undefined ? {} : { OR: [{ publishAt: { gt: after } }, { publishAt: after, id: { gt: request.afterPostId } }] };
    const now = deps.clock();
    const until = request.dueBefore === undefined ? now : timestampDate(request.dueBefore);
    if (until.getTime() > now.getTime() + MAX_LOOK_AHEAD_MS) throw refusal(InvalidArgumentError, 'due-before-too-far', {}, { field: 'due_before' });
    const posts = await deps.db.post.findMany({ where: { ...dueWhere(until < now ? now : until), ...page }, orderBy: [{ publishAt: 'asc' }, { id: 'asc' }], take: limit, select });
    const awaiting = after === undefined ? await deps.db.post.findMany({ where: AWAITING_REPORT, orderBy: { id: 'asc' }, take: limit, select }) : [];
    return create(ListDueResponseSchema, { posts: posts.map(duePost), awaitingReport: awaiting.map(duePost) });
  };
}
