export { BusBotOwnership, BusBotTokens } from './bot-directory.js';
export { ClientChannelTelegram, type BotTokenSource } from './channel-telegram.js';
export { MainBotNotifier } from './main-bot-notifier.js';
export { PaymentsPostingEntitlement, PaymentsStoriesEntitlement } from './payment-entitlement.js';
export { HttpStoryMedia, STORY_MEDIA_LIMITS, type StoryMediaSource } from './story-media.js';
export { publisherContextConfig, type PublisherContextConfig } from './config.js';
export { ANNOUNCEMENTS_CONSUMER, LEGACY_ANNOUNCEMENTS_CONSUMER, LEGACY_PUBLICATIONS_CONSUMER, PUBLICATIONS_CONSUMER, startPublisherContext, type PublisherContext, type PublisherContextHost, type PublisherContextOptions } from './publisher-context.js';
export { BotSendLeases, openSendLeasesBucket, SendBudgetUnavailableError, SEND_LEASES_BUCKET, type BotSendLeasesOptions } from './bot-send-leases.js';
export { publisherTelegramError } from './telegram-failures.js';
