/**
 * Stories: posted through one of the owner's child bots on a Telegram Business account that
 * connected the bot with the can_manage_stories right (Bot API postStory). Every check runs
 * before anything is stored: the request's form, the stories subscription, the bot's owner, the
 * connection as stored and as Telegram reports it now. Then the story is stored (POSTING, under a
 * lease) and posted; a repeated effect_key answers the stored story and never posts it twice
 * while a sender holds it. Telegram has no idempotency key: a sender that dies mid-call leaves
 * its lease to run out, and a repeat after that may post the story twice (at most once more per
 * crash).
 */
import { create } from '@bufbuild/protobuf';
import { ListStoriesResponseSchema, PostStoryResponseSchema, type ListStoriesRequest, type ListStoriesResponse, type PostStoryRequest, type PostStoryResponse } from '@nova/contracts';
import { effectKey, FailedPreconditionError, NotFoundError, PermissionDeniedError, telegramId, UnavailableError, type Clock, type HandlerContext } from '@nova/domain';
import type { BusinessConnection as ConnectionRow, Story as StoryRow } from '../generated/prisma/client.js';
import { NoStoryConnectionError, storyConnection } from './business-connections.js';
import type { PublisherDatabase } from './database.js';
import { ChannelNotSentError, ChannelRefusedError, type BotOwnership, type OutgoingStory, type StoriesEntitlement, type StoryTelegram } from './ports.js';
import { storyMessage } from './story-mapping.js';
import { connectionIdOf, storyContent } from './story-validation.js';
import { refusal } from './refuse.js';

export interface StoryDeps {
  readonly db: PublisherDatabase;
  readonly bots: BotOwnership;
  readonly telegram: StoryTelegram;
  readonly entitlement: StoriesEntitlement;
  readonly clock: Clock;
  /** How long a sender holds a story it is posting (longer than one upload with its retries). */
  readonly sendLeaseMs: number;
}

export function postStoryHandler(deps: StoryDeps | undefined) {
  return async (request: PostStoryRequest, _ctx: HandlerContext): Promise<PostStoryResponse> => {
    const owner = telegramId(request.ownerTelegramId, 'owner_telegram_id');
    const botId = telegramId(request.botId, 'bot_id');
    const named = connectionIdOf(request.businessConnectionId);
    const story = storyContent(request.content, request.activePeriodSeconds, request.caption);
    const key = effectKey(request.effectKey);
    if (deps === undefined) throw new UnavailableError('stories are not configured in this process', { reason: 'stories_unconfigured' });
    if (key !== undefined) {
      const repeated = await deps.db.story.findUnique({ where: { effectKey: key } });
      if (repeated !== null) return answer(await postStored(deps, repeated));
    }
    const now = deps.clock();
    if (!(await deps.entitlement.hasStoriesSubscription(owner, now))) {
      throw refusal(FailedPreconditionError, 'no-stories-subscription', {}, { owner_telegram_id: owner.toString(), subscription: 'stories' });
    }
    const botOwner = await deps.bots.ownerOf(botId);
    if (botOwner === undefined) throw refusal(NotFoundError, 'bot-not-found', { bot: botId.toString() }, { bot_id: botId.toString() });
    if (botOwner !== owner) throw refusal(PermissionDeniedError, 'bot-not-yours', { bot: botId.toString() }, { bot_id: botId.toString() });
    const connection = await confirmedConnection(deps, botId, await storyConnection(deps.db, botId, owner, named));
    const stored = await storeStory(deps, { owner, botId, connectionId: connection.connectionId, story, key, now });
    return answer(await postStored(deps, stored));
  };
}

function answer(row: StoryRow): PostStoryResponse {
  return create(PostStoryResponseSchema, { story: storyMessage(row) });
}

/**
 * Asks Telegram for the connection as it is now (the right may have been taken away since the
 * last business_connection update arrived) and keeps the answer; refuses where no story can go.
 */
