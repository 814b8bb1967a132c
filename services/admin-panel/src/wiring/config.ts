/**
 * The admin panel's configuration (the service's and the monolith's alike): who may sign in,
 * the session key, the Telegram login, and where the migrations are read.
 */
import { base64Key, duration, secret, telegramUserIds } from '@nova/platform';
import { z } from 'zod';
import { MIN_SESSION_KEY_BYTES } from '../domain/index.js';

const BOT_TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{30,64}$/;

const telegramIds = telegramUserIds;

/** Base64 of at least 32 random bytes (`openssl rand -base64 32`); the message never repeats it. */
const sessionKey = base64Key(MIN_SESSION_KEY_BYTES);

/** What the panel needs wherever it runs; the monolith serves it only when NOVA_ADMIN_TELEGRAM_IDS is set. */
export const adminPanelOptionsConfig = {
  /** Base64, at least 32 bytes; the same on the monolith and the admin panel so a session is valid on both sides. */
  NOVA_ADMIN_SESSION_KEY: secret(sessionKey),
  /** The main bot's username (without @): shows Telegram's Login Widget on the sign-in page. */
  NOVA_ADMIN_BOT_USERNAME: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, 'must be a bot username without @').optional(),
  NOVA_ADMIN_SESSION_TTL: duration.default(8 * 3_600_000),
  /** How old a Telegram login (its auth_date) may be. */
  NOVA_ADMIN_LOGIN_MAX_AGE: duration.default(3_600_000),
  /** false only for plain-HTTP loopback use (tests, the one-machine demo). */
  NOVA_ADMIN_COOKIE_SECURE: z.stringbool().default(true),
  /** A kubeconfig file for the migrations page; default: in-cluster when running in a pod, else none. */
  NOVA_ADMIN_KUBECONFIG: z.string().min(1).optional(),
  /** How often the panel samples the platform's numbers for the charts (one sample per interval across every replica and side). */
  NOVA_ADMIN_STATS_INTERVAL: duration.default(3_600_000).refine((ms) => ms >= 1_000 && ms <= 86_400_000, 'must be between 1s and 24h'),
  /** Where the NovaMigrations are; default NOVA_NAMESPACE. */
  NOVA_ADMIN_MIGRATIONS_NAMESPACE: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace name').optional(),
};

export const adminPanelConfig = {
  /** Unset: nobody can sign in (the panel runs and refuses every sign-in, as the chart installs it before admins are named). */
  NOVA_ADMIN_TELEGRAM_IDS: telegramIds.optional(),
  /** Telegram signs the Login Widget's data with the main bot's token. */
  NOVA_MAIN_BOT_TOKEN: secret(z.string().regex(BOT_TOKEN, 'must be a bot token as @BotFather gives it (<bot id>:<secret>)')),
  ...adminPanelOptionsConfig,
};

export type AdminPanelConfig = z.output<z.ZodObject<typeof adminPanelConfig>>;

/** For the monolith, where the panel is optional: its variables all optional, checked together at start. */
export const optionalAdminPanelConfig = {
  NOVA_ADMIN_TELEGRAM_IDS: telegramIds.optional(),
  NOVA_ADMIN_SESSION_KEY: secret(sessionKey).optional(),
  NOVA_ADMIN_BOT_USERNAME: adminPanelOptionsConfig.NOVA_ADMIN_BOT_USERNAME,
  NOVA_ADMIN_SESSION_TTL: adminPanelOptionsConfig.NOVA_ADMIN_SESSION_TTL,
  NOVA_ADMIN_LOGIN_MAX_AGE: adminPanelOptionsConfig.NOVA_ADMIN_LOGIN_MAX_AGE,
  NOVA_ADMIN_COOKIE_SECURE: adminPanelOptionsConfig.NOVA_ADMIN_COOKIE_SECURE,
  NOVA_ADMIN_KUBECONFIG: adminPanelOptionsConfig.NOVA_ADMIN_KUBECONFIG,
  NOVA_ADMIN_STATS_INTERVAL: adminPanelOptionsConfig.NOVA_ADMIN_STATS_INTERVAL,
  NOVA_ADMIN_MIGRATIONS_NAMESPACE: adminPanelOptionsConfig.NOVA_ADMIN_MIGRATIONS_NAMESPACE,
};
