/**
 * The payments context, assembled: its database (migrated at start when allowed), its handlers
 * served on svc.payment.*, the providers' callback endpoints on the process's HTTP server, the
 * provider clients behind circuit breakers, and its events published from the outbox. The
 * payment service runs it on JetStream; the monolith on its in-process bus, beside the others.
 */
import type { Bus } from '@nova/bus';
import type { HttpServer, Logger, Metrics, StartupProgress } from '@nova/platform';
import { CoalescedFlush } from '@nova/domain';
import { busEventPublisher, databaseReachable, OutboxRelay, prepareDatabase, serveContext } from '@nova/wiring';
import { registerCallbackRoutes } from '../callbacks/index.js';
import { PAYMENT_MIGRATIONS_DIR, PAYMENT_SCHEMA, createPaymentHandlers, flushPaymentOutbox, openPaymentDatabase, type PaymentDatabase, type PaymentProviders } from '../domain/index.js';
import { plategaCredentials, type PaymentContextConfig } from './config.js';
import { CryptoPayClient } from './cryptobot-client.js';
import { PlategaClient } from './platega-client.js';
import { ProviderHttp } from './provider-http.js';
import { PaymentReconciler } from './reconciler.js';

export interface PaymentContextHost {
  readonly logger: Logger;
  /** runService's: PostgreSQL down at start is waited for (prepareDatabase), not a failed start. */
  readonly startup?: StartupProgress;
  readonly metrics: Metrics;
  readonly http: Pick<HttpServer, 'route'>;
  readonly readiness: { add(name: string, check: () => Promise<boolean>): void };
  onStop(name: string, step: () => Promise<void>): void;
}

export interface PaymentContextOptions {
  readonly databaseUrl: string;
  /** The login that runs the start-up migrations (NOVA_MIGRATION_DATABASE_URL); default databaseUrl. */
  readonly migrationDatabaseUrl?: string | undefined;
  /** Apply pending migrations of payment_service before serving. */
  readonly migrate: boolean;
  /** Serves svc.payment.* and carries the context's events. */
  readonly bus: Bus;
  readonly config: PaymentContextConfig;
  readonly maxConnections?: number;
  readonly outboxIntervalMs?: number;
}

export interface PaymentContext {
  readonly db: PaymentDatabase;
  readonly providers: PaymentProviders;
  readonly reconciler: PaymentReconciler;
}

/** The provider clients the configuration has credentials for. */
export function paymentProviders(config: PaymentContextConfig, host: Pick<PaymentContextHost, 'logger' | 'metrics'>): PaymentProviders {
  const circuitGauge = host.metrics.gauge('nova_payment_provider_circuit_open', 'Whether calls to a payment provider fail fast (1) or go through (0)', ['provider']);
  const httpFor = (provider: 'cryptobot' | 'platega'): ProviderHttp => {
    circuitGauge.set({ provider }, 0);
    return new ProviderHttp({
      provider,
      timeoutMs: config.NOVA_PAYMENT_PROVIDER_TIMEOUT,
      onCircuitState: (state) => {
        circuitGauge.set({ provider }, state === 'open' ? 1 : 0);
        host.logger.warn({ provider, circuit: state }, 'payment provider circuit changed');
      },
    });
  };
  const providers: { -readonly [K in keyof PaymentProviders]: PaymentProviders[K] } = {};
  if (config.NOVA_CRYPTOBOT_TOKEN !== undefined) {
    providers.cryptobot = new CryptoPayClient({ apiRoot: config.NOVA_CRYPTOBOT_API_ROOT, token: config.NOVA_CRYPTOBOT_TOKEN, http: httpFor('cryptobot') });
  }
  const platega = plategaCredentials(config);
  if (platega !== undefined) {
    providers.platega = new PlategaClient({
      apiRoot: config.NOVA_PLATEGA_API_ROOT, ...platega, returnUrl: config.NOVA_PAYMENT_RETURN_URL, failedUrl: config.NOVA_PAYMENT_RETURN_URL,
      paymentMethod: config.NOVA_PLATEGA_PAYMENT_METHOD, http: httpFor('platega'),
    });
  }
  return providers;
}

export async function startPaymentContext(host: PaymentContextHost, options: PaymentContextOptions): Promise<PaymentContext> {
  const providers = paymentProviders(options.config, host);
  await prepareDatabase(options.migrationDatabaseUrl ?? options.databaseUrl, options.migrate ? [{ schema: PAYMENT_SCHEMA, migrationsDir: PAYMENT_MIGRATIONS_DIR }] : [], host);
  const db = openPaymentDatabase({ connectionString: options.databaseUrl, maxConnections: options.maxConnections ?? 10 });
  const publisher = busEventPublisher(options.bus);
  // One flush at a time for every callback and reconciler pass in this process (CoalescedFlush).
  const flusher = new CoalescedFlush(() => flushPaymentOutbox(db, publisher));
  const flushOutbox = (): Promise<void> => flusher.request();
  const reconciler = new PaymentReconciler({ deps: { db, publisher, providers, clock: () => new Date(), flushOutbox }, intervalMs: options.config.NOVA_PAYMENT_RECONCILE_INTERVAL, logger: host.logger });
  const relay = new OutboxRelay({ name: PAYMENT_SCHEMA, flush: () => flushPaymentOutbox(db, publisher), intervalMs: options.outboxIntervalMs ?? 5_000, logger: host.logger });
  try {
    const binding = await serveContext(options.bus, 'payment', createPaymentHandlers({ db, publisher, providers }));
    registerCallbackRoutes(host.http, {
      db, publisher, clock: () => new Date(), flushOutbox, logger: host.logger, metrics: host.metrics,
      credentials: { cryptobotToken: options.config.NOVA_CRYPTOBOT_TOKEN, platega: plategaCredentials(options.config) },
    });
    host.readiness.add('database:payment_service', databaseReachable(db));
    relay.start();
    reconciler.start();
    host.logger.info({ providers: Object.keys(providers) }, 'payments context started');
    // The HTTP server stops first (runService), so no callback is in flight when the database closes.
    host.onStop('payments context', async () => {
      await binding.stop();
      await reconciler.stop();
      await relay.stop();
      await db.$disconnect();
    });
  } catch (error) {
    await db.$disconnect();
    throw error;
  }
  return { db, providers, reconciler };
}
