#!/usr/bin/env node
/**
 * The notification service (port 8105): the plan's schedulers on NATS. Run two or three replicas:
 * one holds the scheduler lease (NATS KV) and runs the ticks, each tick claimed with
 * compare-and-set so it runs once; the others stand by and take over after the lease runs out.
 */
import { attachBus, connectServiceBus } from '@nova/bus';
import { natsConfig, routingConfig, runService } from '@nova/platform';
import { natsSchedulerStore, notificationContextConfig, startNotificationContext } from './wiring/index.js';

await runService({
  name: 'notification-service',
  side: 'target',
  port: 8105,
  config: { ...natsConfig, ...routingConfig, ...notificationContextConfig },
  async start(service) {
    const { config } = service;
    const bus = attachBus(service, await connectServiceBus(config.NOVA_ROUTING, { servers: config.NOVA_NATS_URL, name: service.name, metrics: service.metrics, logger: service.logger }));
    await startNotificationContext(service, { bus, store: await natsSchedulerStore(bus.transport.nc), config });
  },
});
