import type { PaymentDatabase, PaymentTransaction } from './database.js';

/**
 * Effect keys (Decided 4): a handler claims its key in the transaction that makes its change,
 * so the key is recorded exactly when the change is. A second claim of the same key, even a
 * concurrent one, waits on the first transaction's row and then finds it taken.
 */
export async function claimEffect(tx: PaymentTransaction, key: string): Promise<boolean> {
  const { count } = await tx.processedEffect.createMany({ data: [{ effectKey: key }], skipDuplicates: true });
  return count === 1;
}

/** The answer recorded with an applied key; null when the handler recorded none. */
export async function effectResult(tx: PaymentTransaction, key: string): Promise<Uint8Array | null> {
  const row = await tx.processedEffect.findUnique({ where: { effectKey: key }, select: { result: true } });
  return row?.result ?? null;
}

export async function recordEffectResult(tx: PaymentTransaction, key: string, result: Uint8Array): Promise<void> {
  await tx.processedEffect.update({ where: { effectKey: key }, data: { result: new Uint8Array(result) } });
}

/**
 * Forgets effect keys, published events older than a bound past which no
 * redelivery can arrive (JetStream's duplicate window and the consumers' max_deliver backoff are
 * minutes; a week is a wide margin). Unpublished events are kept whatever their age.
 */
export async function prunePaymentHistory(db: PaymentDatabase, olderThan: Date): Promise<{ effects: number; events: number }> {
  const effects = await db.processedEffect.deleteMany({ where: { processedAt: { lt: olderThan } } });
  const events = await db.outboxEvent.deleteMany({ where: { publishedAt: { lt: olderThan } } });
  return { effects: effects.count, events: events.count };
}
