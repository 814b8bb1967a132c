import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { BusinessConnectionSchema, StoryMediaKind, StorySchema, StoryStatus, type BusinessConnection, type Story } from '@nova/contracts';
import type { BusinessConnection as ConnectionRow, Story as StoryRow, StoryStatus as StoryStatusRow } from '../generated/prisma/client.js';

const STATUS_MESSAGE: Readonly<Record<StoryStatusRow, StoryStatus>> = { POSTING: StoryStatus.POSTING, POSTED: StoryStatus.POSTED, FAILED: StoryStatus.FAILED };

export function storyMessage(row: StoryRow): Story {
  return create(StorySchema, {
    storyId: row.id,
    ownerTelegramId: row.ownerTelegramId,
    botId: row.botId,
    businessConnectionId: row.businessConnectionId,
    content: { kind: row.mediaKind === 'PHOTO' ? StoryMediaKind.PHOTO : StoryMediaKind.VIDEO, mediaUrl: row.mediaUrl },
    activePeriodSeconds: row.activePeriod,
    caption: row.caption,
    status: STATUS_MESSAGE[row.status],
    telegramChatId: row.telegramChatId ?? 0n,
    telegramStoryId: row.telegramStoryId ?? 0n,
    createdAt: timestampFromDate(row.createdAt),
    ...(row.postedAt === null ? {} : { postedAt: timestampFromDate(row.postedAt) }),
    errorCode: row.errorCode ?? 0,
    error: row.failure ?? '',
  });
}

export function connectionMessage(row: ConnectionRow): BusinessConnection {
  return create(BusinessConnectionSchema, {
    connectionId: row.connectionId,
    botId: row.botId,
    userTelegramId: row.userTelegramId,
    userChatId: row.userChatId,
    canManageStories: row.canManageStories,
    isEnabled: row.isEnabled,
    date: timestampFromDate(row.date),
  });
}
