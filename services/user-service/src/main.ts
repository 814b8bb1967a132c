#!/usr/bin/env node
/**
 * The user service (port 8101): the users context on NATS. Answers svc.user.get/upsert/stats
 * in queue group svc.user (run as many replicas as needed) and publishes nova.user.registered.
 */
import { attachBus, connectServiceBus } from '@nova/bus';
import { databaseConfig, natsConfig, routingConfig, runService } from '@nova/platform';
import { z } from 'zod';
import { startUserContext } from './wiring/index.js';

await runService({
  name: 'user-service',
  side: 'target',
  port: 8101,
  config: {
    ...natsConfig,
    ...routingConfig,
    ...databaseConfig,
    NOVA_MIGRATE_ON_START: z.stringbool().default(true),
  },
  async start(service) {
    const bus = attachBus(service, await connectServiceBus(service.config.NOVA_ROUTING, { servers: service.config.NOVA_NATS_URL, replicas: service.config.NOVA_NATS_REPLICAS, name: service.name, metrics: service.metrics, logger: service.logger, startup: service.startup }));
    await startUserContext(service, { databaseUrl: service.config.NOVA_DATABASE_URL, migrationDatabaseUrl: service.config.NOVA_MIGRATION_DATABASE_URL, migrate: service.config.NOVA_MIGRATE_ON_START, bus });
  },
});
