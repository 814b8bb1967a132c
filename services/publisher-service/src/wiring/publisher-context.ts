/**
 * The publisher context, assembled on a bus: its database (migrated at start when allowed), its
 * handlers served on svc.publisher.*, nova.publisher.post_published published from the outbox,
 * Telegram through the real clients with the child bots' tokens asked of the bots context. The
 * publisher service runs it on JetStream; the monolith on its in-process bus, beside the users
 * and bots contexts.
 */
import type { Bus } from '@nova/bus';
import { BotKeyring } from '@nova/bot-service/domain';
import type { Logger, Metrics, StartupProgress } from '@nova/platform';
import type { TelegramClients } from '@nova/telegram';
import { busEventPublisher, busUserLocales, databaseReachable, OutboxRelay, prepareDatabase, serveContext } from '@nova/wiring';
import {
  AnyOfEntitlements,
  AnyOfStoriesEntitlements,
  GrantTableEntitlement,
  PUBLISHER_MIGRATIONS_DIR,
  PUBLISHER_SCHEMA,
  createAnnouncementWorker,
  createPublicationWorker,
  createPublisherHandlers,
  flushPublisherOutbox,
  openPublisherDatabase,
  type PublisherDatabase,
  type UnrecordedKind,
} from '../domain/index.js';
import { BusBotOwnership, BusBotTokens } from './bot-directory.js';
import { ClientChannelTelegram } from './channel-telegram.js';
import type { PublisherContextConfig } from './config.js';
import { MainBotNotifier } from './main-bot-notifier.js';
import { PaymentsPostingEntitlement, PaymentsStoriesEntitlement } from './payment-entitlement.js';
import { BusUserRecipients } from './user-recipients.js';

export interface PublisherContextHost {
  readonly logger: Logger;
  /** runService's: PostgreSQL down at start is waited for (prepareDatabase), not a failed start. */
  readonly startup?: StartupProgress;
  readonly metrics: Metrics;
  readonly readiness: { add(name: string, check: () => Promise<boolean>): void };
  onStop(name: string, step: () => Promise<void>): void;
}

export interface PublisherContextOptions {
  readonly config: Pick<PublisherContextConfig, 'NOVA_MAIN_BOT_TOKEN' | 'NOVA_TOKEN_ENCRYPTION_KEY' | 'NOVA_PUBLISH_LEASE' | 'NOVA_MIGRATE_ON_START'>;
  readonly databaseUrl: string;
  /** The login that runs the start-up migrations (NOVA_MIGRATION_DATABASE_URL); default databaseUrl. */
  readonly migrationDatabaseUrl?: string | undefined;
  /** Serves svc.publisher.*, carries the context's events and its svc.bot.* and svc.payment.entitlement requests. */
  readonly bus: Bus;
  /** One TelegramClient per bot; the monolith shares the bots context's. */
  readonly clients: TelegramClients;
  /** Database connections of this context. Default 10. */
  readonly maxConnections?: number;
  readonly outboxIntervalMs?: number;
  /**
   * Durable name of the consumer of the publications' work items: each side of a migration has
   * its own (the route header says which side handles each one). Default PUBLICATIONS_CONSUMER.
   */
  readonly publicationsConsumer?: string;
  /** Durable name of the consumer of the announcements' work items, one per side like the publications'. Default ANNOUNCEMENTS_CONSUMER. */
  readonly announcementsConsumer?: string;
}

export const PUBLICATIONS_CONSUMER = 'publisher-publications';
export const LEGACY_PUBLICATIONS_CONSUMER = 'monolith-publisher-publications';
export const ANNOUNCEMENTS_CONSUMER = 'publisher-announcements';
export const LEGACY_ANNOUNCEMENTS_CONSUMER = 'monolith-publisher-announcements';

/**
 * A publication's work item: four broadcasts at once per replica; retried with backoff for about
 * half an hour while Telegram or a bot's budget is unavailable (publish_due still resumes one
 * that ends in the dead letters); the heartbeat keeps a long broadcast's item while it runs.
 */
const PUBLICATIONS_RETRY = { concurrency: 4, maxDeliver: 60, backoffMs: [1_000, 2_000, 5_000, 10_000, 30_000], ackWaitMs: 10_000 } as const;

