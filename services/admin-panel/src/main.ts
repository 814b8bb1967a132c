#!/usr/bin/env node
/**
 * The admin panel (port 8106): web pages under /admin/ for the people who run Nova Bot. Asks the
 * users, bots and payments contexts over NATS; keeps its audit log in schema admin_panel; reads
 * NovaMigrations from the Kubernetes API (docs/admin-panel.md).
 */
import { attachBus, connectServiceBus } from '@nova/bus';
import { databaseConfig, natsConfig, routingConfig, runService } from '@nova/platform';
import { z } from 'zod';
import { adminPanelConfig, startAdminPanel } from './wiring/index.js';

await runService({
  name: 'admin-panel',
  side: 'target',
  port: 8106,
  config: {
    ...natsConfig,
    ...routingConfig,
    ...databaseConfig,
    ...adminPanelConfig,
    NOVA_MIGRATE_ON_START: z.stringbool().default(true),
  },
  async start(service) {
    const { config } = service;
    if (config.NOVA_ADMIN_TELEGRAM_IDS === undefined) service.logger.warn('NOVA_ADMIN_TELEGRAM_IDS is not set: nobody can sign in to the admin panel');
    const bus = attachBus(service, await connectServiceBus(config.NOVA_ROUTING, { servers: config.NOVA_NATS_URL, replicas: config.NOVA_NATS_REPLICAS, name: service.name, metrics: service.metrics, logger: service.logger, startup: service.startup }));
    await startAdminPanel(service, {
      databaseUrl: config.NOVA_DATABASE_URL, migrationDatabaseUrl: config.NOVA_MIGRATION_DATABASE_URL,
      migrate: config.NOVA_MIGRATE_ON_START,
      bus,
      settings: {
        admins: config.NOVA_ADMIN_TELEGRAM_IDS ?? new Set<bigint>(),
        sessionKey: config.NOVA_ADMIN_SESSION_KEY,
        mainBotToken: config.NOVA_MAIN_BOT_TOKEN,
        botUsername: config.NOVA_ADMIN_BOT_USERNAME,
        sessionTtlMs: config.NOVA_ADMIN_SESSION_TTL,
        loginMaxAgeMs: config.NOVA_ADMIN_LOGIN_MAX_AGE,
        secureCookies: config.NOVA_ADMIN_COOKIE_SECURE,
        kubeconfig: config.NOVA_ADMIN_KUBECONFIG,
        migrationsNamespace: config.NOVA_ADMIN_MIGRATIONS_NAMESPACE ?? config.NOVA_NAMESPACE,
        statsIntervalMs: config.NOVA_ADMIN_STATS_INTERVAL,
      },
    });
  },
});
