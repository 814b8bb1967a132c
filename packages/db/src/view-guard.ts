/**
 * Finds a pending migration whose DDL names a relation that is a view in this database. In stage
 * 7's "before" (docs/database-split.md) a context's schema holds views of the legacy schema's
 * tables; a service migration written against its table (`ALTER TABLE "user_service"."users" ...`,
 * an index on it, a foreign key to it) would fail on the view, after the migrations before it had
 * committed. Reading the scripts first lets the runner refuse the whole upgrade instead.
 */
import type { ClientBase } from 'pg';
import type { MigrationFile } from './migrations-dir.js';

export interface ViewInSchema {
  /** The view's name in the migrated schema. */
  readonly name: string;
  /** The table it reads, `<schema>.<name>`. */
  readonly table: string;
}

export interface DdlOnView {
  readonly migration: string;
  readonly view: ViewInSchema;
}

/** The schema's views, each with the relation it reads (the stage-7 views read exactly one table). */
export async function viewsOf(client: ClientBase, schema: string): Promise<ViewInSchema[]> {
  const { rows } = await client.query<{ name: string; tables: string[] | null }>(
    `SELECT v.relname AS name,
            array_agg(DISTINCT format('%I.%I', tn.nspname, t.relname)) FILTER (WHERE t.oid IS NOT NULL AND t.oid <> v.oid) AS tables
       FROM pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace
       LEFT JOIN pg_rewrite r ON r.ev_class = v.oid
       LEFT JOIN pg_depend d ON d.objid = r.oid AND d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
       LEFT JOIN pg_class t ON t.oid = d.refobjid
       LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
      WHERE n.nspname = $1 AND v.relkind = 'v'
      GROUP BY v.relname`,
    [schema],
  );
  return rows.map((r) => ({ name: r.name, table: (r.tables ?? []).join(', ') || 'another relation' }));
}

const DDL = /^(ALTER|CREATE|DROP|COMMENT|TRUNCATE|CLUSTER|REINDEX)\b/i;

/** The script's statements without comments (good enough for Prisma's generated SQL: no `;` in strings that matter here). */
function statements(script: string): string[] {
  const withoutComments = script.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
  return withoutComments.split(';').map((s) => s.trim()).filter((s) => s !== '');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The first DDL statement among `pending` that names one of `views`, qualified (`"schema"."name"`,
 * as Prisma writes every name, or `schema.name`) or as an unqualified `TABLE name` under the
 * runner's search_path. Data changes (UPDATE, INSERT) through a view work and are not refused.
 */
export function findDdlOnViews(schema: string, pending: readonly MigrationFile[], views: readonly ViewInSchema[]): DdlOnView | undefined {
  if (views.length === 0) return undefined;
  const patterns = views.map((view) => {
    const s = escape(schema);
    const v = escape(view.name);
    const qualified = `"?${s}"?\\s*\\.\\s*"?${v}"?(?![a-z0-9_])`;
    const bare = `\\bTABLE\\s+(?:IF\\s+EXISTS\\s+)?(?:ONLY\\s+)?"?${v}"?(?![a-z0-9_.])`;
    return { view, pattern: new RegExp(`(?<![a-z0-9_"])(?:${qualified})|${bare}`, 'i') };
  });
  for (const file of pending) {
    for (const statement of statements(file.script)) {
      if (!DDL.test(statement)) continue;
      const hit = patterns.find((p) => p.pattern.test(statement));
      if (hit) return { migration: file.name, view: hit.view };
    }
  }
  return undefined;
}
