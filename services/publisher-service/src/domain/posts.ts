/**
 * Posts: created for the owner's linked channels (now or at a time), edited or cancelled while
 * still scheduled, listed. A refused request stores nothing: every check runs before, or inside
 * the transaction that would store.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  CancelPostResponseSchema,
  CreatePostResponseSchema,
  ListPostsResponseSchema,
  PostStatus as PostStatusMessage,
  UpdatePostResponseSchema,
  type CancelPostRequest,
  type CancelPostResponse,
  type CreatePostRequest,
  type CreatePostResponse,
  type ListPostsRequest,
  type ListPostsResponse,
  type UpdatePostRequest,
  type UpdatePostResponse,
} from '@nova/contracts';
import { effectKey, FailedPreconditionError, NotFoundError, telegramId, type HandlerContext } from '@nova/domain';
import type { Prisma } from '../generated/prisma/client.js';
import type { PublisherTransaction } from './database.js';
import { claimEffect, effectResult, recordEffectResult } from './effects.js';
import { postMessage, postStatusRow, WITH_DELIVERIES, type PostWithDeliveries } from './mapping.js';
import type { OutgoingPost } from './ports.js';
import { flushPublisherOutbox } from './outbox-store.js';
import { INLINE_PUBLISH_MAX, publishPost, PublishIncompleteError, sendWindow, startPublication, type PublishDeps } from './publish.js';
import { postChats, postContent, publishTime } from './validation.js';
import { refusal } from './refuse.js';

export type PostDeps = PublishDeps;

function contentColumns(content: OutgoingPost): Pick<Prisma.PostUncheckedCreateInput, 'text' | 'entities' | 'photo' | 'buttons'> {
  return {
    text: content.text,
    entities: content.entities as unknown as Prisma.InputJsonValue,
    photo: content.photo ?? null,
    buttons: content.buttons as unknown as Prisma.InputJsonValue,
  };
}

export function createPostHandler(deps: PostDeps) {
  return async (request: CreatePostRequest, ctx: HandlerContext): Promise<CreatePostResponse> => {
    const owner = telegramId(request.ownerTelegramId, 'owner_telegram_id');
    const chatIds = postChats(request.chatIds);
    const content = postContent(request.content);
    const now = deps.clock();
    const publishAt = publishTime(request.publishAt, now);
    const key = effectKey(request.effectKey);
    if (!(await deps.entitlement.hasPostingSubscription(owner, now))) {
      throw refusal(FailedPreconditionError, 'no-posting-subscription', {}, { owner_telegram_id: owner.toString(), subscription: 'posting' });
    }
    const postId = await deps.db.$transaction(async (tx) => {
      if (key !== undefined && !(await claimEffect(tx, key))) {
        const stored = await effectResult(tx, key);
        if (stored === null) throw new Error(`effect ${key} was recorded without its answer`);
        return fromBinary(CreatePostResponseSchema, stored).post?.postId ?? 0n;
      }
      await requireLinked(tx, owner, chatIds);
      const row = await tx.post.create({
        data: {
          ownerTelegramId: owner,
          ...contentColumns(content),
          publishAt,
          status: 'SCHEDULED',
          createdAt: now,
          updatedAt: now,
          deliveries: { create: chatIds.map((chatId, position) => ({ chatId, position })) },
        },
        include: WITH_DELIVERIES,
      });
      if (key !== undefined) await recordEffectResult(tx, key, toBinary(CreatePostResponseSchema, create(CreatePostResponseSchema, { post: postMessage(row) })));
      return row.id;
    });
    // "Now" publishes in the call when it takes about a second; a broadcast to more channels is
    // left to its work item (answered PUBLISHING at once). A repeated call goes on where a failed
    // first one stopped.
    if (publishAt.getTime() <= now.getTime() && chatIds.length > INLINE_PUBLISH_MAX) {
      await startPublication(deps, postId);
      await flushPublisherOutbox(deps.db, deps.publisher).catch(() => undefined); // else the relay's next tick
    } else if (publishAt.getTime() <= now.getTime()) {
      try {
        const { post } = await publishPost(deps, postId, sendWindow(ctx));
        return create(CreatePostResponseSchema, { post: postMessage(post) });
      } catch (error) {
        // Stored and under way: answering an error would invite the caller to create it again.
        // The post comes back PUBLISHING with the channels done so far; publish_due finishes it.
        if (!(error instanceof PublishIncompleteError)) throw error;
      }
    }
    return create(CreatePostResponseSchema, { post: postMessage(await deps.db.post.findUniqueOrThrow({ where: { id: postId }, include: WITH_DELIVERIES })) });
  };
}

/** Every chat must be linked by this owner; the first that is not is named. */
async function requireLinked(tx: PublisherTransaction, owner: bigint, chatIds: readonly bigint[]): Promise<void> {
  const linked = await tx.channel.findMany({ where: { chatId: { in: [...chatIds] }, ownerTelegramId: owner }, select: { chatId: true } });
  const known = new Set(linked.map((row) => row.chatId));
  const missing = chatIds.find((chatId) => !known.has(chatId));
  if (missing !== undefined) {
    throw refusal(NotFoundError, 'chat-not-linked', { chat: missing.toString() }, { chat_id: missing.toString(), field: 'chat_ids' });
  }
}

