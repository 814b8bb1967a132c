#!/usr/bin/env node
/**
 * The publisher service (port 8103): the publisher context on NATS. Answers svc.publisher.* in
 * queue group svc.publisher (run as many replicas as needed: each channel of a post is leased
 * by one sender, and each bot's Telegram budget by one replica at a time), broadcasts the
 * publications' work items, posts through the child bots (tokens asked of the bots context,
 * sealed), and publishes nova.publisher.post_published.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { attachBus, connectServiceBus } from '@nova/bus';
import { databaseConfig, natsConfig, routingConfig, runService } from '@nova/platform';
import { TelegramClients } from '@nova/telegram';
import { BotSendLeases, openSendLeasesBucket, publisherContextConfig, startPublisherContext } from './wiring/index.js';

await runService({
  name: 'publisher-service',
  side: 'target',
  port: 8103,
  config: { ...natsConfig, ...routingConfig, ...databaseConfig, ...publisherContextConfig },
  async start(service) {
    const { config } = service;
    // One sender per bot among the replicas: a bot's client sends only while this replica holds the bot's lease.
    const gates: { leases?: BotSendLeases } = {};
    // Made before the bus, so the circuit gauge is the Telegram client's (as in the bot service).
    const clients = new TelegramClients({ apiRoot: config.NOVA_TELEGRAM_API_ROOT, registry: service.metrics.registry, logger: service.logger, gateFor: (botId) => gates.leases?.gate(botId) });
    const bus = attachBus(service, await connectServiceBus(config.NOVA_ROUTING, { servers: config.NOVA_NATS_URL, replicas: config.NOVA_NATS_REPLICAS, name: service.name, metrics: service.metrics, logger: service.logger, startup: service.startup }));
    const sendLeases = new BotSendLeases(await openSendLeasesBucket(bus.transport.nc, config.NOVA_NATS_REPLICAS), { holder: `${hostname()}-${randomUUID().slice(0, 8)}`, logger: service.logger });
    gates.leases = sendLeases;
    // After the clients went idle (stop steps run newest first): the other replicas take over a window later.
    service.onStop('bot send leases', () => sendLeases.close());
    // Stop steps run newest first: the clients close after the context stopped sending.
    service.onStop('telegram clients', async () => {
      await clients.idle();
      clients.close();
    });
    await startPublisherContext(service, { config, databaseUrl: config.NOVA_DATABASE_URL, migrationDatabaseUrl: config.NOVA_MIGRATION_DATABASE_URL, bus, clients });
  },
});
