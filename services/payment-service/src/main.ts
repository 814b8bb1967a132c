#!/usr/bin/env node
/**
 * The payment service (port 8104): the payments context on NATS. Answers svc.payment.* in queue
 * group svc.payment, serves the providers' callbacks under /payments/, and publishes
 * nova.payment.subscription_activated / subscription_expired.
 */
import { attachBus, connectServiceBus } from '@nova/bus';
import { databaseConfig, natsConfig, routingConfig, runService } from '@nova/platform';
import { z } from 'zod';
import { paymentContextConfig, startPaymentContext } from './wiring/index.js';

await runService({
  name: 'payment-service',
  side: 'target',
  port: 8104,
  config: {
    ...natsConfig,
    ...routingConfig,
    ...databaseConfig,
    ...paymentContextConfig,
    NOVA_MIGRATE_ON_START: z.stringbool().default(true),
  },
  async start(service) {
    const { config } = service;
    const bus = attachBus(service, await connectServiceBus(config.NOVA_ROUTING, { servers: config.NOVA_NATS_URL, replicas: config.NOVA_NATS_REPLICAS, name: service.name, metrics: service.metrics, logger: service.logger, startup: service.startup }));
    await startPaymentContext(service, { databaseUrl: config.NOVA_DATABASE_URL, migrationDatabaseUrl: config.NOVA_MIGRATION_DATABASE_URL, migrate: config.NOVA_MIGRATE_ON_START, bus, config });
  },
});
