import { prismaPgAdapter } from '@nova/db';
import { fileURLToPath } from 'node:url';
import { PrismaClient, type Prisma } from '../generated/prisma/client.js';

/** The PostgreSQL schema this context owns (ARCHITECTURE.md, Decided 7). */
export const PAYMENT_SCHEMA = 'payment_service';

/** Prisma-format migrations of this schema, for `@nova/db`'s `migrate()` (from src/ and dist/ alike). */
export const PAYMENT_MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

export type PaymentDatabase = PrismaClient;
export type PaymentTransaction = Prisma.TransactionClient;

export interface PaymentDatabaseOptions {
  /** postgresql:// URL; never logged (it may hold a password). */
  readonly connectionString: string;
  readonly maxConnections?: number;
}

/** The context's Prisma client over node-postgres; `$disconnect()` it on shutdown. */
export function openPaymentDatabase(options: PaymentDatabaseOptions): PaymentDatabase {
  return new PrismaClient({
    adapter: prismaPgAdapter({
      connectionString: options.connectionString,
      schema: PAYMENT_SCHEMA,
      ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
    }),
  });
}
