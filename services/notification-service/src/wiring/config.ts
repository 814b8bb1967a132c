/**
 * The configuration of the notification context, shared by the notification service and the
 * monolith (which has the main bot's token and Telegram's API root from the bots context already). The intervals and the lease are configurable so tests run with short ones.
 */
import { duration, secret, url } from '@nova/platform';
import { z } from 'zod';

export const notificationContextConfig = {
  /** How often due posts are handed to the publisher (the plan: 30 s). */
  NOVA_NOTIFY_PUBLISH_INTERVAL: duration.default(30_000),
  /** How often ended subscriptions are expired (the plan: hourly). */
  NOVA_NOTIFY_SUBSCRIPTION_INTERVAL: duration.default(3_600_000),
  /** How long the active scheduler's lease lasts without renewal: a killed holder is replaced after at most this plus one interval. */
  NOVA_SCHEDULER_LEASE_TTL: duration.default(15_000),
};

export interface NotificationContextConfig {
  readonly NOVA_NOTIFY_PUBLISH_INTERVAL: number;
  readonly NOVA_NOTIFY_SUBSCRIPTION_INTERVAL: number;
  readonly NOVA_SCHEDULER_LEASE_TTL: number;
}

const BOT_TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{30,64}$/;

/** The service's own: the main bot sends the subscription reminders. */
export const notificationServiceConfig = {
  ...notificationContextConfig,
  NOVA_MAIN_BOT_TOKEN: secret(z.string().regex(BOT_TOKEN, 'must be a bot token as @BotFather gives it (<bot id>:<secret>)')),
  NOVA_TELEGRAM_API_ROOT: url(['http', 'https']).default('https://api.telegram.org'),
};
