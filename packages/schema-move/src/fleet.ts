/**
 * The fleet's "before" (docs/database-split.md, "The fleet on the before arrangement"): the tables a
 * context takes over at stage 7 live in `public`, the legacy schema, and the context's schema holds a
 * view of each, so the services' Prisma clients (`@@schema("user_service")`) and the monolith keep
 * their names while the engine's `moveAll` later makes the "after".
 */
import pg from 'pg';
import { locateTables } from './catalogue.js';
import { UnexpectedCatalogueError } from './errors.js';
import { STAGE_7_CONTEXTS, type ContextMove, type MovePlan } from './plan.js';
import { swapContext, type SwapOptions } from './swap.js';

/**
 * The fleet's stage-7 tables: the plan's (`STAGE_7_CONTEXTS`). The services' migrations create them
 * under other names (bots, post_deliveries, invoices, subscriptions) and a later migration of each
 * context renames them to the plan's user_bots, published_posts, payments and purchases; the Prisma
 * models keep their names through `@@map` (docs/database-split.md, "The plan's table names").
 */
export const FLEET_STAGE_7_CONTEXTS: readonly ContextMove[] = STAGE_7_CONTEXTS;

/** The fleet's move plan (logins are the operator's to add): every context, legacy schema `public`. */
export const FLEET_PLAN: MovePlan = { contexts: FLEET_STAGE_7_CONTEXTS };

/** What `arrangeBefore` found and did for one context. */
export type BeforeOutcome =
  /** Fresh: the migrations had just made the tables in the context's schema; now they are in public. */
  | 'arranged'
  /** Already "before": nothing to do. */
  | 'before'
  /** Moved by stage 7 (a compatibility view in public): left alone, never moved back by a start-up. */
  | 'moved';

export function fleetContextOf(schema: string): ContextMove | undefined {
  return FLEET_STAGE_7_CONTEXTS.find((c) => c.schema === schema);
}

/**
 * Brings one context of a freshly migrated database to "before", with the engine's own reverse swap
 * (one short transaction, lock timeout and retries, grants as the swap gives them). Only a context
 * whose tables have never been in `public` is touched: one that stage 7 moved has a compatibility
 * view there and stays moved. Safe to call from every replica at start: callers take turns (an
 * advisory lock), and a later one finds nothing left to do.
 */
export async function arrangeBefore(client: pg.ClientBase, context: ContextMove, options: SwapOptions = {}): Promise<BeforeOutcome> {
  // The swap reads the catalogue before it locks the tables: two replicas arranging at once would both
  // plan the same swap, and the second would fail on the first one's result. One at a time instead.
  await client.query('SELECT pg_advisory_lock(hashtext($1))', [BEFORE_LOCK]);
  try {
    return await arrangeLocked(client, context, options);
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [BEFORE_LOCK]).catch(() => undefined);
  }
}

const BEFORE_LOCK = 'nova.schema-move.arrange-before';

async function arrangeLocked(client: pg.ClientBase, context: ContextMove, options: SwapOptions): Promise<BeforeOutcome> {
  const places = await locateTables(client, 'public', context.schema, context.tables);
  if (places.every((p) => p.legacy === 'table')) return 'before';
  // Stage 7 has moved this context (a table added to it since is in its schema, as "after" wants).
  if (places.some((p) => p.legacy === 'view')) return 'moved';
  const arrangeable = places.every((p) => p.legacy === 'table' || (p.legacy === 'absent' && p.context === 'table'));
  if (!arrangeable) {
    const shape = places.map((p) => `public.${p.table} ${p.legacy}, ${context.schema}.${p.table} ${p.context}`).join('; ');
    throw new UnexpectedCatalogueError(`cannot arrange ${context.schema} "before": ${shape}`, context.schema);
  }
  await swapContext(client, { contexts: [context] }, context, 'reverse', { ...options, fingerprints: false });
  return 'arranged';
}

/**
 * For a process's start-up, after its schema's migrations: `arrangeBefore` on its own connection if
 * the schema is one of the fleet's stage-7 contexts (`undefined` for any other schema). The URL is
 * never logged (it may hold a password).
 */
export async function arrangeFleetSchemaBefore(connectionString: string, schema: string, options: SwapOptions = {}): Promise<BeforeOutcome | undefined> {
  const context = fleetContextOf(schema);
  if (context === undefined) return undefined;
  const client = new pg.Client({ connectionString, application_name: 'nova-arrange-before' });
  // A FATAL between queries (PostgreSQL stopping) is an 'error' event, which unheard would kill the
  // process at its start; heard, the next query fails with it (as @nova/db's migration runner).
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await arrangeBefore(client, context, options);
  } finally {
    await client.end();
  }
}
