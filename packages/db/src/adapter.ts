import { PrismaPg } from '@prisma/adapter-pg';
import { quoteSchema } from './history.js';

export interface PrismaAdapterOptions {
  readonly connectionString: string;
  /** The service's schema; unqualified model tables are looked up there. */
  readonly schema: string;
  /** Connections in the adapter's pool. */
  readonly maxConnections?: number;
}

/**
 * The driver adapter every service hands to its generated PrismaClient (`new PrismaClient({
 * adapter })`): Prisma 7's Rust-free client runs its queries through node-postgres.
 */
export function prismaPgAdapter(options: PrismaAdapterOptions): PrismaPg {
  quoteSchema(options.schema);
  return new PrismaPg(
    { connectionString: options.connectionString, max: options.maxConnections ?? 10 },
    { schema: options.schema },
  );
}
