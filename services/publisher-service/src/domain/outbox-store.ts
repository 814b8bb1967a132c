import { flushOutbox, PrismaOutboxStore, type EventPublisher, type FlushOptions } from '@nova/domain';
import type { PublisherDatabase } from './database.js';

/** publisher_service.outbox_events as an OutboxStore. */
export function publisherOutboxStore(db: PublisherDatabase): PrismaOutboxStore {
  return new PrismaOutboxStore(db.outboxEvent);
}

/** Publishes what this context's outbox holds; a relay calls it periodically and at start. */
export function flushPublisherOutbox(db: PublisherDatabase, publisher: EventPublisher, options?: FlushOptions): Promise<number> {
  return flushOutbox(publisherOutboxStore(db), publisher, options);
}
