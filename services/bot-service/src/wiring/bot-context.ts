/**
 * The bots context, assembled on a bus: its database (migrated at start when allowed), svc.bot.*
 * served, the update processor with the real Telegram clients as its gateway and svc.user.upsert
 * as its user registry, the outbox relay, and the main bot's webhook. The bot service runs it on
 * JetStream; the monolith on its in-process bus (and, after stage 1, consumes updates from
 * JetStream with the same consumer).
 */
import type { Binding, Bus, UpdateHandler } from '@nova/bus';
import { systemClock } from '@nova/domain';
import type { Logger, StartupProgress } from '@nova/platform';
import type { TelegramClients } from '@nova/telegram';
import { busEventPublisher, databaseReachable, OutboxRelay, prepareDatabase, serveContext } from '@nova/wiring';
import {
  adminSignInDesk,
  announceSubscription,
  BOT_MIGRATIONS_DIR,
  BOT_SCHEMA,
  BotKeyring,
  BotTokens,
  childWebhookUrl,
  createBotHandlers,
  createUpdateProcessor,
  flushBotOutbox,
  mainBotIdentity,
  openBotDatabase,
  type AdminSignInDesk,
  type BotDatabase,
  type UpdateProcessingDeps,
  type UpdateProcessor,
} from '../domain/index.js';
import { checkBotConfig, updateRetry, type BotContextConfig } from './config.js';
import { setMainWebhook } from './main-webhook.js';
import { BusPublisherDesk } from './publisher-desk.js';
import { ClientTelegramGateway } from './telegram-gateway.js';
import { updateHandler } from './update-handler.js';
import { BusUserRegistry } from './user-registry.js';
import { PaymentsBotsEntitlement } from './bots-entitlement.js';
import { BusPaymentDesk } from './payment-desk.js';

/**
 * The durable consumer of Telegram updates for the bots context. The bot service and the
 * monolith (reading JetStream after stage 1) bind the same one, so each update is processed once,
 * by whichever process holds its partition, in the stream's order.
 */
export const BOT_UPDATES_CONSUMER = 'bot-updates';

/**
 * The monolith's own durable once the fleet routes on the bus (NOVA_ROUTING=kv): it reads the
 * legacy side's subjects (telegram.legacy.>), the bot service keeps BOT_UPDATES_CONSUMER on the
 * target's. One durable shared by both would have one filter, rewritten by whoever bound last.
 */
export const LEGACY_BOT_UPDATES_CONSUMER = 'monolith-bot-updates';

/** The durable consumer of nova.payment.subscription_activated (the main bot's "payment received"), per side. */
export const PAYMENT_NOTICES_CONSUMER = 'bot-payment-notices';
export const LEGACY_PAYMENT_NOTICES_CONSUMER = 'monolith-bot-payment-notices';

export interface BotContextHost {
  readonly logger: Logger;
  /** runService's: PostgreSQL down at start is waited for (prepareDatabase), not a failed start. */
  readonly startup?: StartupProgress;
  readonly readiness: { add(name: string, check: () => Promise<boolean>): void };
  readonly shutdownSignal: AbortSignal;
  onStop(name: string, step: () => Promise<void>): void;
}

export interface BotContextOptions {
  readonly config: BotContextConfig;
  readonly databaseUrl: string;
  /** The login that runs the start-up migrations (NOVA_MIGRATION_DATABASE_URL); default databaseUrl. */
  readonly migrationDatabaseUrl?: string | undefined;
  /** Serves svc.bot.*, carries the context's events and its svc.user.upsert requests. */
  readonly bus: Bus;
  /** One TelegramClient per bot (see telegramClientsFor). */
  readonly clients: TelegramClients;
  /**
   * setWebhook's max_connections for the main bot and every child bot connected here: each
   * deployable passes its own (NOVA_WEBHOOK_MAX_CONNECTIONS, or its default for what receives its
   * webhooks), since Telegram's 40 when it is left out fits neither.
   */
  readonly webhookMaxConnections: number;
  /** Database connections of this context. Default 20 (16 update partitions run at once). */
  readonly maxConnections?: number;
  readonly outboxIntervalMs?: number;
}

export interface BotContext {
  readonly db: BotDatabase;
  /** Processes one update envelope (the monolith's webhook calls it directly in legacy mode). */
  readonly processUpdate: UpdateProcessor;
  /** The processor as the bus's update handler: retry or dead-letter as its failure says. */
  readonly handleUpdate: UpdateHandler;
  /** Binds the durable `name` (BOT_UPDATES_CONSUMER by default) on `bus` (JetStream); it is stopped with the context. */
  consumeUpdates(bus: Bus, name?: string): Promise<Binding>;
  /** Also answers svc.bot.* on another bus (the monolith on NATS, for the gateway's webhook_auth). */
  serveOn(bus: Bus): Promise<Binding>;
  /**
   * Binds the durable `name` on `bus` for nova.payment.subscription_activated: the main bot tells
   * the user. Bind it before the payments context can publish (an in-process bus delivers only to
   * consumers bound before the publish). Stopped with the context.
   */
  consumePaymentNotices(bus: Bus, name?: string): Promise<Binding>;
}

