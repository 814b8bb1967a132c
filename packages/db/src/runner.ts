import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { MigrationFailedError, MigrationLockTimeoutError, MigrationOnViewError } from './errors.js';
import { PRISMA_ADVISORY_LOCK_KEY, historyTableDdl, quoteSchema, readHistory } from './history.js';
import { readMigrations, type MigrationFile } from './migrations-dir.js';
import { planMigrations } from './plan.js';
import { findDdlOnViews, viewsOf } from './view-guard.js';

export interface MigrateOptions {
  /** postgresql:// URL of the database; never logged (it may hold a password). */
  readonly connectionString: string;
  /** The service's PostgreSQL schema, e.g. user_service: it holds the tables and their history. */
  readonly schema: string;
  /** The Prisma migrations folder, e.g. services/user-service/prisma/migrations. */
  readonly migrationsDir: string;
  /** How long to wait for another runner's lock. Prisma waits 10 s; so do we by default. */
  readonly lockTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface MigrateResult {
  readonly schema: string;
  /** Applied by this call, in order. */
  readonly applied: readonly string[];
  readonly alreadyApplied: readonly string[];
  readonly missingLocally: readonly string[];
}

const LOCK_NOT_AVAILABLE = '55P03';

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Applies a service's pending Prisma migrations to its own schema, recording them in that
 * schema's `_prisma_migrations` exactly as `prisma migrate deploy` would, so either tool can take
 * over from the other. Each migration and its history row commit in one transaction: a failure
 * leaves neither behind (unlike Prisma, which records the failure and then refuses to continue).
 * Scripts therefore must not manage transactions themselves (no BEGIN/COMMIT, no
 * CREATE INDEX CONCURRENTLY).
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const { schema } = options;
  const quoted = quoteSchema(schema);
  const files = readMigrations(options.migrationsDir);
  const log = options.log ?? (() => undefined);
  // A session-level advisory lock needs one session throughout: a Client, not a Pool.
  const client = new pg.Client({ connectionString: options.connectionString, application_name: 'nova-db-migrate' });
  // A FATAL between queries (PostgreSQL stopping) is an 'error' event, which unheard would kill the
  // process; heard, the next query fails with it (connection-errors.test.ts, adapter.ts).
  client.on('error', () => undefined);
  await client.connect();
  try {
    await lock(client, schema, options.lockTimeoutMs ?? 10_000);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
      await client.query(historyTableDdl(schema));
      const plan = planMigrations(schema, files, await readHistory(client, schema));
      const onView = findDdlOnViews(schema, plan.pending, plan.pending.length > 0 ? await viewsOf(client, schema) : []);
      if (onView) throw new MigrationOnViewError(schema, onView.migration, `${schema}.${onView.view.name}`, onView.view.table);
      for (const file of plan.pending) {
        await applyOne(client, schema, file);
        log(`applied ${file.name} to schema ${schema}`);
      }
      return {
        schema,
        applied: plan.pending.map((file) => file.name),
        alreadyApplied: plan.alreadyApplied,
        missingLocally: plan.missingLocally,
      };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

async function lock(client: pg.Client, schema: string, timeoutMs: number): Promise<void> {
  // lock_timeout bounds advisory-lock waits too; it is reset so migrations themselves are not bound by it.
  await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
  } catch (error) {
    if (sqlState(error) === LOCK_NOT_AVAILABLE) throw new MigrationLockTimeoutError(schema, timeoutMs);
    throw error;
  } finally {
    await client.query('RESET lock_timeout');
  }
}

async function applyOne(client: pg.Client, schema: string, file: MigrationFile): Promise<void> {
  const quoted = quoteSchema(schema);
  await client.query('BEGIN');
  try {
    // What `?schema=<schema>` does for Prisma: unqualified names in the script land in the schema.
    await client.query(`SET LOCAL search_path TO ${quoted}`);
    const started = await client.query<{ now: Date }>('SELECT clock_timestamp() AS now');
    if (file.script.trim() !== '') await client.query(file.script);
    await client.query(
      `INSERT INTO ${quoted}._prisma_migrations
         (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, $4, 1)`,
      [randomUUID(), file.checksum, file.name, started.rows[0]?.now],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new MigrationFailedError(schema, file.name, sqlState(error), error);
  }
}
