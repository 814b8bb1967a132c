import { checksumMatches } from './checksum.js';
import { ChecksumMismatchError, UnfinishedMigrationError } from './errors.js';
import type { HistoryRow } from './history.js';
import type { MigrationFile } from './migrations-dir.js';

export interface MigrationPlan {
  /** Migrations to apply, in order. */
  readonly pending: readonly MigrationFile[];
  /** Migrations already applied whose files still match their checksums. */
  readonly alreadyApplied: readonly string[];
  /**
   * Applied in the database but absent from the folder (e.g. a newer release ran first, then
   * this one was rolled back). Like `prisma migrate deploy`, reported, not refused.
   */
  readonly missingLocally: readonly string[];
}

/**
 * Decides what to apply, with Prisma's reading of `_prisma_migrations`: a row counts as applied
 * when it finished and was not rolled back; a rolled-back row is history only (the migration is
 * applied again); a row neither finished nor rolled back blocks everything (Prisma's P3009).
 * Every check happens before anything is applied, so a refused run changes nothing.
 */
export function planMigrations(schema: string, files: readonly MigrationFile[], history: readonly HistoryRow[]): MigrationPlan {
  const unfinished = history.find((row) => row.finishedAt === null && row.rolledBackAt === null);
  if (unfinished) {
    throw new UnfinishedMigrationError(schema, unfinished.migrationName, unfinished.logs);
  }
  const applied = new Map<string, HistoryRow>();
  for (const row of history) {
    if (row.finishedAt !== null && row.rolledBackAt === null) applied.set(row.migrationName, row);
  }
  const pending: MigrationFile[] = [];
  const alreadyApplied: string[] = [];
  for (const file of files) {
    const row = applied.get(file.name);
    if (row === undefined) {
      pending.push(file);
    } else if (checksumMatches(file.script, row.checksum)) {
      alreadyApplied.push(file.name);
    } else {
      throw new ChecksumMismatchError(schema, file.name, row.checksum, file.checksum);
    }
  }
  const local = new Set(files.map((file) => file.name));
  const missingLocally = [...applied.keys()].filter((name) => !local.has(name)).sort();
  return { pending, alreadyApplied, missingLocally };
}
