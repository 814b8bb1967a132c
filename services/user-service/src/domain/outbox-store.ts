import { flushOutbox, type EventPublisher, type FlushOptions, type OutboxRecord, type OutboxStore, type PendingOutboxRow } from '@nova/domain';
import type { UserDatabase, UserTransaction } from './database.js';

/** user_service.outbox_events as an OutboxStore. */
export class UserOutboxStore implements OutboxStore {
  constructor(private readonly db: UserDatabase) {}

  async pending(limit: number): Promise<readonly PendingOutboxRow[]> {
    return this.db.outboxEvent.findMany({
      where: { publishedAt: null },
      orderBy: { id: 'asc' },
      take: limit,
      select: { id: true, subject: true, msgId: true, payload: true },
    });
  }

  async markPublished(id: bigint, at: Date): Promise<void> {
    await this.db.outboxEvent.updateMany({ where: { id, publishedAt: null }, data: { publishedAt: at } });
  }
}

/** Writes events into the outbox inside the caller's transaction. */
export async function appendToOutbox(tx: UserTransaction, records: readonly OutboxRecord[]): Promise<void> {
  if (records.length === 0) return;
  await tx.outboxEvent.createMany({ data: records.map((record) => ({ subject: record.subject, msgId: record.msgId, payload: record.payload })) });
}

/** Publishes what this context's outbox holds; a relay calls it periodically and at start. */
export function flushUserOutbox(db: UserDatabase, publisher: EventPublisher, options?: FlushOptions): Promise<number> {
  return flushOutbox(new UserOutboxStore(db), publisher, options);
}
