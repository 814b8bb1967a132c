#!/usr/bin/env node
/**
 * The bot service (port 8102): the bots context on NATS. Consumes Telegram updates from stream
 * TELEGRAM (durable bot-updates, in order per chat), runs the main bot's conversation and the
 * child bots' replies, registers users through svc.user.upsert, answers svc.bot.*, sets the main
 * bot's webhook, publishes nova.bot.added / nova.bot.removed, and tells users their payment was
 * received (nova.payment.subscription_activated).
 */
import { attachBus, connectServiceBus } from '@nova/bus';
import { databaseConfig, natsConfig, routingConfig, runService } from '@nova/platform';
import type { SendGate } from '@nova/telegram';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { botContextConfig, openReplySendersBucket, ReplyBudget, startBotContext, telegramClientsFor } from './wiring/index.js';

/**
 * setWebhook's max_connections when NOVA_WEBHOOK_MAX_CONNECTIONS is not set: Telegram's most.
 * The bot service runs the bots context from stage 3 on, when the webhooks reach the webhook
 * gateway, which answers once JetStream has the update (no processing before the answer) and so
 * takes many deliveries at once; Telegram still sends a chat's updates one at a time.
 */
const BOT_SERVICE_WEBHOOK_MAX_CONNECTIONS = 100;

await runService({
  name: 'bot-service',
  side: 'target',
  port: 8102,
  config: { ...natsConfig, ...routingConfig, ...databaseConfig, ...botContextConfig },
  async start(service) {
    const { config } = service;
    // Each bot's Telegram budget is shared by the replicas (reply-budget.ts): a client waits for it
    // before each message, so nothing goes out before this process joined the others.
    const { promise: budget, resolve: joined } = Promise.withResolvers<ReplyBudget>();
    const gateFor = (botId: string): SendGate => ({ enter: async (signal) => (await budget).gate(botId).enter(signal) });
    const clients = telegramClientsFor(service, config.NOVA_TELEGRAM_API_ROOT, config.NOVA_MAIN_BOT_TOKEN, gateFor);
    const bus = attachBus(service, await connectServiceBus(config.NOVA_ROUTING, { servers: config.NOVA_NATS_URL, replicas: config.NOVA_NATS_REPLICAS, name: service.name, metrics: service.metrics, logger: service.logger, startup: service.startup }));
    const replyBudget = new ReplyBudget(await openReplySendersBucket(bus.transport.nc, { replicas: config.NOVA_NATS_REPLICAS }), { holder: `${hostname()}-${randomUUID().slice(0, 8)}`, logger: service.logger, metrics: service.metrics });
    await replyBudget.start();
    joined(replyBudget);
    // Registered before the context, so it runs after the clients went idle (stop steps run newest first).
    service.onStop('reply budget', () => replyBudget.close());
    const bots = await startBotContext(service, {
      config,
      databaseUrl: config.NOVA_DATABASE_URL, migrationDatabaseUrl: config.NOVA_MIGRATION_DATABASE_URL,
      bus,
      clients,
      webhookMaxConnections: config.NOVA_WEBHOOK_MAX_CONNECTIONS ?? BOT_SERVICE_WEBHOOK_MAX_CONNECTIONS,
    });
    await bots.consumeUpdates(bus);
    await bots.consumePaymentNotices(bus);
  },
});
