import { flushOutbox, PrismaOutboxStore, type EventPublisher, type FlushOptions } from '@nova/domain';
import type { UserDatabase } from './database.js';

/** user_service.outbox_events as an OutboxStore. */
export function userOutboxStore(db: UserDatabase): PrismaOutboxStore {
  return new PrismaOutboxStore(db.outboxEvent);
}

/** Publishes what this context's outbox holds; a relay calls it periodically and at start. */
export function flushUserOutbox(db: UserDatabase, publisher: EventPublisher, options?: FlushOptions): Promise<number> {
  return flushOutbox(userOutboxStore(db), publisher, options);
}