/** The owner's post, or NOT_FOUND (another owner's post is as unknown as a missing one). */
async function ownedPost(tx: PublisherTransaction, owner: bigint, postId: bigint): Promise<PostWithDeliveries> {
  const row = await tx.post.findUnique({ where: { id: postId }, include: WITH_DELIVERIES });
  if (row?.ownerTelegramId !== owner) throw refusal(NotFoundError, 'post-not-found', { post: postId.toString() }, { post_id: postId.toString() });
  return row;
}

function requireScheduled(row: PostWithDeliveries, action: 'edit' | 'cancel'): void {
  if (row.status !== 'SCHEDULED') {
    throw refusal(FailedPreconditionError, 'post-not-scheduled', { post: row.id.toString(), status: row.status.toLowerCase(), action }, { post_id: row.id.toString(), status: row.status });
  }
}

export function updatePostHandler(deps: PostDeps) {
  return async (request: UpdatePostRequest, _ctx: HandlerContext): Promise<UpdatePostResponse> => {
    const owner = telegramId(request.ownerTelegramId, 'owner_telegram_id');
    const content = postContent(request.content);
    const now = deps.clock();
    const post = await deps.db.$transaction(async (tx) => {
      const row = await ownedPost(tx, owner, request.postId);
      requireScheduled(row, 'edit');
      const publishAt = request.publishAt === undefined ? row.publishAt : publishTime(request.publishAt, now);
      // Conditional on SCHEDULED: a publish that started meanwhile wins, and this edit is refused.
      const { count } = await tx.post.updateMany({ where: { id: row.id, status: 'SCHEDULED' }, data: { ...contentColumns(content), publishAt, updatedAt: now } });
      if (count === 0) throw refusal(FailedPreconditionError, 'post-started', { post: row.id.toString(), action: 'edit' }, { post_id: row.id.toString() });
      return tx.post.findUniqueOrThrow({ where: { id: row.id }, include: WITH_DELIVERIES });
    });
    return create(UpdatePostResponseSchema, { post: postMessage(post) });
  };
}

export function cancelPostHandler(deps: PostDeps) {
  return async (request: CancelPostRequest, _ctx: HandlerContext): Promise<CancelPostResponse> => {
    const owner = telegramId(request.ownerTelegramId, 'owner_telegram_id');
    const now = deps.clock();
    const post = await deps.db.$transaction(async (tx) => {
      const row = await ownedPost(tx, owner, request.postId);
      if (row.status === 'CANCELLED') return row;
      requireScheduled(row, 'cancel');
      const { count } = await tx.post.updateMany({ where: { id: row.id, status: 'SCHEDULED' }, data: { status: 'CANCELLED', updatedAt: now } });
      if (count === 0) throw refusal(FailedPreconditionError, 'post-started', { post: row.id.toString(), action: 'cancel' }, { post_id: row.id.toString() });
      return tx.post.findUniqueOrThrow({ where: { id: row.id }, include: WITH_DELIVERIES });
    });
    return create(CancelPostResponseSchema, { post: postMessage(post) });
  };
}

export function listPostsHandler(deps: Pick<PostDeps, 'db'>) {
  return async (request: ListPostsRequest, _ctx: HandlerContext): Promise<ListPostsResponse> => {
    const owner = telegramId(request.ownerTelegramId, 'owner_telegram_id');
    const status = request.status === PostStatusMessage.UNSPECIFIED ? undefined : postStatusRow(request.status);
    const rows = await deps.db.post.findMany({
      where: { ownerTelegramId: owner, ...(status === undefined ? {} : { status }) },
      orderBy: [{ publishAt: 'desc' }, { id: 'desc' }],
      include: WITH_DELIVERIES,
      take: 200,
    });
    return create(ListPostsResponseSchema, { posts: rows.map(postMessage) });
  };
}
