/** What every context's database needs at start and for readiness. */
import { databaseAddress, isTransientConnectionError, migrate, pingDatabase } from '@nova/db';
import { waitForDependency, type Logger, type StartupProgress } from '@nova/platform';
import { arrangeFleetSchemaBefore } from '@nova/schema-move';

/** A Prisma client, as far as readiness needs it. */
export interface QueryableDatabase {
  $queryRawUnsafe(query: string): PromiseLike<unknown>;
}

/** A readiness check: the database answers a trivial query (the platform bounds how long it may take). */
export function databaseReachable(db: QueryableDatabase): () => Promise<boolean> {
  return async () => {
    await db.$queryRawUnsafe('SELECT 1');
    return true;
  };
}

export interface SchemaMigrations {
  readonly schema: string;
  readonly migrationsDir: string;
}

/**
 * Applies the pending migrations of each schema the process owns, under @nova/db's advisory lock
 * (replicas starting together apply each migration once), then keeps a stage-7 context on the
 * "before" arrangement (docs/database-split.md): a fresh database's tables of the plan go to
 * `public` with views in the context's schema; a context stage 7 moved stays moved. The URL is
 * never logged.
 */
export async function migrateSchemas(connectionString: string, schemas: readonly SchemaMigrations[], logger: Logger): Promise<void> {
  for (const { schema, migrationsDir } of schemas) {
    const result = await migrate({ connectionString, schema, migrationsDir, log: (line) => { logger.info({ schema }, line); } });
    logger.info({ schema, applied: result.applied.length, alreadyApplied: result.alreadyApplied.length }, 'database schema is current');
    const arrangement = await arrangeFleetSchemaBefore(connectionString, schema);
    if (arrangement !== undefined) logger.info({ schema, arrangement }, 'stage-7 tables arranged');
  }
}

/** What a context's start hands prepareDatabase. */
export interface DatabaseStartHost {
  readonly logger: Logger;
  /**
   * runService's: PostgreSQL unreachable at start is waited for (/readyz says so) instead of
   * failing the start. Without it (tools, tests) the first failure throws.
   */
  readonly startup?: StartupProgress;
}

/**
 * A context's database at start: waits until PostgreSQL answers (`SELECT 1`), then applies the
 * given schemas' migrations (none when the process does not migrate). A failure that says the
 * server is not there yet (refused, reset, starting up, shutting down: isTransientConnectionError)
 * is waited out, migrations included, which run again from where they stopped (each migration
 * commits with its history row); any other failure (a wrong password, a bad migration) ends the
 * start as before. /readyz and the log name host:port only, never the URL.
 */
export async function prepareDatabase(connectionString: string, schemas: readonly SchemaMigrations[], host: DatabaseStartHost): Promise<void> {
  await waitForDependency({
    dependency: 'PostgreSQL',
    address: databaseAddress(connectionString),
    attempt: async () => {
      await pingDatabase(connectionString);
      await migrateSchemas(connectionString, schemas, host.logger);
    },
    transient: isTransientConnectionError,
    startup: host.startup,
    logger: host.logger,
  });
}
