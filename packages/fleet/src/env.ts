/**
 * Exactly the environment each deployable of the fleet needs (docs/services.md, "Running the fleet"), for
 * the fleet as it runs once stage 1 is done: the gateway takes Telegram's webhooks, the monolith
 * reads stream TELEGRAM (jetstream mode), and with `routing: 'kv'` every process routes each chat
 * by the operator's weights (stages 2–6). Pure, so the demo, the tests and a person reading it
 * see the same thing. NOVA_HTTP_ADDRESS is the starter's (start.ts).
 */
import { DEPLOYABLES, type Deployable } from './deployables.js';

export type Env = Readonly<Record<string, string>>;

/** NOVA_ROUTING: `off` until a migration on the bus exists, `kv` from stage 2 on, on every process at once. */
export type FleetRouting = 'off' | 'kv';

export interface FleetSecrets {
  readonly mainBotToken: string;
  /** 32 bytes, base64 (NOVA_TOKEN_ENCRYPTION_KEY). */
  readonly encryptionKey: string;
  /** The main bot's webhook secret_token (NOVA_WEBHOOK_SECRET). */
  readonly webhookSecret: string;
}

/**
 * The payment providers' APIs and credentials (the emulators' on one machine). A provider left
 * out is off in both payments contexts (no invoices with it, its callback answers 404); with
 * none the payments context still runs (plans, entitlement, expiry).
 */
export interface FleetPaymentProviders {
  readonly cryptobot?: { readonly apiRoot: string; readonly token: string };
  readonly platega?: { readonly apiRoot: string; readonly merchantId: string; readonly secret: string };
}

/**
 * The admin panel (stage 8): served by the monolith and by the admin-panel service with the same
 * admins and session key (a session is valid on both sides). Absent: neither serves /admin/.
 */
export interface FleetAdminPanel {
  /** Telegram user ids allowed to sign in. */
  readonly admins: readonly (bigint | number | string)[];
  /** Base64 of at least 32 bytes (NOVA_ADMIN_SESSION_KEY). */
  readonly sessionKey: string;
  /** Secure cookies; false for plain-HTTP loopback (tests, the demo). Default true. */
  readonly secureCookies?: boolean;
  /** A kubeconfig file for the migrations page. */
  readonly kubeconfig?: string;
}

/**
 * The schedulers (stage 6): both sides' intervals and the notification service's lease. Given,
 * the fleet runs the notification service too; absent, the monolith's scheduler does every
 * chat's work at its defaults (30 s, 1 h) and no notification service runs.
 */
export interface FleetNotifications {
  /** Due posts are looked for this often, on both sides (NOVA_NOTIFY_PUBLISH_INTERVAL, e.g. `1s`). Default 30 s. */
  readonly publishInterval?: string;
  /** Ending subscriptions are looked for this often (NOVA_NOTIFY_SUBSCRIPTION_INTERVAL). Default 1 h. */
  readonly subscriptionInterval?: string;
  /** The service's scheduler lease (NOVA_SCHEDULER_LEASE_TTL). Default 15 s. */
  readonly leaseTtl?: string;
}

