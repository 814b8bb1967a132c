/**
 * The steps of stage 7 over a plan: prepare (the "before": a view per table in each context's
 * schema), move and reverse (one swap per context, each verified), verify, status. Each step reads
 * the catalogue first, so the operator can re-run any of them after a crash and it converges.
 */
import type pg from 'pg';
import { locateTables, stateOf, type Queryable, type TableState } from './catalogue.js';
import { InjectedFaultError, SchemaMoveError, VerificationFailedError } from './errors.js';
import { fingerprint, sameFingerprint, type Fingerprint } from './fingerprint.js';
import { checkGrants, grantTable } from './grants.js';
import { legacySchemaOf, validatePlan, type ContextMove, type MovePlan } from './plan.js';
import { swapContext, type SwapFaults, type SwapOptions, type SwapResult } from './swap.js';

export interface EngineFaults extends SwapFaults {
  /** Test-only: called before each step of a sequence (`move user_service`, `verify user_service`, ...); a throw stops it there. */
  readonly beforeStep?: (step: string) => void | Promise<void>;
}

export interface EngineOptions extends SwapOptions {
  readonly faults?: EngineFaults;
}

function arrangementOf(plan: MovePlan, context: ContextMove) {
  return { legacy: legacySchemaOf(plan), context: context.schema, ...(context.role ? { contextRole: context.role } : {}), ...(plan.legacyRole ? { legacyRole: plan.legacyRole } : {}) };
}

/**
 * The arrangement before stage 7: each context's schema exists and holds a view of each of its
 * tables, granted to its login. Tables already moved are left as they are.
 */
export async function prepare(client: pg.ClientBase, plan: MovePlan): Promise<void> {
  validatePlan(plan);
  const legacy = legacySchemaOf(plan);
  await client.query('BEGIN');
  try {
    for (const context of plan.contexts) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${context.schema}`);
      for (const place of await locateTables(client, legacy, context.schema, context.tables)) {
        const state = stateOf(place, legacy, context.schema);
        const [tableSchema, viewSchema, view] = state === 'before' ? [legacy, context.schema, place.context] : [context.schema, legacy, place.legacy];
        if (view === 'absent') await client.query(`CREATE VIEW ${viewSchema}.${place.table} AS SELECT * FROM ${tableSchema}.${place.table}`);
        await grantTable(client, arrangementOf(plan, context), place.table, tableSchema);
      }
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

export interface TableStatus {
  readonly table: string;
  readonly state: TableState;
}

export interface ContextStatus {
  readonly schema: string;
  /** `mixed` only if someone moved single tables by hand: the swap moves a context's tables together. */
  readonly state: TableState | 'mixed';
  readonly tables: readonly TableStatus[];
}

export async function status(db: Queryable, plan: MovePlan): Promise<ContextStatus[]> {
  const legacy = legacySchemaOf(plan);
  const result: ContextStatus[] = [];
  for (const context of plan.contexts) {
    const tables = (await locateTables(db, legacy, context.schema, context.tables)).map((p) => ({ table: p.table, state: stateOf(p, legacy, context.schema) }));
    const states = new Set(tables.map((t) => t.state));
    result.push({ schema: context.schema, state: states.size === 1 ? (tables[0]?.state ?? 'before') : 'mixed', tables });
  }
  return result;
}

export interface TableVerification {
  readonly table: string;
  /** The table's fingerprint as seen now, in the same snapshot as the view's. */
  readonly live: Fingerprint;
  /** From the swap, under its lock, when this run moved the table. */
  readonly before?: Fingerprint;
  readonly after?: Fingerprint;
}

export interface ContextVerification {
  readonly schema: string;
  readonly expected: TableState;
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly tables: readonly TableVerification[];
}

/**
 * Checks one context against the arrangement it should be in: every table where expected with the
 * compatibility view on the other side reading it; the swap's before/after fingerprints equal; in one
 * snapshot, the table and its view hold the same rows; and each login's grants.
 */
export async function verifyContext(client: pg.ClientBase, plan: MovePlan, context: ContextMove, expected: TableState, swap?: SwapResult): Promise<ContextVerification> {
  const legacy = legacySchemaOf(plan);
  const [tableSchema, viewSchema] = expected === 'moved' ? [context.schema, legacy] : [legacy, context.schema];
  const problems: string[] = [];
  const tables: TableVerification[] = [];
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    for (const place of await locateTables(client, legacy, context.schema, context.tables)) {
      const table = place.table;
      let state: TableState;
      try {
        state = stateOf(place, legacy, context.schema);
      } catch (error) {
        problems.push((error as Error).message);
        continue;
      }
      if (state !== expected) {
        problems.push(`${table} is ${state}, expected ${expected}`);
        continue;
      }
      const { rows } = await client.query<{ ok: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
            WHERE r.ev_class = to_regclass($1) AND d.refobjid = to_regclass($2)) AS ok`,
        [`${viewSchema}.${table}`, `${tableSchema}.${table}`],
      );
      if (rows[0]?.ok !== true) {
        problems.push(`${viewSchema}.${table} is not a view of ${tableSchema}.${table}`);
        continue;
      }
      const live = await fingerprint(client, tableSchema, table);
      const throughView = await fingerprint(client, viewSchema, table);
      if (!sameFingerprint(live, throughView)) problems.push(`${viewSchema}.${table} shows ${String(throughView.rows)} rows (checksum ${throughView.checksum}), the table ${String(live.rows)} (${live.checksum})`);
      const swapped = swap?.moved.find((m) => m.table === table);
      if (swapped?.filenodeAfter !== undefined && swapped.filenodeAfter !== swapped.filenodeBefore) {
        problems.push(`${table}'s storage changed during the swap (filenode ${swapped.filenodeBefore} → ${swapped.filenodeAfter})`);
      }
      if (swapped?.before && swapped.after && !sameFingerprint(swapped.before, swapped.after)) {
        problems.push(`${table} changed during the swap: ${String(swapped.before.rows)} rows (checksum ${swapped.before.checksum}) before, ${String(swapped.after.rows)} (${swapped.after.checksum}) after`);
      }
      tables.push({ table, live, ...(swapped?.before ? { before: swapped.before } : {}), ...(swapped?.after ? { after: swapped.after } : {}) });
    }
    const others = plan.contexts.filter((c) => c.schema !== context.schema).map((c) => c.schema);
    const grants = await checkGrants(client, arrangementOf(plan, context), context.tables, others);
    problems.push(...grants.problems);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return { schema: context.schema, expected, ok: problems.length === 0, problems, tables };
}

