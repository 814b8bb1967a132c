#!/usr/bin/env node
/**
 * The webhook gateway (port 8100): Telegram's webhooks in, stream TELEGRAM out. It answers 200
 * only after JetStream acknowledged the update (msgID <bot>:<update_id> de-duplicates Telegram's
 * retries), and authenticates child bots through svc.bot.webhook_auth (cached).
 */
import { attachBus, connectServiceBus } from '@nova/bus';
import { natsConfig, routingConfig, runService } from '@nova/platform';
import { busWebhookAuth, mainBotIdOf, registerWebhookRoutes, WebhookAuthCache, webhookConfig } from './webhook/index.js';

await runService({
  name: 'webhook-gateway',
  side: 'target',
  port: 8100,
  config: { ...natsConfig, ...routingConfig, ...webhookConfig },
  async start(service) {
    const { config } = service;
    const mainBotId = mainBotIdOf(config);
    const bus = attachBus(service, await connectServiceBus(config.NOVA_ROUTING, { servers: config.NOVA_NATS_URL, replicas: config.NOVA_NATS_REPLICAS, name: service.name, metrics: service.metrics, logger: service.logger, startup: service.startup }));
    registerWebhookRoutes(service.http, {
      mainBotId,
      mainSecret: config.NOVA_WEBHOOK_SECRET,
      auth: new WebhookAuthCache(busWebhookAuth(bus)),
      accept: async (envelope) => { await bus.publishUpdate(envelope); },
      logger: service.logger,
    });
  },
});
