import { systemClock, type Clock, type ContextHandlers, type EventPublisher } from '@nova/domain';
import { linkChannelHandler, listChannelsHandler, unlinkChannelHandler } from './channels.js';
import type { PublisherDatabase } from './database.js';
import { grantPostingHandler } from './entitlement.js';
import { recordBusinessConnectionHandler } from './business-connections.js';
import type { BotOwnership, ChannelTelegram, OwnerNotifier, PostingEntitlement, RecipientLocales, StoriesEntitlement, StoryTelegram, UnrecordedKind, UnrecordedSend } from './ports.js';
import { cancelPostHandler, createPostHandler, listPostsHandler, updatePostHandler } from './posts.js';
import { listDueHandler } from './list-due.js';
import { publishDueHandler } from './publish-due.js';
import { publisherStatsHandler } from './stats.js';
import { listStoriesHandler, postStoryHandler } from './stories.js';
import type { PublishDeps } from './publish.js';
import { publicationWorker, type PublicationWorker, type PublicationWorkerOptions } from './publication.js';
import { announceHandler, announcementStatusHandler, announcementWorker, listAnnouncementsHandler, type AnnouncementRecipients, type AnnouncementTelegram, type AnnouncementWorker } from './announcements.js';

export interface PublisherContextDeps {
  readonly db: PublisherDatabase;
  /** Where nova.publisher.post_published goes once committed (JetStream, or the monolith's in-process bus). */
  readonly publisher: EventPublisher;
  readonly telegram: ChannelTelegram;
  /** The main bot, for the owner's report after each publication. */
  readonly notifier: OwnerNotifier;
  /** Each person's language (the users context): the owner's report is worded in it. */
  readonly locales: RecipientLocales;
  readonly bots: BotOwnership;
  readonly entitlement: PostingEntitlement;
  readonly clock?: Clock;
  /** How long a sender holds a channel it sends to before another may take it over. Default 60 s. */
  readonly sendLeaseMs?: number;
  /** Told of a send Telegram may have taken that was not recorded (it may go out twice). */
  readonly onUnrecordedSend?: UnrecordedSend;
  /** How long a failing "sent" record is retried while the lease is still ours (ports.ts, recordDeadline). Default 30 s. */
  readonly recordRetryMs?: number;
  /** Told of each failed "sent" record that will be tried again. */
  readonly onRecordRetry?: (kind: UnrecordedKind, error: unknown) => void;
  /**
   * Stories through business connections (both wirings give it). Absent: post_story answers
   * UNAVAILABLE; business connections are still recorded and stories listed.
   */
  readonly stories?: { readonly telegram: StoryTelegram; readonly entitlement: StoriesEntitlement };
  /** The main bot and the users context, for admins' announcements (both wirings give them; the worker needs them). */
  readonly announcements?: { readonly telegram: AnnouncementTelegram; readonly recipients: AnnouncementRecipients };
}

/** The worker of the announcements' work items (nova.publisher.announcement_requested). */
export function createAnnouncementWorker(deps: PublisherContextDeps & { readonly announcements: NonNullable<PublisherContextDeps['announcements']> }, options?: { readonly pollMs?: number }): AnnouncementWorker {
  return announcementWorker({ ...publishingDeps(deps), ...deps.announcements }, options);
}

/** The worker of the publications' work items (nova.publisher.publication_requested), with the same dependencies. */
export function createPublicationWorker(deps: PublisherContextDeps, options?: PublicationWorkerOptions): PublicationWorker {
  return publicationWorker(publishingDeps(deps), options);
}

function publishingDeps(deps: PublisherContextDeps): PublishDeps {
  return { db: deps.db, telegram: deps.telegram, publisher: deps.publisher, notifier: deps.notifier, locales: deps.locales, entitlement: deps.entitlement, clock: deps.clock ?? systemClock, sendLeaseMs: deps.sendLeaseMs ?? 60_000, onUnrecordedSend: deps.onUnrecordedSend, ...(deps.recordRetryMs === undefined ? {} : { recordRetryMs: deps.recordRetryMs }), ...(deps.onRecordRetry === undefined ? {} : { onRecordRetry: deps.onRecordRetry }) };
}

/** The publisher context's request handlers, keyed like METHODS.publisher: svc.publisher.create_post → create_post. */
export function createPublisherHandlers(deps: PublisherContextDeps): ContextHandlers<'publisher'> {
  const clock = deps.clock ?? systemClock;
  const publishing = publishingDeps(deps);
  const channels = { db: deps.db, telegram: deps.telegram, bots: deps.bots, clock };
  return {
    link_channel: linkChannelHandler(channels),
    unlink_channel: unlinkChannelHandler(deps.db),
    list_channels: listChannelsHandler(deps.db),
    create_post: createPostHandler(publishing),
    update_post: updatePostHandler(publishing),
    cancel_post: cancelPostHandler(publishing),
    list_posts: listPostsHandler(publishing),
    publish_due: publishDueHandler(publishing),
    grant_posting: grantPostingHandler(deps.db, clock),
    record_business_connection: recordBusinessConnectionHandler(deps.db, clock),
    post_story: postStoryHandler(deps.stories === undefined ? undefined : { db: deps.db, bots: deps.bots, ...deps.stories, clock, sendLeaseMs: deps.sendLeaseMs ?? 60_000 }),
    list_stories: listStoriesHandler(deps.db),
    list_due: listDueHandler({ db: deps.db, clock }),
    stats: publisherStatsHandler(deps.db, clock),
    announce: announceHandler({ db: deps.db, publisher: deps.publisher, clock }),
    announcement_status: announcementStatusHandler({ db: deps.db, clock }),
    list_announcements: listAnnouncementsHandler({ db: deps.db, clock }),
  };
}
