/**
 * The users context, assembled on a bus: its database (migrated at start when allowed), its
 * handlers served on svc.user.*, nova.user.registered published from the outbox. The user
 * service runs it on JetStream; the monolith on its in-process bus, beside the bots context.
 */
import type { Bus } from '@nova/bus';
import type { Logger, StartupProgress } from '@nova/platform';
import { CoalescedFlush } from '@nova/domain';
import { busEventPublisher, databaseReachable, OutboxRelay, prepareDatabase, serveContext } from '@nova/wiring';
import { USER_MIGRATIONS_DIR, USER_SCHEMA, createUserHandlers, flushUserOutbox, openUserDatabase, type UserDatabase } from '../domain/index.js';

export interface UserContextHost {
  readonly logger: Logger;
  /** runService's: PostgreSQL down at start is waited for (prepareDatabase), not a failed start. */
  readonly startup?: StartupProgress;
  readonly readiness: { add(name: string, check: () => Promise<boolean>): void };
  onStop(name: string, step: () => Promise<void>): void;
}

export interface UserContextOptions {
  readonly databaseUrl: string;
  /** The login that runs the start-up migrations (NOVA_MIGRATION_DATABASE_URL); default databaseUrl. */
  readonly migrationDatabaseUrl?: string | undefined;
  /** Apply pending migrations of user_service before serving (needs a role that may create in it). */
  readonly migrate: boolean;
  /** Serves svc.user.* and carries the context's events. */
  readonly bus: Bus;
  /** Database connections of this context. Default 10. */
  readonly maxConnections?: number;
  /** How often the outbox is flushed besides right after each commit. Default 5 s. */
  readonly outboxIntervalMs?: number;
}

export interface UserContext {
  readonly db: UserDatabase;
}

export async function startUserContext(host: UserContextHost, options: UserContextOptions): Promise<UserContext> {
  await prepareDatabase(options.migrationDatabaseUrl ?? options.databaseUrl, options.migrate ? [{ schema: USER_SCHEMA, migrationsDir: USER_MIGRATIONS_DIR }] : [], host);
  const db = openUserDatabase({ connectionString: options.databaseUrl, maxConnections: options.maxConnections ?? 10 });
  const publisher = busEventPublisher(options.bus);
  // One flush at a time for every registration in this process (CoalescedFlush), started after its
  // commit and not waited for (upsert-user.ts). A failure stays pending for the relay's next pass;
  // like the relay, one warning per outage (a flush that succeeds ends it), not one per flush. The
  // relay's pass stays separate, as before: when it overlaps, a row may be published twice, and
  // JetStream drops the second by its msgID.
  let failing = false;
  const flusher = new CoalescedFlush(async () => {
    await flushUserOutbox(db, publisher);
    failing = false;
  });
  const publishOutboxSoon = (): void => {
    flusher.requestSoon((error) => {
      if (!failing) host.logger.warn({ outbox: USER_SCHEMA, err: error }, 'publishing registrations failed; they stay in the outbox for the relay');
      failing = true;
    });
  };
  const relay = new OutboxRelay({ name: USER_SCHEMA, flush: () => flushUserOutbox(db, publisher), intervalMs: options.outboxIntervalMs ?? 5_000, logger: host.logger });
  try {
    const binding = await serveContext(options.bus, 'user', createUserHandlers({ db, publisher, publishOutboxSoon }));
    host.readiness.add('database:user_service', databaseReachable(db));
    relay.start();
    // Requests in flight finish on an open database; the outbox empties while the bus is still up.
    host.onStop('users context', async () => {
      await binding.stop();
      // The last registrations' publish may still be running: let it end before the relay's last
      // flush and the pool's close (its failure is logged above; the relay retries the rows).
      await flusher.request().catch(() => undefined);
      await relay.stop();
      await db.$disconnect();
    });
  } catch (error) {
    await db.$disconnect();
    throw error;
  }
  return { db };
}
