export { notificationContextConfig, type NotificationContextConfig } from './config.js';
export { expireSubscriptionsJob, publishDueJob } from './jobs.js';
export { isLostCompareAndSet, NatsKvStore, openSchedulerBucket, SCHEDULER_BUCKET, SCHEDULER_HISTORY } from './nats-kv-store.js';
export { holderName, natsSchedulerStore, pollIntervalMs, startNotificationContext, type NotificationContextHost, type NotificationContextOptions } from './notification-context.js';
export { schedulerObserver } from './scheduler-metrics.js';
