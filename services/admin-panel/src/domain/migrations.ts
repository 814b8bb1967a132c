/**
 * The migrations page's source: each NovaMigration's stage, phase, weight and last analysis, read
 * from the Kubernetes API (the wiring's implementation; get/list/watch only), and the feed of
 * their changes that keeps an open page up to date.
 */
export interface MigrationView {
  readonly name: string;
  readonly namespace: string;
  readonly stage: string | undefined;
  readonly route: string;
  readonly phase: string;
  readonly weight: number | undefined;
  readonly step: string;
  readonly analysis: string;
  readonly message: string | undefined;
}

export type MigrationsAnswer =
  | { readonly kind: 'listed'; readonly items: readonly MigrationView[] }
  | { readonly kind: 'unconfigured' }
  /** The API refused (its HTTP status) or did not answer (no status). */
  | { readonly kind: 'unavailable'; readonly status?: number };

export interface MigrationsSource {
  list(): Promise<MigrationsAnswer>;
}

export const NO_KUBERNETES: MigrationsSource = { list: () => Promise.resolve({ kind: 'unconfigured' }) };

/** The cells of a row that change while a migration runs: the page's table and its events carry the same text. */
export const LIVE_FIELDS = ['phase', 'weight', 'step', 'analysis', 'message'] as const;
export type LiveField = (typeof LIVE_FIELDS)[number];

/** A row as shown: every cell's text, and the key (namespace/name) that finds it on the page. */
export type MigrationRow = { readonly key: string } & Readonly<Record<'name' | 'stage' | 'route' | LiveField, string>>;

export function migrationRow(view: MigrationView): MigrationRow {
  return {
    key: `${view.namespace}/${view.name}`,
    name: `${view.namespace}/${view.name}`,
    stage: view.stage ?? '—',
    route: view.route,
    phase: view.phase,
    weight: view.weight === undefined ? '—' : `${String(view.weight)} %`,
    step: view.step,
    analysis: view.analysis,
    message: view.message ?? '',
  };
}

/** Whether the page would show anything different for `after` than for `before`. */
export function rowChanged(before: MigrationRow | undefined, after: MigrationRow): boolean {
  if (before === undefined) return true;
  return (Object.keys(after) as (keyof MigrationRow)[]).some((field) => before[field] !== after[field]);
}

/** What an open page is told: a row's new state, or that a migration is gone. */
export type MigrationChange =
  | { readonly kind: 'row'; readonly row: MigrationRow }
  | { readonly kind: 'gone'; readonly key: string };

/**
 * The rows as last seen, kept by whatever watches the API: turns a fresh listing or one watch
 * event into the changes a page must apply, and nothing when a write changed nothing shown (the
 * operator rewrites its status on every reconcile).
 */
export class MigrationTable {
  private readonly rows = new Map<string, MigrationRow>();

  /** Every row, for a page that has just connected. */
  snapshot(): readonly MigrationRow[] {
    return [...this.rows.values()];
  }

  /** A whole listing (the first, or after a relist): what changed, appeared or disappeared meanwhile. */
  replace(views: readonly MigrationView[]): MigrationChange[] {
    const changes: MigrationChange[] = [];
    const seen = new Set<string>();
    for (const view of views) {
      const change = this.upsert(view);
      seen.add(migrationRow(view).key);
      if (change !== undefined) changes.push(change);
    }
    for (const key of [...this.rows.keys()]) {
      if (!seen.has(key)) {
        this.rows.delete(key);
        changes.push({ kind: 'gone', key });
      }
    }
    return changes;
  }

  /** An added or modified migration: its row when the page would show something new. */
  upsert(view: MigrationView): MigrationChange | undefined {
    const row = migrationRow(view);
    if (!rowChanged(this.rows.get(row.key), row)) return undefined;
    this.rows.set(row.key, row);
    return { kind: 'row', row };
  }

  remove(view: MigrationView): MigrationChange | undefined {
    const { key } = migrationRow(view);
    return this.rows.delete(key) ? { kind: 'gone', key } : undefined;
  }
}

/** Changes as they happen, shared by every open page. */
export interface MigrationsFeed {
  /**
   * Calls `listener` with every row known now (once the first listing is in), then with each
   * change, until the returned function is called.
   */
  subscribe(listener: (change: MigrationChange) => void): () => void;
}