export interface FleetSettings {
  /** One NATS URL, or a cluster's, comma-separated (NOVA_NATS_URL: a client fails over between them). */
  readonly natsUrl: string;
  /** NOVA_NATS_REPLICAS: copies of each stream and KV bucket (3 on a three-node cluster); default 1. */
  readonly natsReplicas?: number;
  /** A login that may create in both schemas: the monolith applies the migrations at start. */
  readonly databaseUrl: string;
  /** The user service's own login (SchemaRole); it then does not migrate. Default: databaseUrl. */
  readonly userServiceDatabaseUrl?: string;
  /** Telegram, or the emulator (NOVA_TELEGRAM_API_ROOT). */
  readonly telegramApiRoot: string;
  /** Where Telegram's webhooks arrive: the ingress in front of the gateway and the monolith. */
  readonly publicUrl: string;
  readonly secrets: FleetSecrets;
  /** Given to the payment service and the monolith alike (both serve the callbacks during stage 5). Default: none. */
  readonly payments?: FleetPaymentProviders;
  readonly routing: FleetRouting;
  /** The schedulers' timing; given: the notification service runs too (stage 6). */
  readonly notifications?: FleetNotifications;
  /** The admin panel's admins and session key; absent: no admin panel on either side. */
  readonly admin?: FleetAdminPanel;
  /** NOVA_NAMESPACE: the namespace label of every metric, the NovaMigrations' namespace. Default `default`. */
  readonly namespace?: string;
  /** OTLP/HTTP base URL; tracing export off when absent. */
  readonly otlpEndpoint?: string;
  /** Appended to each OTEL_SERVICE_NAME (several fleets, one Jaeger). */
  readonly serviceNameSuffix?: string;
  readonly logLevel?: string;
  readonly shutdownTimeout?: string;
  /** Per deployable, added last (overrides). */
  readonly extra?: Partial<Record<Deployable, Env>>;
}

/** The bot id is the token's first part: the gateway is given only that, never the token. */
export function botIdOfToken(token: string): string {
  const id = token.split(':')[0] ?? '';
  if (!/^\d+$/.test(id)) throw new FleetSettingsError('mainBotToken', 'is not a Telegram bot token (<bot id>:<secret>)');
  return id;
}

/** A setting no deployable could start with; names the setting, never echoes its value. */
export class FleetSettingsError extends Error {
  override readonly name = 'FleetSettingsError';
  constructor(readonly setting: string, problem: string) {
    super(`fleet setting ${setting}: ${problem}`);
  }
}

function common(deployable: Deployable, settings: FleetSettings): Record<string, string> {
  const env: Record<string, string> = {
    NOVA_NAMESPACE: settings.namespace ?? 'default',
    NOVA_LOG_LEVEL: settings.logLevel ?? 'info',
    NOVA_SHUTDOWN_TIMEOUT: settings.shutdownTimeout ?? '10s',
    NOVA_NATS_URL: settings.natsUrl,
    NOVA_NATS_REPLICAS: String(settings.natsReplicas ?? 1),
    NOVA_ROUTING: settings.routing,
  };
  if (settings.otlpEndpoint !== undefined) {
    env.OTEL_EXPORTER_OTLP_ENDPOINT = settings.otlpEndpoint;
    env.OTEL_SERVICE_NAME = `${deployable}${settings.serviceNameSuffix ?? ''}`;
  }
  return env;
}

/** The bots context's variables: the bot service's, and the monolith's (which runs it too). */
function botsContext(settings: FleetSettings): Record<string, string> {
  return {
    NOVA_DATABASE_URL: settings.databaseUrl,
    NOVA_MAIN_BOT_TOKEN: settings.secrets.mainBotToken,
    NOVA_TOKEN_ENCRYPTION_KEY: settings.secrets.encryptionKey,
    NOVA_WEBHOOK_SECRET: settings.secrets.webhookSecret,
    NOVA_PUBLIC_URL: settings.publicUrl,
    NOVA_TELEGRAM_API_ROOT: settings.telegramApiRoot,
  };
}

/** The payments context's provider variables: the payment service's, and the monolith's. */
function paymentsContext(settings: FleetSettings): Record<string, string> {
  const { cryptobot, platega } = settings.payments ?? {};
  return {
    ...(cryptobot === undefined ? {} : { NOVA_CRYPTOBOT_API_ROOT: cryptobot.apiRoot, NOVA_CRYPTOBOT_TOKEN: cryptobot.token }),
    ...(platega === undefined ? {} : { NOVA_PLATEGA_API_ROOT: platega.apiRoot, NOVA_PLATEGA_MERCHANT_ID: platega.merchantId, NOVA_PLATEGA_SECRET: platega.secret }),
  };
}

