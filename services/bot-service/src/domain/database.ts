import { prismaPgAdapter } from '@nova/db';
import { fileURLToPath } from 'node:url';
import { PrismaClient, type Prisma } from '../generated/prisma/client.js';

/** The PostgreSQL schema this context owns (ARCHITECTURE.md, Decided 7). */
export const BOT_SCHEMA = 'bot_service';

/** Prisma-format migrations of this schema, for `@nova/db`'s `migrate()` (from src/ and dist/ alike). */
export const BOT_MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

export type BotDatabase = PrismaClient;
export type BotTransaction = Prisma.TransactionClient;

export interface BotDatabaseOptions {
  /** postgresql:// URL; never logged (it may hold a password). */
  readonly connectionString: string;
  readonly maxConnections?: number;
}

/** The context's Prisma client over node-postgres; `$disconnect()` it on shutdown. */
export function openBotDatabase(options: BotDatabaseOptions): BotDatabase {
  return new PrismaClient({
    adapter: prismaPgAdapter({
      connectionString: options.connectionString,
      schema: BOT_SCHEMA,
      ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
    }),
  });
}
