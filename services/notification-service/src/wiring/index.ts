export { notificationContextConfig, notificationServiceConfig, type NotificationContextConfig } from './config.js';
export { busDuePosts, publishDueJob, ReminderTickError, subscriptionsJob, type HandOffLag } from './jobs.js';
export { MainBotReminderSender, paymentEndingSubscriptions } from './reminder-ports.js';
export { isLostCompareAndSet, NatsKvStore, openSchedulerBucket, SCHEDULER_BUCKET, SCHEDULER_HISTORY } from './nats-kv-store.js';
export { holderName, natsSchedulerStore, notificationWeight, pollIntervalMs, startNotificationContext, type NotificationContextHost, type NotificationContextOptions } from './notification-context.js';
export { handOffLagMetric, schedulerObserver } from './scheduler-metrics.js';
