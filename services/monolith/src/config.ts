/**
 * The monolith's configuration: both contexts' (one database holding both schemas), the webhook
 * endpoint's, and the one flag that says where updates are processed.
 */
import { optionalAdminPanelConfig, type AdminPanelSettings } from '@nova/admin-panel/wiring';
import { botContextConfig } from '@nova/bot-service/wiring';
import { notificationContextConfig } from '@nova/notification-service/wiring';
import { paymentContextConfig } from '@nova/payment-service/wiring';
import { databaseConfig, natsReplicas, natsServers, routingConfig } from '@nova/platform';
import { publisherContextConfig } from '@nova/publisher-service/wiring';
import { z } from 'zod';

export const UPDATE_MODES = ['inline', 'jetstream'] as const;
export type UpdateMode = (typeof UPDATE_MODES)[number];

export const monolithConfig = {
  ...databaseConfig,
  ...botContextConfig,
  // Its key, API root and migrate flag are the bots context's own variables (same definitions).
  ...publisherContextConfig,
  /** Payment providers; each is off until its credentials are set. */
  ...paymentContextConfig,
  /** The schedulers' intervals and lease (the notification context's variables). */
  ...notificationContextConfig,
  /**
   * inline (the legacy Nova Bot, before stage 1): the webhook processes each update before it
   * answers. jetstream (after stage 1): the webhook writes to stream TELEGRAM like the gateway and
   * the monolith consumes it like the bot service would.
   */
  NOVA_MONOLITH_UPDATES: z.enum(UPDATE_MODES).default('inline'),
  /** Required when NOVA_MONOLITH_UPDATES=jetstream. */
  NOVA_NATS_URL: natsServers.optional(),
  /** Copies of each stream and KV bucket it creates on NATS (1; 3 on a three-node cluster). */
  NOVA_NATS_REPLICAS: natsReplicas,
  /** kv (stages 2–6): serve and call on NATS, routed per chat by the operator's weights; needs jetstream. */
  ...routingConfig,
  /** The admin panel's pages (the legacy side of stage 8): served when NOVA_ADMIN_TELEGRAM_IDS is set. */
  ...optionalAdminPanelConfig,
};

export type MonolithConfig = z.output<z.ZodObject<typeof monolithConfig>>;

/** NOVA_MONOLITH_UPDATES=jetstream without NOVA_NATS_URL, or NOVA_ROUTING=kv without jetstream. */
export class MonolithConfigError extends Error {
  override readonly name = 'MonolithConfigError';
}

/**
 * The admin panel's settings when it is configured (NOVA_ADMIN_TELEGRAM_IDS set), undefined when
 * the monolith serves no /admin/; a half-configured panel is refused.
 */
export function adminPanelSettings(config: MonolithConfig & { readonly NOVA_NAMESPACE: string }): AdminPanelSettings | undefined {
  if (config.NOVA_ADMIN_TELEGRAM_IDS === undefined) return undefined;
  if (config.NOVA_ADMIN_SESSION_KEY === undefined) throw new MonolithConfigError('NOVA_ADMIN_SESSION_KEY: is required when NOVA_ADMIN_TELEGRAM_IDS is set (the same key as the admin panel\'s)');
  return {
    admins: config.NOVA_ADMIN_TELEGRAM_IDS,
    sessionKey: config.NOVA_ADMIN_SESSION_KEY,
    mainBotToken: config.NOVA_MAIN_BOT_TOKEN,
    botUsername: config.NOVA_ADMIN_BOT_USERNAME,
    sessionTtlMs: config.NOVA_ADMIN_SESSION_TTL,
    loginMaxAgeMs: config.NOVA_ADMIN_LOGIN_MAX_AGE,
    secureCookies: config.NOVA_ADMIN_COOKIE_SECURE,
    kubeconfig: config.NOVA_ADMIN_KUBECONFIG,
    migrationsNamespace: config.NOVA_ADMIN_MIGRATIONS_NAMESPACE ?? config.NOVA_NAMESPACE,
    statsIntervalMs: config.NOVA_ADMIN_STATS_INTERVAL,
  };
}

/**
 * setWebhook's max_connections the monolith asks for when NOVA_WEBHOOK_MAX_CONNECTIONS is not
 * set. inline: its webhook processes each update (database, Telegram sends) before it answers, on
 * the bots context's 20 database connections; deliveries beyond those would wait on the pool
 * while Telegram's delivery clock runs, so it asks for 20. jetstream: its webhook only writes to
 * stream TELEGRAM and answers after the ack, like the gateway, which takes many at once: 100.
 * Either way Telegram delivers one chat's updates one at a time, in order.
 */
export const INLINE_WEBHOOK_MAX_CONNECTIONS = 20;
export const JETSTREAM_WEBHOOK_MAX_CONNECTIONS = 100;

export function webhookMaxConnectionsFor(config: Pick<MonolithConfig, 'NOVA_MONOLITH_UPDATES' | 'NOVA_WEBHOOK_MAX_CONNECTIONS'>): number {
  if (config.NOVA_WEBHOOK_MAX_CONNECTIONS !== undefined) return config.NOVA_WEBHOOK_MAX_CONNECTIONS;
  return config.NOVA_MONOLITH_UPDATES === 'inline' ? INLINE_WEBHOOK_MAX_CONNECTIONS : JETSTREAM_WEBHOOK_MAX_CONNECTIONS;
}

export function natsServersFor(config: Pick<MonolithConfig, 'NOVA_MONOLITH_UPDATES' | 'NOVA_NATS_URL' | 'NOVA_ROUTING'>): readonly string[] | undefined {
  if (config.NOVA_MONOLITH_UPDATES === 'inline') {
    // A routed fleet stores the monolith's updates on telegram.legacy.> in TELEGRAM; inline mode reads no stream.
    if (config.NOVA_ROUTING === 'kv') throw new MonolithConfigError('NOVA_ROUTING: kv needs NOVA_MONOLITH_UPDATES=jetstream (a routed fleet hands the monolith its updates through stream TELEGRAM)');
    return undefined;
  }
  if (config.NOVA_NATS_URL === undefined) throw new MonolithConfigError('NOVA_NATS_URL: is required when NOVA_MONOLITH_UPDATES=jetstream');
  return config.NOVA_NATS_URL;
}