export interface StepReport {
  readonly swap: SwapResult;
  readonly verification: ContextVerification;
}

export interface MoveAllReport {
  readonly moved: readonly StepReport[];
}

async function step(options: EngineOptions, name: string): Promise<void> {
  await options.faults?.beforeStep?.(name);
}

/** Moves one context and verifies it; a failed verification reverses that context and throws. */
export async function moveContext(client: pg.ClientBase, plan: MovePlan, context: ContextMove, options: EngineOptions = {}): Promise<StepReport> {
  await step(options, `move ${context.schema}`);
  const swap = await swapContext(client, plan, context, 'move', options);
  await step(options, `verify ${context.schema}`);
  const verification = await verifyContext(client, plan, context, 'moved', swap);
  if (!verification.ok) {
    options.log?.(`verify ${context.schema} failed (${verification.problems.join('; ')}): reversing it`);
    await swapContext(client, plan, context, 'reverse', options);
    throw new VerificationFailedError(context.schema, verification.problems);
  }
  return { swap, verification };
}

/** Reverses one context and verifies the "before" arrangement. */
export async function reverseContext(client: pg.ClientBase, plan: MovePlan, context: ContextMove, options: EngineOptions = {}): Promise<StepReport> {
  await step(options, `reverse ${context.schema}`);
  const swap = await swapContext(client, plan, context, 'reverse', options);
  await step(options, `verify-reverse ${context.schema}`);
  const verification = await verifyContext(client, plan, context, 'before', swap);
  if (!verification.ok) throw new VerificationFailedError(context.schema, verification.problems);
  return { swap, verification };
}

/** Thrown by moveAll when it had to reverse; `reversed` lists the contexts put back, newest first. */
export class MoveReversedError extends SchemaMoveError {
  override readonly name = 'MoveReversedError';
  constructor(
    readonly failed: SchemaMoveError | Error,
    readonly reversed: readonly string[],
  ) {
    super(`the move failed (${failed.message}); reversed ${reversed.join(', ') || 'nothing'}`, (failed as Partial<SchemaMoveError>).schema ?? '', { cause: failed });
  }
}

/**
 * Every context in order, each moved and verified; when one fails its verification (or its swap),
 * the contexts moved so far are reversed newest first and MoveReversedError says so. An injected
 * fault (a simulated crash) is not a failure to reverse: it is rethrown as is, like a kill would.
 * If a reverse itself fails, that error is thrown: the caller's last resort is the backup.
 */
export async function moveAll(client: pg.ClientBase, plan: MovePlan, options: EngineOptions = {}): Promise<MoveAllReport> {
  validatePlan(plan);
  const moved: StepReport[] = [];
  for (const context of plan.contexts) {
    try {
      moved.push(await moveContext(client, plan, context, options));
    } catch (error) {
      if (error instanceof InjectedFaultError) throw error;
      const reversed = error instanceof VerificationFailedError ? [context.schema] : [];
      for (const done of [...moved].reverse()) {
        await reverseContext(client, plan, plan.contexts.find((c) => c.schema === done.swap.schema) ?? context, options);
        reversed.push(done.swap.schema);
      }
      throw new MoveReversedError(error as Error, reversed);
    }
  }
  return { moved };
}

/** Every context back to the "before" arrangement, newest first. */
export async function reverseAll(client: pg.ClientBase, plan: MovePlan, options: EngineOptions = {}): Promise<StepReport[]> {
  validatePlan(plan);
  const reports: StepReport[] = [];
  for (const context of [...plan.contexts].reverse()) reports.push(await reverseContext(client, plan, context, options));
  return reports;
}

/** Verifies every context against the state it is in now (status), for the CLI's `verify`. */
export async function verifyAll(client: pg.ClientBase, plan: MovePlan): Promise<ContextVerification[]> {
  const states = await status(client, plan);
  const result: ContextVerification[] = [];
  for (const context of plan.contexts) {
    const state = states.find((s) => s.schema === context.schema)?.state;
    result.push(await verifyContext(client, plan, context, state === 'moved' ? 'moved' : 'before'));
  }
  return result;
}