/** The main bot's /admin links when the admins, the key and the panel's URL are all set; none otherwise (said once at start). */
function adminSignInFor(config: BotContextConfig, logger: Logger): AdminSignInDesk | undefined {
  const admins = config.NOVA_ADMIN_TELEGRAM_IDS;
  if (admins === undefined) return undefined;
  if (config.NOVA_ADMIN_SESSION_KEY === undefined || config.NOVA_ADMIN_PANEL_URL === undefined) {
    logger.info('the main bot sends no admin sign-in links (NOVA_ADMIN_PANEL_URL or NOVA_ADMIN_SESSION_KEY not set): /admin is an unknown command');
    return undefined;
  }
  logger.info({ admins: admins.size }, 'the main bot sends admins a one-time sign-in link on /admin');
  return adminSignInDesk({ admins, sessionKey: config.NOVA_ADMIN_SESSION_KEY, panelUrl: config.NOVA_ADMIN_PANEL_URL, ttlMs: config.NOVA_ADMIN_LINK_TTL });
}

export async function startBotContext(host: BotContextHost, options: BotContextOptions): Promise<BotContext> {
  const { config, bus, clients } = options;
  checkBotConfig(config);
  const keyring = BotKeyring.fromBase64(config.NOVA_TOKEN_ENCRYPTION_KEY);
  const mainBot = mainBotIdentity(config.NOVA_MAIN_BOT_TOKEN);
  const webhookUrl = childWebhookUrl(config.NOVA_PUBLIC_URL);
  await prepareDatabase(options.migrationDatabaseUrl ?? options.databaseUrl, config.NOVA_MIGRATE_ON_START ? [{ schema: BOT_SCHEMA, migrationsDir: BOT_MIGRATIONS_DIR }] : [], host);

  const db = openBotDatabase({ connectionString: options.databaseUrl, maxConnections: options.maxConnections ?? 20 });
  const publisher = busEventPublisher(bus);
  const publisherDesk = new BusPublisherDesk(bus);
  const adminSignIn = adminSignInFor(config, host.logger);
  const deps: UpdateProcessingDeps = {
    db,
    keyring,
    gateway: new ClientTelegramGateway(clients),
    publisher,
    clock: systemClock,
    webhookUrl,
    webhookMaxConnections: options.webhookMaxConnections,
    users: new BusUserRegistry(bus),
    payments: new BusPaymentDesk(bus),
    publishing: publisherDesk,
    businessConnections: publisherDesk,
    botsEntitlement: new PaymentsBotsEntitlement(bus),
    mainBot,
    tokens: new BotTokens(db, keyring, mainBot),
    replyLeaseMs: config.NOVA_REPLY_LEASE,
    stopping: host.shutdownSignal,
    ...(adminSignIn === undefined ? {} : { adminSignIn }),
  };
  const processUpdate = createUpdateProcessor(deps);
  const handleUpdate = updateHandler(processUpdate, host.logger);
  const relay = new OutboxRelay({ name: BOT_SCHEMA, flush: () => flushBotOutbox(db, publisher), intervalMs: options.outboxIntervalMs ?? 5_000, logger: host.logger });
  const consumers: Binding[] = [];
  const handlers = createBotHandlers(deps);
  const servers: Binding[] = [];
  try {
    servers.push(await serveContext(bus, 'bot', handlers));
  } catch (error) {
    await db.$disconnect();
    throw error;
  }
  host.readiness.add('database:bot_service', databaseReachable(db));
  relay.start();
  const webhook = setMainWebhook({ client: clients.forToken(config.NOVA_MAIN_BOT_TOKEN), publicUrl: config.NOVA_PUBLIC_URL, secret: config.NOVA_WEBHOOK_SECRET, maxConnections: options.webhookMaxConnections, logger: host.logger, signal: host.shutdownSignal });
  // Updates in flight finish (their replies included) before requests, the outbox, Telegram and the database close.
  host.onStop('bots context', async () => {
    await Promise.all(consumers.map((binding) => binding.stop()));
    await Promise.all(servers.map((binding) => binding.stop()));
    await relay.stop();
    await webhook;
    await clients.idle();
    clients.close();
    await db.$disconnect();
  });

  return {
    db,
    processUpdate,
    handleUpdate,
    async consumeUpdates(updatesBus, name = BOT_UPDATES_CONSUMER) {
      const binding = await updatesBus.consumeUpdates({ name, context: 'bot', ...updateRetry(config), handle: handleUpdate });
      consumers.push(binding);
      return binding;
    },
    async consumePaymentNotices(eventsBus, name = PAYMENT_NOTICES_CONSUMER) {
      const binding = await eventsBus.consumeEvents({
        name,
        context: 'bot',
        subjects: ['nova.payment.subscription_activated'],
        handle: async (event) => { await announceSubscription(deps, event); },
      });
      consumers.push(binding);
      return binding;
    },
    async serveOn(otherBus) {
      const binding = await serveContext(otherBus, 'bot', handlers);
      servers.push(binding);
      return binding;
    },
  };
}
