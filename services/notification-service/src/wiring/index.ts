export { notificationContextConfig, notificationServiceConfig, type NotificationContextConfig } from './config.js';
export { publishDueJob, ReminderTickError, subscriptionsJob } from './jobs.js';
export { MainBotReminderSender, paymentEndingSubscriptions } from './reminder-ports.js';
export { isLostCompareAndSet, NatsKvStore, openSchedulerBucket, SCHEDULER_BUCKET, SCHEDULER_HISTORY } from './nats-kv-store.js';
export { holderName, natsSchedulerStore, pollIntervalMs, startNotificationContext, type NotificationContextHost, type NotificationContextOptions } from './notification-context.js';
export { schedulerObserver } from './scheduler-metrics.js';
