import { flushOutbox, PrismaOutboxStore, type EventPublisher, type FlushOptions } from '@nova/domain';
import type { BotDatabase } from './database.js';

/** bot_service.outbox_events as an OutboxStore. */
export function botOutboxStore(db: BotDatabase): PrismaOutboxStore {
  return new PrismaOutboxStore(db.outboxEvent);
}

/** Publishes what this context's outbox holds; a relay calls it periodically and at start. */
export function flushBotOutbox(db: BotDatabase, publisher: EventPublisher, options?: FlushOptions): Promise<number> {
  return flushOutbox(botOutboxStore(db), publisher, options);
}
