#!/usr/bin/env node
/**
 * The notification service (port 8105): the plan's schedulers on NATS. Run two or three replicas:
 * one holds the scheduler lease (NATS KV) and runs the ticks, each tick claimed with
 * compare-and-set so it runs once; the others stand by and take over after the lease runs out.
 * With NOVA_ROUTING=kv (the canary) the lease is the target side's own and the ticks hand only
 * the chats the notification weight gives the target.
 * The main bot (NOVA_MAIN_BOT_TOKEN) sends the subscription reminders.
 */
import { attachBus, connectJetStreamBus, connectRoutedBus } from '@nova/bus';
import { natsConfig, routingConfig, runService } from '@nova/platform';
import { TelegramClients } from '@nova/telegram';
import { natsSchedulerStore, notificationServiceConfig, notificationWeight, startNotificationContext } from './wiring/index.js';

await runService({
  name: 'notification-service',
  side: 'target',
  port: 8105,
  config: { ...natsConfig, ...routingConfig, ...notificationServiceConfig },
  async start(service) {
    const { config } = service;
    const clients = new TelegramClients({ apiRoot: config.NOVA_TELEGRAM_API_ROOT, registry: service.metrics.registry, logger: service.logger });
    const connection = { servers: config.NOVA_NATS_URL, replicas: config.NOVA_NATS_REPLICAS, name: service.name, metrics: service.metrics, logger: service.logger, startup: service.startup };
    // On the routed bus the scheduler works the target's chats at the notification weight (its own lease).
    const routed = config.NOVA_ROUTING === 'kv' ? await connectRoutedBus(connection) : undefined;
    const bus = attachBus(service, routed?.bus ?? (await connectJetStreamBus(connection)));
    // Stop steps run newest first: the clients close after the scheduler stopped sending.
    service.onStop('telegram clients', async () => {
      await clients.idle();
      clients.close();
    });
    const routing = routed === undefined ? undefined : { side: 'target' as const, weight: notificationWeight(routed.router) };
    startNotificationContext(service, { bus, store: await natsSchedulerStore(bus.transport.nc, undefined, config.NOVA_NATS_REPLICAS), config, clients, mainBotToken: config.NOVA_MAIN_BOT_TOKEN, routing });
  },
});