/** The admin panel's variables: the admin-panel service's, and the monolith's (which serves it too). */
function adminPanel(settings: FleetSettings): Record<string, string> {
  const { admin } = settings;
  if (admin === undefined) return {};
  return {
    NOVA_ADMIN_TELEGRAM_IDS: admin.admins.map(String).join(','),
    NOVA_ADMIN_SESSION_KEY: admin.sessionKey,
    NOVA_ADMIN_COOKIE_SECURE: String(admin.secureCookies ?? true),
    ...(admin.kubeconfig === undefined ? {} : { NOVA_ADMIN_KUBECONFIG: admin.kubeconfig }),
  };
}

/** The schedulers' variables: the notification service's, and the monolith's (which runs them too). */
function schedulers(settings: FleetSettings): Record<string, string> {
  const { publishInterval, subscriptionInterval } = settings.notifications ?? {};
  return {
    ...(publishInterval === undefined ? {} : { NOVA_NOTIFY_PUBLISH_INTERVAL: publishInterval }),
    ...(subscriptionInterval === undefined ? {} : { NOVA_NOTIFY_SUBSCRIPTION_INTERVAL: subscriptionInterval }),
  };
}

function own(deployable: Deployable, settings: FleetSettings): Record<string, string> {
  switch (deployable) {
    case 'nova-monolith':
      return { ...botsContext(settings), ...paymentsContext(settings), ...adminPanel(settings), ...schedulers(settings), NOVA_MONOLITH_UPDATES: 'jetstream' };
    case 'admin-panel':
      if (settings.admin === undefined) throw new FleetSettingsError('admin', 'is required to run the admin panel (its admins and session key)');
      // The main bot's token checks Telegram's login signatures; the database holds only its audit log.
      return { NOVA_DATABASE_URL: settings.databaseUrl, NOVA_MAIN_BOT_TOKEN: settings.secrets.mainBotToken, ...adminPanel(settings) };
    case 'webhook-gateway':
      return { NOVA_WEBHOOK_SECRET: settings.secrets.webhookSecret, NOVA_MAIN_BOT_ID: botIdOfToken(settings.secrets.mainBotToken) };
    case 'user-service':
      return settings.userServiceDatabaseUrl === undefined
        ? { NOVA_DATABASE_URL: settings.databaseUrl }
        : { NOVA_DATABASE_URL: settings.userServiceDatabaseUrl, NOVA_MIGRATE_ON_START: 'false' };
    case 'bot-service':
      return botsContext(settings);
    case 'publisher-service':
      // The bots context's key opens the child bots' sealed tokens; the main bot sends the reports.
      return {
        NOVA_DATABASE_URL: settings.databaseUrl,
        NOVA_MAIN_BOT_TOKEN: settings.secrets.mainBotToken,
        NOVA_TOKEN_ENCRYPTION_KEY: settings.secrets.encryptionKey,
        NOVA_TELEGRAM_API_ROOT: settings.telegramApiRoot,
      };
    case 'payment-service':
      return { NOVA_DATABASE_URL: settings.databaseUrl, ...paymentsContext(settings) };
    case 'notification-service': {
      if (settings.notifications === undefined) throw new FleetSettingsError('notifications', 'is required to run the notification service (the schedulers\' timing; {} for the defaults)');
      // No database: the due posts and subscriptions are asked of their contexts; the main bot writes the reminders.
      const { leaseTtl } = settings.notifications;
      return {
        NOVA_MAIN_BOT_TOKEN: settings.secrets.mainBotToken,
        NOVA_TELEGRAM_API_ROOT: settings.telegramApiRoot,
        ...schedulers(settings),
        ...(leaseTtl === undefined ? {} : { NOVA_SCHEDULER_LEASE_TTL: leaseTtl }),
      };
    }
  }
}

/** The environment `deployable` runs with in this fleet (besides NOVA_HTTP_ADDRESS). */
export function deployableEnv(deployable: Deployable, settings: FleetSettings): Env {
  if (!Object.hasOwn(DEPLOYABLES, deployable)) throw new FleetSettingsError('deployable', `unknown deployable ${deployable}`);
  return { ...common(deployable, settings), ...own(deployable, settings), ...settings.extra?.[deployable] };
}
