import type { UserDatabase, UserTransaction } from './database.js';

/**
 * Effect keys (Decided 4): a handler claims its key in the transaction that makes its change,
 * with the answer it gives, after its writes: the key is recorded exactly when the change is.
 * A second claim of the same key, even a concurrent one, waits on the first transaction's index
 * entry and then finds it taken (false): the caller rolls its writes back and answers with
 * effectResult.
 */
export async function claimEffectWithResult(tx: UserTransaction, key: string, result: Uint8Array): Promise<boolean> {
  const { count } = await tx.processedEffect.createMany({ data: [{ effectKey: key, result: new Uint8Array(result) }], skipDuplicates: true });
  return count === 1;
}

/** The answer recorded with an applied key; null when the handler recorded none. */
export async function effectResult(tx: UserTransaction | UserDatabase, key: string): Promise<Uint8Array | null> {
  const row = await tx.processedEffect.findUnique({ where: { effectKey: key }, select: { result: true } });
  return row?.result ?? null;
}

/**
 * Forgets effect keys, published events older than a bound past which no
 * redelivery can arrive (JetStream's duplicate window and the consumers' max_deliver backoff are
 * minutes; a week is a wide margin). Unpublished events are kept whatever their age.
 */
export async function pruneUserHistory(db: UserDatabase, olderThan: Date): Promise<{ effects: number; events: number }> {
  const effects = await db.processedEffect.deleteMany({ where: { processedAt: { lt: olderThan } } });
  const events = await db.outboxEvent.deleteMany({ where: { publishedAt: { lt: olderThan } } });
  return { effects: effects.count, events: events.count };
}
