/**
 * The admin panel, assembled on a bus and an HTTP server: its database (the audit log, migrated at
 * start when allowed), its pages under /admin/. The admin-panel service runs it on JetStream; the
 * monolith on its in-process bus (or the routed bus), beside the contexts it asks.
 */
import type { Bus } from '@nova/bus';
import { AdminSignInLinks } from '@nova/domain';
import type { HttpServer, Logger, StartupProgress } from '@nova/platform';
import { databaseReachable, prepareDatabase } from '@nova/wiring';
import {
  ADMIN_BODY_LIMIT, ADMIN_MIGRATIONS_DIR, ADMIN_PREFIX, ADMIN_SCHEMA, createAdminPanel, databaseAuditLog, databaseSignInLinkLedger, databaseStatsHistory, NO_KUBERNETES, openAdminDatabase, SessionSigner, StatsSampler,
} from '../domain/index.js';
import { KubeMigrationWatch } from './kube-migration-watch.js';
import { kubeConfigFor, kubeMigrations } from './kube-migrations.js';

export interface AdminPanelHost {
  readonly logger: Logger;
  /** runService's: PostgreSQL down at start is waited for (prepareDatabase), not a failed start. */
  readonly startup?: StartupProgress;
  readonly http: Pick<HttpServer, 'route'>;
  readonly readiness: { add(name: string, check: () => Promise<boolean>): void };
  onStop(name: string, step: () => Promise<void>): void;
}

export interface AdminPanelSettings {
  readonly admins: ReadonlySet<bigint>;
  readonly sessionKey: Uint8Array;
  readonly mainBotToken: string;
  readonly botUsername: string | undefined;
  readonly sessionTtlMs: number;
  readonly loginMaxAgeMs: number;
  readonly secureCookies: boolean;
  readonly kubeconfig: string | undefined;
  readonly migrationsNamespace: string;
  /** How often the numbers are sampled for their history. */
  readonly statsIntervalMs: number;
}

export interface AdminPanelOptions {
  readonly databaseUrl: string;
  /** The login that runs the start-up migrations (NOVA_MIGRATION_DATABASE_URL); default databaseUrl. */
  readonly migrationDatabaseUrl?: string | undefined;
  readonly migrate: boolean;
  /** Where svc.user.*, svc.bot.* and svc.payment.* are asked. */
  readonly bus: Pick<Bus, 'request'>;
  readonly settings: AdminPanelSettings;
}

export async function startAdminPanel(host: AdminPanelHost, options: AdminPanelOptions): Promise<void> {
  await prepareDatabase(options.migrationDatabaseUrl ?? options.databaseUrl, options.migrate ? [{ schema: ADMIN_SCHEMA, migrationsDir: ADMIN_MIGRATIONS_DIR }] : [], host);
  const db = openAdminDatabase({ connectionString: options.databaseUrl, maxConnections: 4 });
  const { settings } = options;
  const kubeConfig = kubeConfigFor({ kubeconfig: settings.kubeconfig });
  const migrations = kubeMigrations({ kubeconfig: settings.kubeconfig, namespace: settings.migrationsNamespace }, kubeConfig);
  if (migrations === undefined) host.logger.info('no Kubernetes API (not in a pod, no NOVA_ADMIN_KUBECONFIG): the migrations page says so');
  // One watch for the process, shared by every open migrations page; started by the first of them.
  const migrationsWatch = kubeConfig === undefined ? undefined : new KubeMigrationWatch({ kubeConfig, namespace: settings.migrationsNamespace, logger: host.logger });
  const statsHistory = databaseStatsHistory(db);
  const handler = createAdminPanel({
    bus: options.bus,
    audit: databaseAuditLog(db),
    sessions: new SessionSigner(settings.sessionKey, settings.sessionTtlMs),
    signInLinks: new AdminSignInLinks(settings.sessionKey),
    linkLedger: databaseSignInLinkLedger(db),
    admins: settings.admins,
    loginBotToken: settings.mainBotToken,
    loginBotUsername: settings.botUsername,
    loginMaxAgeMs: settings.loginMaxAgeMs,
    sessionTtlMs: settings.sessionTtlMs,
    secureCookies: settings.secureCookies,
    migrations: migrations ?? NO_KUBERNETES,
    ...(migrationsWatch === undefined ? {} : { migrationsFeed: migrationsWatch }),
    statsHistory,
    statsIntervalMs: settings.statsIntervalMs,
    logger: host.logger,
  });
  const sampler = new StatsSampler({ bus: options.bus, history: statsHistory, intervalMs: settings.statsIntervalMs, logger: host.logger });
  host.http.route('GET', ADMIN_PREFIX, handler);
  host.http.route('POST', ADMIN_PREFIX, handler, { bodyLimit: ADMIN_BODY_LIMIT });
  host.readiness.add('database:admin_panel', databaseReachable(db));
  sampler.start();
  host.onStop('admin panel', async () => {
    await sampler.stop();
    // The server has already ended the pages' streams (HttpServer.close runs before these steps).
    await migrationsWatch?.stop();
    await db.$disconnect();
  });
  host.logger.info({ admins: settings.admins.size }, 'admin panel served under /admin/');
}
