import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { quoteSchema } from './history.js';

export interface PrismaAdapterOptions {
  readonly connectionString: string;
  /** The service's schema; unqualified model tables are looked up there. */
  readonly schema: string;
  /** Connections in the adapter's pool. */
  readonly maxConnections?: number;
}

/**
 * The driver adapter every service hands to its generated PrismaClient (`new PrismaClient({
 * adapter })`): Prisma 7's Rust-free client runs its queries through node-postgres.
 *
 * Every connection of its pool has an 'error' listener from its start (issue 21).
 * node-postgres emits 'error' on a connection that receives a FATAL while no query runs on it,
 * and an 'error' event nobody listens to throws: the process dies. The pool listens while a
 * connection is idle and the adapter while its transaction runs, but the adapter attaches its
 * listener only after its `await pool.connect()`: a new connection whose first answer carries
 * ReadyForQuery and the server's "terminating connection due to administrator command" (57P01:
 * PostgreSQL stopping, or restarting) in one packet crashed the monolith in
 * test/services/postgres-restart.test.ts, and connection-errors.test.ts plays that packet. The error is
 * not lost: the connection is not queryable any more, so whatever uses it next fails with a
 * driver error (a retryable failure to the bus), and the pool drops it when it comes back.
 */
export function prismaPgAdapter(options: PrismaAdapterOptions): PrismaPg {
  quoteSchema(options.schema);
  return new PrismaPg(
    { connectionString: options.connectionString, max: options.maxConnections ?? 10, Client: ListenedClient },
    { schema: options.schema },
  );
}

/** A node-postgres connection that is never without an 'error' listener (see prismaPgAdapter). */
class ListenedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // The failure reaches the connection's next user instead.
    this.on('error', () => undefined);
  }
}
