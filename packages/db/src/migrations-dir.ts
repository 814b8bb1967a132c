import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrationChecksum } from './checksum.js';
import { MigrationsDirError } from './errors.js';

/** One migration as Prisma keeps it: `<migrations>/<name>/migration.sql`. */
export interface MigrationFile {
  /** The folder name, e.g. 20260101000000_init; names sort in the order they apply. */
  readonly name: string;
  readonly script: string;
  readonly checksum: string;
}

const LOCK_FILE = 'migration_lock.toml';

/**
 * Reads a Prisma migrations folder, in the order Prisma applies it (folder names, sorted).
 * `migration_lock.toml`, when present, must name PostgreSQL: a folder written for another
 * database would fail half-way instead of up front.
 */
export function readMigrations(dir: string): MigrationFile[] {
  if (!existsSync(dir)) {
    throw new MigrationsDirError(`migrations folder ${dir} does not exist`, dir);
  }
  const lockPath = join(dir, LOCK_FILE);
  if (existsSync(lockPath)) {
    const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(readFileSync(lockPath, 'utf8'))?.[1];
    if (provider !== 'postgresql') {
      throw new MigrationsDirError(`${lockPath} names provider "${provider ?? '(none)'}", expected "postgresql"`, dir);
    }
  }
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const file = join(dir, name, 'migration.sql');
      if (!existsSync(file)) {
        throw new MigrationsDirError(`migration folder ${name} has no migration.sql`, dir);
      }
      const script = readFileSync(file, 'utf8');
      return { name, script, checksum: migrationChecksum(script) };
    });
}
