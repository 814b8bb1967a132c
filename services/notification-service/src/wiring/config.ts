/**
 * The configuration of the notification context, shared by the notification service and (later)
 * the monolith. The intervals and the lease are configurable so tests run with short ones.
 */
import { duration } from '@nova/platform';

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
