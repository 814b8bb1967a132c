#!/usr/bin/env node
/**
 * The publisher service (port 8103): the publisher context on NATS. Answers svc.publisher.* in
 * queue group svc.publisher (run as many replicas as needed: each channel of a post is leased
 * by one sender), posts through the child bots (tokens asked of the bots context, sealed), and
 * publishes nova.publisher.post_published.
 */
import { attachBus, connectServiceBus } from '@nova/bus';
import { databaseConfig, natsConfig, routingConfig, runService } from '@nova/platform';
import { TelegramClients } from '@nova/telegram';
import { publisherContextConfig, startPublisherContext } from './wiring/index.js';

await runService({
  name: 'publisher-service',
  side: 'target',
  port: 8103,
  config: { ...natsConfig, ...routingConfig, ...databaseConfig, ...publisherContextConfig },
  async start(service) {
    const { config } = service;
    // Made before the bus, so the circuit gauge is the Telegram client's (as in the bot service).
    const clients = new TelegramClients({ apiRoot: config.NOVA_TELEGRAM_API_ROOT, registry: service.metrics.registry, logger: service.logger });
    const bus = attachBus(service, await connectServiceBus(config.NOVA_ROUTING, { servers: config.NOVA_NATS_URL, name: service.name, metrics: service.metrics, logger: service.logger }));
    // Stop steps run newest first: the clients close after the context stopped sending.
    service.onStop('telegram clients', async () => {
      await clients.idle();
      clients.close();
    });
    await startPublisherContext(service, { config, databaseUrl: config.NOVA_DATABASE_URL, bus, clients });
  },
});
