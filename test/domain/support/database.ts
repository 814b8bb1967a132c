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

export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const server = component('postgres').url;
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const url = await createDatabase(server, name);
  const inspector = new pg.Client({ connectionString: url });
  await inspector.connect();
  return {
    url,
    query: (sql, values) => inspector.query(sql, values),
    async drop() {
      await inspector.end();
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
