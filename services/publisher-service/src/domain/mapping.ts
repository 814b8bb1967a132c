import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ChannelOutcomeSchema, ChannelSchema, ChatKind as ChatKindMessage, PostSchema, PostStatus as PostStatusMessage, type Channel, type Post } from '@nova/contracts';
import type { Channel as ChannelRow, ChatKind, Post as PostRow, PostDelivery, PostStatus } from '../generated/prisma/client.js';
import type { LinkableChatKind, OutgoingPost, PostButton, PostEntity } from './ports.js';

export type PostWithDeliveries = PostRow & { readonly deliveries: readonly PostDelivery[] };

/** Prisma's include for a post with its channels in the owner's order. */
export const WITH_DELIVERIES = { deliveries: { orderBy: { position: 'asc' } } } as const;

const KIND_ROW: Readonly<Record<LinkableChatKind, ChatKind>> = { channel: 'CHANNEL', group: 'GROUP', supergroup: 'SUPERGROUP' };
const KIND_MESSAGE: Readonly<Record<ChatKind, ChatKindMessage>> = { CHANNEL: ChatKindMessage.CHANNEL, GROUP: ChatKindMessage.GROUP, SUPERGROUP: ChatKindMessage.SUPERGROUP };
const STATUS_MESSAGE: Readonly<Record<PostStatus, PostStatusMessage>> = {
  SCHEDULED: PostStatusMessage.SCHEDULED,
  PUBLISHING: PostStatusMessage.PUBLISHING,
  PUBLISHED: PostStatusMessage.PUBLISHED,
  CANCELLED: PostStatusMessage.CANCELLED,
};

export function chatKindRow(kind: LinkableChatKind): ChatKind {
  return KIND_ROW[kind];
}

export function postStatusRow(status: PostStatusMessage): PostStatus | undefined {
  return (Object.entries(STATUS_MESSAGE) as [PostStatus, PostStatusMessage][]).find(([, value]) => value === status)?.[0];
}

export function channelMessage(row: ChannelRow): Channel {
  return create(ChannelSchema, {
    chatId: row.chatId,
    botId: row.botId,
    ownerTelegramId: row.ownerTelegramId,
    title: row.title,
    kind: KIND_MESSAGE[row.kind],
    linkedAt: timestampFromDate(row.linkedAt),
  });
}

/** The content as stored (JSON columns hold what validation produced). */
export function storedContent(row: PostRow): OutgoingPost {
  return {
    text: row.text,
    entities: row.entities as unknown as PostEntity[],
    photo: row.photo ?? undefined,
    buttons: row.buttons as unknown as PostButton[][],
  };
}

export function postMessage(row: PostWithDeliveries): Post {
  const content = storedContent(row);
  return create(PostSchema, {
    postId: row.id,
    ownerTelegramId: row.ownerTelegramId,
    content: {
      text: content.text,
      entities: content.entities.map((entity) => ({
        type: entity.type,
        offset: entity.offset,
        length: entity.length,
        url: entity.url ?? '',
        language: entity.language ?? '',
        customEmojiId: entity.custom_emoji_id ?? '',
      })),
      photo: content.photo ?? '',
      buttons: content.buttons.map((buttons) => ({ buttons: buttons.map((button) => ({ text: button.text, url: button.url })) })),
    },
    chatIds: row.deliveries.map((delivery) => delivery.chatId),
    publishAt: timestampFromDate(row.publishAt),
    status: STATUS_MESSAGE[row.status],
    createdAt: timestampFromDate(row.createdAt),
    ...(row.publishedAt === null ? {} : { publishedAt: timestampFromDate(row.publishedAt) }),
    outcomes: row.deliveries.filter(isSettled).map((delivery) =>
      create(ChannelOutcomeSchema, {
        chatId: delivery.chatId,
        botId: delivery.botId ?? 0n,
        sent: delivery.sentAt !== null,
        messageId: delivery.messageId ?? 0n,
        errorCode: delivery.errorCode ?? 0,
        error: delivery.failure ?? '',
      }),
    ),
  });
}

/** Sent, or failed for good: nothing more will be tried in that channel. */
export function isSettled(delivery: Pick<PostDelivery, 'sentAt' | 'errorCode'>): boolean {
  return delivery.sentAt !== null || delivery.errorCode !== null;
}
