/**
 * A throwaway database per test file on the test bed's PostgreSQL, so files running in parallel
 * never see each other's rows.
 */
import { component, createDatabase } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  /** postgresql:// URL of the new database, as the superuser. */
  readonly url: string;
  /** Runs SQL as the superuser in the new database (inspection, roles, tampering). */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Closes the inspection connection and drops the database (every other connection must be closed first or is cut). */
  drop(): Promise<void>;
}

/**
 * Creates the database on the test bed's PostgreSQL, or on `serverUrl` (a server of the test's
 * own, e.g. one it restarts). The inspection connection is opened again after the server ended it.
 */
export async function createTestDatabase(prefix: string, serverUrl?: string): Promise<TestDatabase> {
  const server = serverUrl ?? component('postgres').url;
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const url = await createDatabase(server, name);
  let inspector: pg.Client | undefined;
  const open = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: url });
    // A server restart ends the session with an 'error' event (unheard, it would end the test process): the next query opens a new one.
    const forget = (): void => { if (inspector === client) inspector = undefined; };
    client.on('error', forget);
    client.on('end', forget);
    await client.connect();
    inspector = client;
    return client;
  };
  await open();
  return {
    url,
    query: async (sql, values) => (inspector ?? (await open())).query(sql, values),
    async drop() {
      await inspector?.end().catch(() => undefined);
      inspector = undefined;
      const dropper = new pg.Client({ connectionString: server });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
