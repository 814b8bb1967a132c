export { PUBLISHER_MIGRATIONS_DIR, PUBLISHER_SCHEMA, openPublisherDatabase, type PublisherDatabase, type PublisherDatabaseOptions, type PublisherTransaction } from './database.js';
export { prunePublisherHistory } from './effects.js';
export { AnyOfEntitlements, AnyOfStoriesEntitlements, GrantTableEntitlement } from './entitlement.js';
export { createAnnouncementWorker, createPublicationWorker, createPublisherHandlers, type PublisherContextDeps } from './handlers.js';
export { announcementTextFor, announcementWorker, BLOCKED_BY_USER, validAnnouncement, type AnnouncementRecipient, type AnnouncementRecipients, type AnnouncementTranslations, type AnnouncementTelegram, type AnnouncementWorker } from './announcements.js';
export type { PublicationWorker, PublicationWorkerOptions } from './publication.js';
export { CLAIM_BATCH } from './broadcast.js';
export { INLINE_PUBLISH_MAX } from './publish.js';
export { publisherOutboxStore, flushPublisherOutbox } from './outbox-store.js';
export {
  ChannelNotSentError,
  ChannelRefusedError,
  type BotMembership,
  type BotOwnership,
  type BusinessConnectionInfo,
  type OutgoingStory,
  type StoriesEntitlement,
  type StoryTelegram,
  type ChannelTelegram,
  type LinkableChatKind,
  type OwnerNotifier,
  type OutgoingPost,
  type PostButton,
  type PostEntity,
  type PostingEntitlement,
  type RecipientLocales,
  type SendOptions,
  type TelegramChatInfo,
  type UnrecordedKind,
  type UnrecordedSend,
  leaseStartBy,
} from './ports.js';
export { reportText } from './report.js';
export { PUBLISHER_CATALOGUE } from './texts.js';
export { MAX_CAPTION, MAX_TEXT } from './validation.js';
export { MAX_STORY_CAPTION, STORY_ACTIVE_PERIODS } from './story-validation.js';
