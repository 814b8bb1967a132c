export { parseRecord, SchedulerRecordError, type KeyValueStore, type VersionedValue } from './key-value-store.js';
export { InMemoryKeyValueStore } from './in-memory-store.js';
export { LEASE_KEY, SchedulerLease, type LeaseRecord, type SchedulerLeaseOptions } from './scheduler-lease.js';
export { DEFAULT_MAX_CATCH_UP, Scheduler, type ScheduledJob, type SchedulerObserver, type SchedulerOptions } from './scheduler.js';
export { tickIdAt, tickStart } from './tick.js';
export { TickFence, tickKey, type TickRecord } from './tick-fence.js';
export { REMINDER_WINDOWS, reminderKey, reminderText, sendDueReminders, type EndingSubscription, type EndingSubscriptions, type ReminderDeps, type ReminderSender, type ReminderState, type ReminderWindow } from './reminders.js';