async function confirmedConnection(deps: StoryDeps, botId: bigint, stored: ConnectionRow): Promise<ConnectionRow> {
  const details = { bot_id: botId.toString(), business_connection_id: stored.connectionId };
  let current;
  try {
    current = await deps.telegram.getBusinessConnection(botId, stored.connectionId);
  } catch (error) {
    if (!(error instanceof ChannelRefusedError)) throw error;
    await deps.db.businessConnection.update({ where: { connectionId: stored.connectionId }, data: { isEnabled: false, recordedAt: deps.clock() } });
    throw refusal(NoStoryConnectionError, 'business-connection-gone', { bot: botId.toString() }, { ...details, telegram_error: `${String(error.errorCode)} ${error.description}` });
  }
  const row = await deps.db.businessConnection.update({
    where: { connectionId: stored.connectionId },
    data: { canManageStories: current.canManageStories, isEnabled: current.isEnabled, recordedAt: deps.clock(), ...(current.date.getTime() > stored.date.getTime() ? { date: current.date } : {}) },
  });
  if (!row.isEnabled) throw refusal(NoStoryConnectionError, 'business-connection-gone', { bot: botId.toString() }, details);
  if (!row.canManageStories) {
    throw refusal(NoStoryConnectionError, 'business-no-story-right', { bot: botId.toString() }, details);
  }
  return row;
}

interface NewStory {
  readonly owner: bigint;
  readonly botId: bigint;
  readonly connectionId: string;
  readonly story: OutgoingStory;
  readonly key: string | undefined;
  readonly now: Date;
}

/** Stored as POSTING; two concurrent requests with one effect_key store it once and both answer it. */
async function storeStory(deps: StoryDeps, input: NewStory): Promise<StoryRow> {
  const data = {
    ownerTelegramId: input.owner,
    botId: input.botId,
    businessConnectionId: input.connectionId,
    mediaKind: input.story.kind === 'photo' ? ('PHOTO' as const) : ('VIDEO' as const),
    mediaUrl: input.story.mediaUrl,
    activePeriod: input.story.activePeriod,
    caption: input.story.caption,
    status: 'POSTING' as const,
    effectKey: input.key ?? null,
    createdAt: input.now,
  };
  if (input.key === undefined) return deps.db.story.create({ data });
  await deps.db.story.createMany({ data: [data], skipDuplicates: true });
  return deps.db.story.findUniqueOrThrow({ where: { effectKey: input.key } });
}

function outgoingOf(row: StoryRow): OutgoingStory {
  return { kind: row.mediaKind === 'PHOTO' ? 'photo' : 'video', mediaUrl: row.mediaUrl, activePeriod: row.activePeriod, caption: row.caption };
}

/**
 * Posts a stored story unless it is settled or another sender holds it (then it is answered as
 * it stands). Telegram's refusal settles it as FAILED with Telegram's words; a transient failure
 * throws UnavailableError, and repeating the request (same effect_key) goes on.
 */
async function postStored(deps: StoryDeps, row: StoryRow): Promise<StoryRow> {
  if (row.status !== 'POSTING') return row;
  const now = deps.clock();
  const claimed = await deps.db.story.updateMany({
    where: { id: row.id, status: 'POSTING', OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
    data: { leaseUntil: new Date(now.getTime() + deps.sendLeaseMs) },
  });
  if (claimed.count === 0) return deps.db.story.findUniqueOrThrow({ where: { id: row.id } });
  try {
    const posted = await deps.telegram.postStory(row.botId, row.businessConnectionId, outgoingOf(row));
    return await deps.db.story.update({ where: { id: row.id }, data: { status: 'POSTED', leaseUntil: null, postedAt: deps.clock(), telegramChatId: posted.chatId, telegramStoryId: posted.storyId } });
  } catch (error) {
    if (error instanceof ChannelRefusedError) {
      return deps.db.story.update({ where: { id: row.id }, data: { status: 'FAILED', leaseUntil: null, errorCode: error.errorCode, failure: error.description } });
    }
    // Surely not posted: free it for a repeat now. Unknown (a timeout): the lease runs out first.
    if (error instanceof ChannelNotSentError) await deps.db.story.update({ where: { id: row.id }, data: { leaseUntil: null } });
    throw new UnavailableError(`story ${row.id.toString()} is not posted yet; repeat the request with the same effect_key`, { story_id: row.id.toString() }, { cause: error });
  }
}

export function listStoriesHandler(db: PublisherDatabase) {
  return async (request: ListStoriesRequest, _ctx: HandlerContext): Promise<ListStoriesResponse> => {
    const owner = telegramId(request.ownerTelegramId, 'owner_telegram_id');
    const rows = await db.story.findMany({ where: { ownerTelegramId: owner }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 100 });
    return create(ListStoriesResponseSchema, { stories: rows.map(storyMessage) });
  };
}
