/**
 * Who may reach what, in either arrangement. Table ACLs travel with `SET SCHEMA`; views are dropped
 * and created, so the swap re-grants them in its own transaction. Sequences need USAGE for both the
 * context's and the legacy login on both sides: a column default's nextval() runs as the caller,
 * even when the INSERT came through a view.
 */
import { ownedSequences, type Queryable } from './catalogue.js';

const DML = 'SELECT, INSERT, UPDATE, DELETE';

export interface Arrangement {
  readonly legacy: string;
  readonly context: string;
  readonly contextRole?: string;
  readonly legacyRole?: string;
}

/** Grants for one table whose table now lives in `tableSchema` (the view in the other schema). */
export async function grantTable(db: Queryable, arrangement: Arrangement, table: string, tableSchema: string): Promise<void> {
  const { legacy, context, contextRole, legacyRole } = arrangement;
  const statements: string[] = [];
  if (contextRole) {
    statements.push(`GRANT USAGE ON SCHEMA ${context} TO ${contextRole}`, `GRANT ${DML} ON ${context}.${table} TO ${contextRole}`);
    // Before the move the context reaches the rows only through its view (the view's owner reads the table).
    if (tableSchema === legacy) statements.push(`REVOKE ALL ON ${legacy}.${table} FROM ${contextRole}`);
  }
  if (legacyRole) {
    statements.push(`GRANT USAGE ON SCHEMA ${legacy} TO ${legacyRole}`, `GRANT ${DML} ON ${legacy}.${table} TO ${legacyRole}`);
    if (tableSchema === context) statements.push(`REVOKE ALL ON ${context}.${table} FROM ${legacyRole}`);
  }
  const roles = [contextRole, legacyRole].filter((r): r is string => r !== undefined);
  if (roles.length > 0) {
    for (const sequence of await ownedSequences(db, tableSchema, table)) statements.push(`GRANT USAGE, SELECT ON SEQUENCE ${sequence} TO ${roles.join(', ')}`);
  }
  for (const statement of statements) await db.query(statement);
}

export interface GrantCheck {
  readonly ok: boolean;
  readonly problems: string[];
}

/** What each login can reach, read from has_*_privilege (the real login test is in test/schema-move). */
export async function checkGrants(db: Queryable, arrangement: Arrangement, tables: readonly string[], otherContexts: readonly string[]): Promise<GrantCheck> {
  const { legacy, context, contextRole, legacyRole } = arrangement;
  const problems: string[] = [];
  const has = async (sql: string, values: unknown[]): Promise<boolean> => (await db.query<{ ok: boolean }>(sql, values)).rows[0]?.ok === true;
  for (const [role, schema] of [[contextRole, context], [legacyRole, legacy]] as const) {
    if (!role) continue;
    if (!(await has('SELECT has_schema_privilege($1, $2, \'USAGE\') AS ok', [role, schema]))) problems.push(`${role} has no USAGE on schema ${schema}`);
    for (const table of tables) {
      for (const privilege of ['SELECT', 'INSERT', 'UPDATE', 'DELETE']) {
        if (!(await has('SELECT has_table_privilege($1, $2, $3) AS ok', [role, `${schema}.${table}`, privilege]))) problems.push(`${role} lacks ${privilege} on ${schema}.${table}`);
      }
    }
  }
  if (contextRole) {
    for (const other of otherContexts) {
      if (await has('SELECT has_schema_privilege($1, $2, \'USAGE\') AS ok', [contextRole, other])) problems.push(`${contextRole} reaches another context's schema ${other}`);
    }
  }
  return { ok: problems.length === 0, problems };
}
