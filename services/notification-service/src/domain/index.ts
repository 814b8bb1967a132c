export { parseRecord, SchedulerRecordError, type KeyValueStore, type VersionedValue } from './key-value-store.js';
export { InMemoryKeyValueStore } from './in-memory-store.js';
export { LEASE_KEY, leaseKey, SchedulerLease, type LeaseRecord, type SchedulerLeaseOptions } from './scheduler-lease.js';
export { DEFAULT_MAX_CATCH_UP, Scheduler, type ScheduledJob, type SchedulerObserver, type SchedulerOptions } from './scheduler.js';
export { tickIdAt, tickStart } from './tick.js';
export { TickFence, tickKey, type TickRecord } from './tick-fence.js';
export { ownedSubscriptions, REMINDER_WINDOWS, reminderKey, reminderText, sendDueReminders, type EndingSubscription, type EndingSubscriptions, type ReminderDeps, type ReminderSender, type ReminderState, type ReminderWindow } from './reminders.js';
export { everyChat, NOTIFICATION_CONTEXT, sideChats, sideOfChat, type ChatOwnership, type OwnedChats, type SchedulerSide } from './chat-ownership.js';
export { DUE_PAGE_SIZE, HAND_BATCH_SIZE, HAND_CONCURRENCY, handDuePosts, MAX_DUE_PAGES, type DueItem, type DuePostsPage, type DuePostsPort, type HandDuePostsOptions } from './due-posts.js';
