import { waitFor } from '@nova/testbed';
import type { TestDatabase } from './database.js';

/**
 * Waits until a context's outbox has no unpublished row: a registration answers after its commit and
 * its event is published in the background (issue 20), so a test reads the bus only once the
 * publish is done and marked. Bounded in time; polls state, never sleeps a fixed time.
 */
export async function outboxPublished(database: Pick<TestDatabase, 'query'>, schema: string, timeoutMs = 20_000): Promise<void> {
  let pending: number | undefined;
  const failure = await waitFor(async () => {
    const { rows } = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.outbox_events WHERE published_at IS NULL`);
    pending = rows[0]?.n;
    return pending === 0;
  }, { timeoutMs, intervalMs: 20 });
  if (failure !== undefined) throw new Error(`${schema}.outbox_events still had ${String(pending)} unpublished row(s): ${failure}`);
}
