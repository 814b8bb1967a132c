/**
 * Where a plan's table is right now, read from pg_class: every step decides what is left to do from
 * this alone, so re-running a step after a crash at any point redoes only what did not commit.
 */
import type pg from 'pg';
import { UnexpectedCatalogueError } from './errors.js';

/** `r`/`p` a table, `v` a view (the only kinds the move creates), `absent` nothing of that name. */
export type RelationKind = 'table' | 'view' | 'absent' | 'other';

export interface TablePlace {
  readonly table: string;
  /** Kind of `<legacy>.<table>` and of `<context>.<table>`. */
  readonly legacy: RelationKind;
  readonly context: RelationKind;
}

/** `before`: table in the legacy schema; `moved`: table in the context's schema. */
export type TableState = 'before' | 'moved';

export type Queryable = Pick<pg.ClientBase, 'query'>;

function kindOf(relkind: string | undefined): RelationKind {
  if (relkind === undefined) return 'absent';
  if (relkind === 'r' || relkind === 'p') return 'table';
  if (relkind === 'v') return 'view';
  return 'other';
}

export async function locateTables(db: Queryable, legacy: string, context: string, tables: readonly string[]): Promise<TablePlace[]> {
  const { rows } = await db.query<{ nspname: string; relname: string; relkind: string }>(
    `SELECT n.nspname, c.relname, c.relkind::text AS relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1::text[]) AND c.relname = ANY($2::text[])`,
    [[legacy, context], [...tables]],
  );
  const find = (schema: string, table: string): RelationKind => kindOf(rows.find((r) => r.nspname === schema && r.relname === table)?.relkind);
  return tables.map((table) => ({ table, legacy: find(legacy, table), context: find(context, table) }));
}

/** The state of one table, or a typed error naming a shape no step of the move leaves behind. */
export function stateOf(place: TablePlace, legacy: string, context: string): TableState {
  if (place.legacy === 'table' && place.context !== 'table' && place.context !== 'other') return 'before';
  if (place.context === 'table' && place.legacy !== 'table' && place.legacy !== 'other') return 'moved';
  throw new UnexpectedCatalogueError(
    `table ${place.table}: ${legacy}.${place.table} is ${place.legacy}, ${context}.${place.table} is ${place.context}; expected one table and at most a view`,
    context,
  );
}

/** Sequences a table's columns own (serial) or use as identity: they move with the table. */
export async function ownedSequences(db: Queryable, schema: string, table: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT format('%I.%I', sn.nspname, s.relname) AS name FROM pg_depend d
       JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' JOIN pg_namespace sn ON sn.oid = s.relnamespace
      WHERE d.refobjid = format('%I.%I', $1::text, $2::text)::regclass AND d.deptype IN ('a', 'i') ORDER BY 1`,
    [schema, table],
  );
  return rows.map((r) => r.name);
}
