import type { ClientBase } from 'pg';
import { InvalidSchemaNameError } from './errors.js';

/** One row of `_prisma_migrations`. */
export interface HistoryRow {
  readonly id: string;
  readonly checksum: string;
  readonly finishedAt: Date | null;
  readonly migrationName: string;
  readonly logs: string | null;
  readonly rolledBackAt: Date | null;
  readonly startedAt: Date;
  readonly appliedStepsCount: number;
}

/**
 * Prisma's key for `pg_advisory_lock` (prisma-engines, postgres flavour: "72707369 is a unique
 * number we chose to identify Migrate"). Taking the same lock makes this runner and
 * `prisma migrate deploy` exclude each other, not only two copies of this runner.
 */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;

/** A schema name safe to splice into SQL once double-quoted. */
export function quoteSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new InvalidSchemaNameError(schema);
  return `"${schema}"`;
}

/**
 * The table exactly as Prisma's schema engine creates it on PostgreSQL (same columns, types and
 * defaults), in the service's own schema: each schema owns its migration history.
 */
export function historyTableDdl(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteSchema(schema)}._prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;
}

interface RawRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

export async function readHistory(client: ClientBase, schema: string): Promise<HistoryRow[]> {
  const result = await client.query<RawRow>(
    `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count
       FROM ${quoteSchema(schema)}._prisma_migrations ORDER BY started_at, migration_name`,
  );
  return result.rows.map((row) => ({
    id: row.id,
    checksum: row.checksum,
    finishedAt: row.finished_at,
    migrationName: row.migration_name,
    logs: row.logs,
    rolledBackAt: row.rolled_back_at,
    startedAt: row.started_at,
    appliedStepsCount: row.applied_steps_count,
  }));
}