export interface PublisherContext {
  readonly db: PublisherDatabase;
}

export async function startPublisherContext(host: PublisherContextHost, options: PublisherContextOptions): Promise<PublisherContext> {
  const { config, bus } = options;
  const keyring = BotKeyring.fromBase64(config.NOVA_TOKEN_ENCRYPTION_KEY);
  await prepareDatabase(options.migrationDatabaseUrl ?? options.databaseUrl, config.NOVA_MIGRATE_ON_START ? [{ schema: PUBLISHER_SCHEMA, migrationsDir: PUBLISHER_MIGRATIONS_DIR }] : [], host);
  const db = openPublisherDatabase({ connectionString: options.databaseUrl, maxConnections: options.maxConnections ?? 10 });
  const publisher = busEventPublisher(bus);
  const relay = new OutboxRelay({ name: PUBLISHER_SCHEMA, flush: () => flushPublisherOutbox(db, publisher), intervalMs: options.outboxIntervalMs ?? 5_000, logger: host.logger });
  try {
    const telegram = new ClientChannelTelegram(options.clients, new BusBotTokens(bus, keyring));
    const grants = new GrantTableEntitlement(db);
    const mainBot = new MainBotNotifier(options.clients, config.NOVA_MAIN_BOT_TOKEN);
    const unrecorded = host.metrics.counter('nova_publisher_sends_unrecorded_total', 'Sends Telegram may have taken that were not recorded (the record failed, or no answer came): each may go out once more after its lease', ['kind']);
    for (const kind of ['channel', 'report', 'announcement']) unrecorded.inc({ kind }, 0);
    const deps = {
      db,
      publisher,
      telegram,
      notifier: mainBot,
      // Each owner's and recipient's language, from the users context (whichever side serves their chat).
      locales: busUserLocales(bus),
      bots: new BusBotOwnership(bus),
      // An administrator's grant overrides; otherwise a posting subscription bought from payments.
      entitlement: new AnyOfEntitlements(grants, new PaymentsPostingEntitlement(bus)),
      sendLeaseMs: config.NOVA_PUBLISH_LEASE,
      onUnrecordedSend: (kind: UnrecordedKind, error: unknown) => {
        unrecorded.inc({ kind });
        // No text, no token: which kind, and why the record is missing.
        host.logger.warn({ kind, err: error }, 'a send may go out twice: Telegram may have taken it and it is not recorded');
      },
      // Stories: the same grant override, then a stories subscription bought from payments.
      stories: { telegram, entitlement: new AnyOfStoriesEntitlements(grants, new PaymentsStoriesEntitlement(bus)) },
      // Admins' announcements: from the main bot to the users the users context lists.
      announcements: { telegram: mainBot, recipients: new BusUserRecipients(bus) },
    };
    const publish = createPublicationWorker(deps);
    // A broadcast takes minutes: a graceful stop ends it at the next batch, and its item is redelivered.
    const stopping = new AbortController();
    const publications = await bus.consumeEvents({
      name: options.publicationsConsumer ?? PUBLICATIONS_CONSUMER,
      context: 'publisher',
      subjects: ['nova.publisher.publication_requested'],
      ...PUBLICATIONS_RETRY,
      handle: (request) => publish(request, stopping.signal),
    });
    const announce = createAnnouncementWorker(deps);
    // An announcement to every user takes minutes too: the same retries and heartbeat as a publication.
    const announcements = await bus.consumeEvents({
      name: options.announcementsConsumer ?? ANNOUNCEMENTS_CONSUMER,
      context: 'publisher',
      subjects: ['nova.publisher.announcement_requested'],
      ...PUBLICATIONS_RETRY,
      handle: (request) => announce(request, stopping.signal),
    });
    const binding = await serveContext(bus, 'publisher', createPublisherHandlers(deps));
    host.readiness.add('database:publisher_service', databaseReachable(db));
    relay.start();
    // Requests in flight finish on an open database; the outbox empties while the bus is still up.
    host.onStop('publisher context', async () => {
      await binding.stop();
      stopping.abort();
      await publications.stop();
      await announcements.stop();
      await relay.stop();
      await db.$disconnect();
    });
  } catch (error) {
    await db.$disconnect();
    throw error;
  }
  return { db };
}
