import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  CancelPostRequestSchema,
  CreatePostRequestSchema,
  ErrorCode,
  LinkChannelRequestSchema,
  ListChannelsRequestSchema,
  ListPostsRequestSchema,
  type PostContentSchema,
  PostStoryRequestSchema,
  StoryMediaKind,
  UnlinkChannelRequestSchema,
  UpdatePostRequestSchema,
} from '@nova/contracts';
import { DomainError, type HandlerContext } from '@nova/domain';
import type { PostDraft } from '../main-bot/post-draft.js';
import type { PublishingIntent, PublishingOutcome } from '../main-bot/publishing.js';
import type { UpdateProcessingDeps } from './deps.js';

/** Refusals the owner can act on; anything else (UNAVAILABLE, a timeout) is retried by redelivery. */
const REFUSALS: ReadonlySet<ErrorCode> = new Set([ErrorCode.INVALID_ARGUMENT, ErrorCode.NOT_FOUND, ErrorCode.FAILED_PRECONDITION, ErrorCode.PERMISSION_DENIED]);

/**
 * Asks the publisher context what the main bot decided. A post and a story are made under the
 * update's msgID (effect_key), so a redelivered /post or /story answers the first one and
 * publishes nothing twice. The publisher's refusals become outcomes carrying its reason code and
 * arguments (details), worded in the owner's language by publishing.ts; a publisher that cannot
 * be reached is thrown, so the update is retried.
 */
export async function carryOutPublishing(deps: UpdateProcessingDeps, intent: PublishingIntent, owner: bigint, effectKey: string, ctx: HandlerContext): Promise<PublishingOutcome> {
  const desk = deps.publishing;
  if (desk === undefined) return { ok: false, failure: 'unavailable' };
  try {
    return await ask(desk, intent, owner, effectKey, ctx);
  } catch (error) {
    if (error instanceof DomainError && REFUSALS.has(error.code)) return { ok: false, failure: 'refused', details: error.details };
    throw error;
  }
}

/** The main bot's draft as the publisher's PostContent (its limits are checked there). */
function postContent(draft: PostDraft): MessageInitShape<typeof PostContentSchema> {
  return {
    text: draft.text,
    entities: draft.entities.map((entity) => ({
      type: entity.type,
      offset: entity.offset,
      length: entity.length,
      url: 'url' in entity ? entity.url : '',
      language: 'language' in entity ? entity.language ?? '' : '',
      customEmojiId: 'custom_emoji_id' in entity ? entity.custom_emoji_id : '',
    })),
    photo: draft.photo ?? '',
    buttons: draft.buttons.map((row) => ({ buttons: row.map((button) => ({ text: button.text, url: button.url })) })),
  };
}

async function ask(desk: NonNullable<UpdateProcessingDeps['publishing']>, intent: PublishingIntent, owner: bigint, effectKey: string, ctx: HandlerContext): Promise<PublishingOutcome> {
  switch (intent.kind) {
    case 'channels':
      return { ok: true, kind: 'channels', channels: (await desk.list_channels(create(ListChannelsRequestSchema, { ownerTelegramId: owner }), ctx)).channels };
    case 'posts':
      return { ok: true, kind: 'posts', posts: (await desk.list_posts(create(ListPostsRequestSchema, { ownerTelegramId: owner }), ctx)).posts };
    case 'link': {
      const { channel } = await desk.link_channel(create(LinkChannelRequestSchema, { ownerTelegramId: owner, botId: intent.botId, chatId: intent.chatId }), ctx);
      return channel === undefined ? { ok: false, failure: 'unavailable' } : { ok: true, kind: 'linked', channel };
    }
    case 'unlink':
      await desk.unlink_channel(create(UnlinkChannelRequestSchema, { ownerTelegramId: owner, chatId: intent.chatId }), ctx);
      return { ok: true, kind: 'unlinked' };
    case 'cancel_post': {
      const { post } = await desk.cancel_post(create(CancelPostRequestSchema, { ownerTelegramId: owner, postId: intent.postId }), ctx);
      return post === undefined ? { ok: false, failure: 'unavailable' } : { ok: true, kind: 'post', post };
    }
    case 'edit_post': {
      const { post } = await desk.update_post(create(UpdatePostRequestSchema, {
        ownerTelegramId: owner,
        postId: intent.postId,
        content: postContent(intent.content),
        ...(intent.publishAt === undefined ? {} : { publishAt: timestampFromDate(intent.publishAt) }),
      }), ctx);
      return post === undefined ? { ok: false, failure: 'unavailable' } : { ok: true, kind: 'post', post };
    }
    case 'post': {
      const chatIds = intent.chatIds ?? (await desk.list_channels(create(ListChannelsRequestSchema, { ownerTelegramId: owner }), ctx)).channels.map((channel) => channel.chatId);
      if (chatIds.length === 0) return { ok: false, failure: 'no_channels' };
      const { post } = await desk.create_post(create(CreatePostRequestSchema, {
        ownerTelegramId: owner,
        chatIds: [...chatIds],
        content: postContent(intent.content),
        ...(intent.publishAt === undefined ? {} : { publishAt: timestampFromDate(intent.publishAt) }),
        effectKey,
      }), ctx);
      return post === undefined ? { ok: false, failure: 'unavailable' } : { ok: true, kind: 'post', post };
    }
    case 'story': {
      const { story } = await desk.post_story(create(PostStoryRequestSchema, {
        ownerTelegramId: owner,
        botId: intent.botId,
        content: { kind: intent.video ? StoryMediaKind.VIDEO : StoryMediaKind.PHOTO, mediaUrl: intent.mediaUrl },
        activePeriodSeconds: intent.activePeriodSeconds,
        caption: intent.caption,
        effectKey,
      }), ctx);
      return story === undefined ? { ok: false, failure: 'unavailable' } : { ok: true, kind: 'story', story };
    }
  }
}
