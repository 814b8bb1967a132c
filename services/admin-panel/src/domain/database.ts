import { prismaPgAdapter } from '@nova/db';
import { fileURLToPath } from 'node:url';
import { PrismaClient } from '../generated/prisma/client.js';

/** The PostgreSQL schema this context owns: the audit log (ARCHITECTURE.md, Decided 7). */
export const ADMIN_SCHEMA = 'admin_panel';

/** Prisma-format migrations of this schema, for `@nova/db`'s `migrate()` (from src/ and dist/ alike). */
export const ADMIN_MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

export type AdminDatabase = PrismaClient;

export interface AdminDatabaseOptions {
  /** postgresql:// URL; never logged (it may hold a password). */
  readonly connectionString: string;
  readonly maxConnections?: number;
}

export function openAdminDatabase(options: AdminDatabaseOptions): AdminDatabase {
  return new PrismaClient({
    adapter: prismaPgAdapter({
      connectionString: options.connectionString,
      schema: ADMIN_SCHEMA,
      ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
    }),
  });
}
