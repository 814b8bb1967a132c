#!/usr/bin/env node
/**
 * The monolith (port 8099, side legacy): the legacy Nova Bot as one process. The users, bots,
 * publisher and payments contexts and the schedulers (notification context) run with the same domain code and database (every schema) as the services, behind the
 * same webhook paths. NOVA_MONOLITH_UPDATES chooses where updates are processed, NOVA_ROUTING
 * whether the contexts talk in-process or on the routed bus (see buses.ts and docs/services.md,
 * "The monolith's two modes").
 */
import { startAdminPanel } from '@nova/admin-panel/wiring';
import { mainBotIdentity } from '@nova/bot-service/domain';
import { LEGACY_PAYMENT_NOTICES_CONSUMER, startBotContext, telegramClientsFor } from '@nova/bot-service/wiring';
import { InMemoryKeyValueStore } from '@nova/notification-service/domain';
import { natsSchedulerStore, notificationWeight, startNotificationContext } from '@nova/notification-service/wiring';
import { startPaymentContext } from '@nova/payment-service/wiring';
import { runService } from '@nova/platform';
import { LEGACY_ANNOUNCEMENTS_CONSUMER, LEGACY_PUBLICATIONS_CONSUMER, startPublisherContext } from '@nova/publisher-service/wiring';
import { startUserContext } from '@nova/user-service/wiring';
import { busWebhookAuth, registerWebhookRoutes, WebhookAuthCache } from '@nova/webhook-gateway/webhook';
import { monolithBuses } from './buses.js';
import { adminPanelSettings, monolithConfig, webhookMaxConnectionsFor } from './config.js';
import { inlineUpdates } from './inline-updates.js';

await runService({
  name: 'nova-monolith',
  side: 'legacy',
  port: 8099,
  config: monolithConfig,
  async start(service) {
    const { config, logger } = service;
    const clients = telegramClientsFor(service, config.NOVA_TELEGRAM_API_ROOT, config.NOVA_MAIN_BOT_TOKEN);
    const buses = await monolithBuses(service, config);
    await startUserContext(service, { databaseUrl: config.NOVA_DATABASE_URL, migrationDatabaseUrl: config.NOVA_MIGRATION_DATABASE_URL, migrate: config.NOVA_MIGRATE_ON_START, bus: buses.contexts });
    const bots = await startBotContext(service, {
      config,
      databaseUrl: config.NOVA_DATABASE_URL, migrationDatabaseUrl: config.NOVA_MIGRATION_DATABASE_URL,
      bus: buses.contexts,
      clients,
      webhookMaxConnections: webhookMaxConnectionsFor(config),
    });
    // Started after the bots context, so it stops first (newest first) while the shared clients are open.
    await startPublisherContext(service, { config, databaseUrl: config.NOVA_DATABASE_URL, migrationDatabaseUrl: config.NOVA_MIGRATION_DATABASE_URL, bus: buses.contexts, clients, publicationsConsumer: LEGACY_PUBLICATIONS_CONSUMER, announcementsConsumer: LEGACY_ANNOUNCEMENTS_CONSUMER });
    // Bound before the payments context can publish (the in-process bus delivers only to bound consumers).
    await bots.consumePaymentNotices(buses.contexts, LEGACY_PAYMENT_NOTICES_CONSUMER);
    // Also serves the providers' callbacks under /payments/ (stage 5 moves that route to the payment service).
    await startPaymentContext(service, { databaseUrl: config.NOVA_DATABASE_URL, migrationDatabaseUrl: config.NOVA_MIGRATION_DATABASE_URL, migrate: config.NOVA_MIGRATE_ON_START, bus: buses.contexts, config });
    // The legacy side's schedulers, started last so they stop first (before the contexts they call).
    // On NATS they use the notification service's lease bucket: without routing the two sides share
    // one lease and never both tick; on the routed bus (the canary) the legacy side has its own and
    // works the chats the notification weight leaves it. Without NATS (inline, before stage 1) the
    // lease is this process's own (docs/notifications.md).
    if (buses.nc === undefined) logger.warn('no NATS: the scheduler lease is in-process, so replicas of this monolith each run the schedulers');
    const schedulerStore = buses.nc === undefined ? new InMemoryKeyValueStore() : await natsSchedulerStore(buses.nc, undefined, config.NOVA_NATS_REPLICAS);
    const routing = buses.router === undefined ? undefined : { side: 'legacy' as const, weight: notificationWeight(buses.router) };
    startNotificationContext(service, { bus: buses.contexts, store: schedulerStore, config, clients, mainBotToken: config.NOVA_MAIN_BOT_TOKEN, routing });

    let accept = inlineUpdates(bots.processUpdate, logger);
    const { updates } = buses;
    if (updates !== undefined) {
      // Stage 1 and after: both sides' webhooks append to one stream, read by durable consumers.
      await bots.consumeUpdates(updates.bus, updates.consumer);
      // The gateway authenticates child bots' webhooks with svc.bot.webhook_auth: until stage 3
      // moves the bots context, the monolith is where it is answered.
      if (updates.serveBotsHere) await bots.serveOn(updates.bus);
      accept = async (envelope) => { await updates.bus.publishUpdate(envelope); };
    }
    registerWebhookRoutes(service.http, {
      mainBotId: mainBotIdentity(config.NOVA_MAIN_BOT_TOKEN).botId,
      mainSecret: config.NOVA_WEBHOOK_SECRET,
      auth: new WebhookAuthCache(busWebhookAuth(buses.contexts)),
      accept,
      logger,
    });
    // The legacy side of stage 8: the same pages as the admin-panel service, asking the contexts on this process's bus.
    const admin = adminPanelSettings(config);
    if (admin === undefined) logger.info('admin panel off (NOVA_ADMIN_TELEGRAM_IDS not set): /admin/ is not served');
    else await startAdminPanel(service, { databaseUrl: config.NOVA_DATABASE_URL, migrationDatabaseUrl: config.NOVA_MIGRATION_DATABASE_URL, migrate: config.NOVA_MIGRATE_ON_START, bus: buses.contexts, settings: admin });
    logger.info({ updates: config.NOVA_MONOLITH_UPDATES, routing: config.NOVA_ROUTING }, 'monolith mode');
  },
});
