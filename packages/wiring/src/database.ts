/** What every context's database needs at start and for readiness. */
import { migrate } from '@nova/db';
import type { Logger } from '@nova/platform';
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
