/**
 * The configuration of the bots context, shared by the bot service and the monolith (they run
 * the same context). Secrets are marked so their values are scrubbed from every log line.
 */
import { MIN_ADMIN_LINK_KEY_BYTES } from '@nova/domain';
import { base64Key, duration, parseDuration, secret, telegramUserIds, url } from '@nova/platform';
import { z } from 'zod';

const BOT_TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{30,64}$/;
const WEBHOOK_SECRET = /^[A-Za-z0-9_-]{1,256}$/;
const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;

/** Comma-separated durations, e.g. `1s,2s,4s`, as milliseconds. */
export const durations = z.string().transform((value, ctx) => {
  try {
    const list = value.split(',').map((item) => parseDuration(item));
    if (list.length > 0) return list;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'must be comma-separated durations, e.g. 1s,2s,4s' });
  return z.NEVER;
});

export const botContextConfig = {
  NOVA_MAIN_BOT_TOKEN: secret(z.string().regex(BOT_TOKEN, 'must be a bot token as @BotFather gives it (<bot id>:<secret>)')),
  NOVA_TOKEN_ENCRYPTION_KEY: secret(z.string().regex(BASE64_32_BYTES, 'must be 32 random bytes in base64 (openssl rand -base64 32)')),
  NOVA_WEBHOOK_SECRET: secret(z.string().regex(WEBHOOK_SECRET, 'must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram\'s secret_token)')),
  NOVA_TELEGRAM_API_ROOT: url(['http', 'https']).default('https://api.telegram.org'),
  /** The public base URL Telegram reaches the webhooks at (the Ingress); https, or http on a loopback host. */
  NOVA_PUBLIC_URL: url(['http', 'https']),
  /**
   * setWebhook's max_connections for the main bot and the child bots this process connects: how
   * many updates Telegram delivers at once (1-100; one at a time per chat either way). Each
   * deployable has its own default for what receives its webhooks (webhookMaxConnections).
   */
  NOVA_WEBHOOK_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100).optional(),
  /** Attempts at one update before it goes to the dead-letter stream. */
  NOVA_UPDATES_MAX_DELIVER: z.coerce.number().int().min(1).max(100).default(8),
  /** Waits between attempts (the last repeats). */
  NOVA_UPDATES_BACKOFF: durations.default([1_000, 2_000, 4_000, 8_000, 16_000, 30_000]),
  /** How long a sender holds a reply it is sending before another may take it over (after a crash). */
  NOVA_REPLY_LEASE: duration.default(30_000),
  NOVA_MIGRATE_ON_START: z.stringbool().default(true),
  /**
   * The main bot's /admin (a one-time sign-in link to the admin panel): sent to these Telegram
   * users only, when the key and the panel's URL are set too. The same list and key as the panel's.
   */
  NOVA_ADMIN_TELEGRAM_IDS: telegramUserIds.optional(),
  /** The admin panel's NOVA_ADMIN_SESSION_KEY: the link is signed under a key derived from it. */
  NOVA_ADMIN_SESSION_KEY: secret(base64Key(MIN_ADMIN_LINK_KEY_BYTES)).optional(),
  /** The admin panel's public base URL (e.g. https://admin.bot.example.com): where the link points. */
  NOVA_ADMIN_PANEL_URL: url(['http', 'https']).optional(),
  /** How long a sign-in link stays usable (once). */
  NOVA_ADMIN_LINK_TTL: duration.default(5 * 60_000),
};

export type BotContextConfig = z.output<z.ZodObject<typeof botContextConfig>>;

/** The retry policy of the update consumer, from the configuration. */
export function updateRetry(config: Pick<BotContextConfig, 'NOVA_UPDATES_MAX_DELIVER' | 'NOVA_UPDATES_BACKOFF'>): { maxDeliver: number; backoffMs: readonly number[] } {
  return { maxDeliver: config.NOVA_UPDATES_MAX_DELIVER, backoffMs: config.NOVA_UPDATES_BACKOFF };
}

/** How long the consumer keeps retrying an update before dead-lettering it. */
export function retryHorizonMs(retry: { maxDeliver: number; backoffMs: readonly number[] }): number {
  let total = 0;
  for (let failed = 1; failed < retry.maxDeliver; failed++) total += retry.backoffMs[Math.min(failed - 1, retry.backoffMs.length - 1)] ?? 0;
  return total;
}

/** Settings that parse one by one but do not fit together. */
export class BotConfigError extends Error {
  override readonly name = 'BotConfigError';
}

/**
 * A reply left leased by a crashed sender is sent again only once its lease ends; until then its
 * update is retried. If the retries ran out first, the update would be dead-lettered although
 * only waiting: the lease must end inside the retry horizon.
 */
export function checkBotConfig(config: BotContextConfig): void {
  const horizon = retryHorizonMs(updateRetry(config));
  if (config.NOVA_ADMIN_TELEGRAM_IDS !== undefined && config.NOVA_ADMIN_PANEL_URL !== undefined && config.NOVA_ADMIN_SESSION_KEY === undefined) {
    throw new BotConfigError('NOVA_ADMIN_SESSION_KEY: is required when NOVA_ADMIN_TELEGRAM_IDS and NOVA_ADMIN_PANEL_URL are set (the main bot signs the admins\' sign-in links with it)');
  }
  if (config.NOVA_ADMIN_LINK_TTL < 30_000 || config.NOVA_ADMIN_LINK_TTL > 15 * 60_000) {
    throw new BotConfigError('NOVA_ADMIN_LINK_TTL: must be between 30s and 15m (a sign-in link is short-lived)');
  }
  if (config.NOVA_REPLY_LEASE >= horizon) {
    throw new BotConfigError(
      `NOVA_REPLY_LEASE (${String(config.NOVA_REPLY_LEASE)} ms) must be shorter than the update retry horizon ` +
        `(${String(horizon)} ms from NOVA_UPDATES_MAX_DELIVER and NOVA_UPDATES_BACKOFF): a reply left by a crashed sender must become free before its update is dead-lettered`,
    );
  }
}
