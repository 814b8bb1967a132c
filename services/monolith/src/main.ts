#!/usr/bin/env node
/**
 * The monolith (port 8099, side legacy): the legacy Nova Bot as one process. The users and bots
 * contexts run on the in-process bus with the same domain code and database (both schemas) as
 * the services, behind the same webhook paths. NOVA_MONOLITH_UPDATES chooses where updates are
 * processed (see config.ts and README "The monolith's two modes").
 */
import { attachBus, connectJetStreamBus, createInProcessBus } from '@nova/bus';
import { mainBotIdentity } from '@nova/bot-service/domain';
import { startBotContext, telegramClientsFor } from '@nova/bot-service/wiring';
import { runService } from '@nova/platform';
import { startUserContext } from '@nova/user-service/wiring';
import { busWebhookAuth, registerWebhookRoutes, WebhookAuthCache } from '@nova/webhook-gateway/webhook';
import { monolithConfig, natsServersFor } from './config.js';
import { inlineUpdates } from './inline-updates.js';

await runService({
  name: 'nova-monolith',
  side: 'legacy',
  port: 8099,
  config: monolithConfig,
  async start(service) {
    const { config, logger } = service;
    const servers = natsServersFor(config);
    const clients = telegramClientsFor(service, config.NOVA_TELEGRAM_API_ROOT, config.NOVA_MAIN_BOT_TOKEN);
    const bus = attachBus(service, createInProcessBus({ metrics: service.metrics, logger }));
    await startUserContext(service, { databaseUrl: config.NOVA_DATABASE_URL, migrate: config.NOVA_MIGRATE_ON_START, bus });
    const bots = await startBotContext(service, { config, databaseUrl: config.NOVA_DATABASE_URL, bus, clients });

    let accept = inlineUpdates(bots.processUpdate, logger);
    if (servers !== undefined) {
      // Stage 1 and after: both sides' webhooks append to one stream, and one consumer group reads it.
      const stream = attachBus(service, await connectJetStreamBus({ servers, name: service.name, metrics: service.metrics, logger }));
      await bots.consumeUpdates(stream);
      // The gateway authenticates child bots' webhooks with svc.bot.webhook_auth: until stage 3
      // moves the bots context, the monolith is where it is answered.
      await bots.serveOn(stream);
      accept = async (envelope) => { await stream.publishUpdate(envelope); };
    }
    registerWebhookRoutes(service.http, {
      mainBotId: mainBotIdentity(config.NOVA_MAIN_BOT_TOKEN).botId,
      mainSecret: config.NOVA_WEBHOOK_SECRET,
      auth: new WebhookAuthCache(busWebhookAuth(bus)),
      accept,
      logger,
    });
    logger.info({ updates: config.NOVA_MONOLITH_UPDATES }, 'monolith mode');
  },
});
