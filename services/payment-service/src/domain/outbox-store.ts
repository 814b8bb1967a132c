import type { EventMessage, EventSubject } from '@nova/contracts';
import { flushOutbox, PrismaOutboxStore, type EventPublisher, type FlushOptions } from '@nova/domain';
import type { PaymentDatabase } from './database.js';

/** payment_service.outbox_events as an OutboxStore. */
export function paymentOutboxStore(db: PaymentDatabase): PrismaOutboxStore {
  return new PrismaOutboxStore(db.outboxEvent);
}

/**
 * A payment event is about its subscription's user: their Telegram id (also their private chat
 * with the main bot) is the routing key, so on a routed bus the "payment received" notice is sent
 * by the bots context on that user's side. Read from the payload, so the outbox needs no column.
 */
export function paymentEventRoutingKey(subject: EventSubject, message: EventMessage<EventSubject>): bigint | undefined {
  if (subject !== 'nova.payment.subscription_activated' && subject !== 'nova.payment.subscription_expired') return undefined;
  const user = (message as EventMessage<'nova.payment.subscription_activated' | 'nova.payment.subscription_expired'>).subscription?.telegramId;
  return user === undefined || user === 0n ? undefined : user;
}

/** Publishes what this context's outbox holds; a relay calls it periodically and at start. */
export function flushPaymentOutbox(db: PaymentDatabase, publisher: EventPublisher, options?: FlushOptions): Promise<number> {
  return flushOutbox(paymentOutboxStore(db), publisher, { routingKeyOf: paymentEventRoutingKey, ...options });
}
