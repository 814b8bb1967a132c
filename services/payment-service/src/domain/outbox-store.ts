import { flushOutbox, PrismaOutboxStore, type EventPublisher, type FlushOptions } from '@nova/domain';
import type { PaymentDatabase } from './database.js';

/** payment_service.outbox_events as an OutboxStore. */
export function paymentOutboxStore(db: PaymentDatabase): PrismaOutboxStore {
  return new PrismaOutboxStore(db.outboxEvent);
}

/** Publishes what this context's outbox holds; a relay calls it periodically and at start. */
export function flushPaymentOutbox(db: PaymentDatabase, publisher: EventPublisher, options?: FlushOptions): Promise<number> {
  return flushOutbox(paymentOutboxStore(db), publisher, options);
}
