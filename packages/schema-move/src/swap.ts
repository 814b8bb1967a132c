/**
 * One context's swap, in one short transaction: for each of its tables still on the `from` side,
 * drop the view on the `to` side, `ALTER TABLE ... SET SCHEMA` the table there (indexes, constraints
 * and owned sequences go with it; defaults keep working, nextval() names the sequence by OID) and
 * leave a view of it on the `from` side. `move` goes legacy → context, `reverse` the other way.
 *
 * Locks: views first, then tables, the order a writer through a view takes them (view, then its
 * table), so the swap and a writer do not wait on each other crosswise (such a cycle would end in
 * the swap's lock timeout and a retry, since lock_timeout is far below deadlock_timeout; no test
 * provokes it: the window is a writer's rewrite). Every wait is bounded by `SET LOCAL lock_timeout`: a swap that cannot get its
 * locks rolls back and tries again after a backoff, instead of queueing behind a long transaction
 * while every writer queues behind it.
 *
 * Idempotent: the catalogue says which tables are still to move; a table already on the `to` side
 * is left alone (its view is made again if missing). A crash anywhere rolls the transaction back.
 */
import type pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { locateTables, stateOf, type Queryable, type TableState } from './catalogue.js';
import { LockNotAvailableError } from './errors.js';
import { fingerprint, type Fingerprint } from './fingerprint.js';
import { grantTable } from './grants.js';
import { legacySchemaOf, type ContextMove, type MovePlan } from './plan.js';

export type Direction = 'move' | 'reverse';

export interface SwapFaults {
  /**
   * Test-only: runs inside the swap's transaction after the tables moved and before the "after"
   * fingerprint, with the swap's own connection (so it can change a row behind the verifier's back,
   * or throw to stop the swap half-way).
   */
  readonly insideSwap?: (db: Queryable, context: string, direction: Direction) => Promise<void>;
}

export interface SwapOptions {
  /** Longest wait for any one lock, ms (default 50). */
  readonly lockTimeoutMs?: number;
  /** Attempts after the first (default 20). */
  readonly retries?: number;
  /** First backoff, ms, doubled per attempt up to 1 s, with jitter (default 20). */
  readonly backoffMs?: number;
  /** Fingerprint each table under the lock before and after (default true; costs a scan each, see the docs). */
  readonly fingerprints?: boolean;
  /**
   * Tables estimated (pg_class.reltuples) above this many rows are not fingerprinted under the lock,
   * only checked for the same storage (relfilenode) before and after, and by the verification's
   * table-against-view snapshot afterwards: the scans would hold every writer (default 10,000; about
   * 10 ms of lock per table here, bench/README.md).
   */
  readonly fingerprintRowLimit?: number;
  readonly faults?: SwapFaults;
  readonly log?: (line: string) => void;
}

export interface TableSwap {
  readonly table: string;
  /** The table's storage file before and after: SET SCHEMA must not rewrite it. */
  readonly filenodeBefore: string;
  readonly filenodeAfter?: string;
  readonly before?: Fingerprint;
  readonly after?: Fingerprint;
}

export interface SwapResult {
  readonly schema: string;
  readonly direction: Direction;
  /** Tables this call moved (empty when every table was already on the `to` side). */
  readonly moved: readonly TableSwap[];
  /** Tables found already moved. */
  readonly alreadyDone: readonly string[];
  readonly attempts: number;
  /** From the lock request to COMMIT of the successful attempt: what writers may have waited, at most. */
  readonly lockedMs: number;
}

const LOCK_NOT_AVAILABLE = '55P03';

function isLockTimeout(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === LOCK_NOT_AVAILABLE;
}

export async function swapContext(client: pg.ClientBase, plan: MovePlan, context: ContextMove, direction: Direction, options: SwapOptions = {}): Promise<SwapResult> {
  const legacy = legacySchemaOf(plan);
  const from = direction === 'move' ? legacy : context.schema;
  const to = direction === 'move' ? context.schema : legacy;
  const goal: TableState = direction === 'move' ? 'moved' : 'before';
  const lockTimeoutMs = options.lockTimeoutMs ?? 50;
  const retries = options.retries ?? 20;
  const backoffMs = options.backoffMs ?? 20;
  const arrangement = { legacy, context: context.schema, ...(context.role ? { contextRole: context.role } : {}), ...(plan.legacyRole ? { legacyRole: plan.legacyRole } : {}) };
  let lastError: unknown;
  for (let attempt = 1; attempt <= retries + 1; attempt += 1) {
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL lock_timeout = ${String(Math.max(1, Math.floor(lockTimeoutMs)))}`);
      // One swap of a context at a time: the catalogue is read before the tables are locked, so a second
      // swap running at once (a step re-run by a restarted operator while the killed one's process still
      // runs it) would plan from a catalogue the first is changing and fail on its result. The advisory
      // lock is waited for under the same lock_timeout, and retried like the tables' locks.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`nova.schema-move.swap.${context.schema}`]);
      const places = await locateTables(client, legacy, context.schema, context.tables);
      const pending = places.filter((p) => stateOf(p, legacy, context.schema) !== goal);
      const missingViews = places.filter((p) => !pending.includes(p) && (direction === 'move' ? p.legacy : p.context) === 'absent');
      const lockStart = performance.now();
      if (pending.length > 0) {
        const views = pending.filter((p) => (direction === 'move' ? p.context : p.legacy) === 'view').map((p) => `${to}.${p.table}`);
        await client.query(`LOCK TABLE ${[...views, ...pending.map((p) => `${from}.${p.table}`)].join(', ')} IN ACCESS EXCLUSIVE MODE`);
      }
      const moved: TableSwap[] = [];
      const limit = options.fingerprintRowLimit ?? 10_000;
      for (const place of pending) {
        const table = place.table;
        const { rows: [storage] } = await client.query<{ filenode: string; estimate: number }>(
          'SELECT pg_relation_filenode(c.oid)::text AS filenode, c.reltuples::float8 AS estimate FROM pg_class c WHERE c.oid = to_regclass($1)',
          [`${from}.${table}`],
        );
        const printed = options.fingerprints !== false && (storage?.estimate ?? 0) <= limit;
        const before = printed ? await fingerprint(client, from, table) : undefined;
        await client.query(`DROP VIEW IF EXISTS ${to}.${table}`);
        await client.query(`ALTER TABLE ${from}.${table} SET SCHEMA ${to}`);
        await client.query(`CREATE VIEW ${from}.${table} AS SELECT * FROM ${to}.${table}`);
        await grantTable(client, arrangement, table, to);
        moved.push({ table, filenodeBefore: storage?.filenode ?? '', ...(before ? { before } : {}) });
      }
      // Repair only: a view someone dropped by hand after an earlier run; no step of ours leaves one missing.
      for (const place of missingViews) {
        await client.query(`CREATE VIEW ${from}.${place.table} AS SELECT * FROM ${to}.${place.table}`);
        await grantTable(client, arrangement, place.table, to);
      }
      if (pending.length > 0) await options.faults?.insideSwap?.(client, context.schema, direction);
      const result: TableSwap[] = [];
      for (const swap of moved) {
        const { rows: [storage] } = await client.query<{ filenode: string }>('SELECT pg_relation_filenode(to_regclass($1))::text AS filenode', [`${to}.${swap.table}`]);
        const filenodeAfter = storage?.filenode ?? '';
        result.push(swap.before ? { ...swap, filenodeAfter, after: await fingerprint(client, to, swap.table) } : { ...swap, filenodeAfter });
      }
      await client.query('COMMIT');
      const lockedMs = pending.length > 0 ? performance.now() - lockStart : 0;
      options.log?.(`${direction} ${context.schema}: ${pending.length > 0 ? `moved ${pending.map((p) => p.table).join(', ')} in ${lockedMs.toFixed(1)} ms` : 'nothing left to do'} (attempt ${String(attempt)})`);
      return {
        schema: context.schema,
        direction,
        moved: result,
        alreadyDone: places.filter((p) => !pending.includes(p)).map((p) => p.table),
        attempts: attempt,
        lockedMs,
      };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (!isLockTimeout(error)) throw error;
      lastError = error;
      const wait = Math.min(1_000, backoffMs * 2 ** (attempt - 1));
      options.log?.(`${direction} ${context.schema}: lock not available (attempt ${String(attempt)}), again in ~${String(wait)} ms`);
      if (attempt <= retries) await sleep(wait / 2 + Math.random() * (wait / 2));
    }
  }
  throw new LockNotAvailableError(context.schema, retries + 1, lockTimeoutMs, { cause: lastError });
}
