/** What `kubectl nova` prints: a table for many migrations, a page for one, or JSON for tools. */
import { movedThing, type NovaMigration, type NovaMigrationStatus } from '../api/novamigration.js';

type Analysis = NonNullable<NovaMigrationStatus['analysis']>;
type DatabaseRecord = NonNullable<NovaMigrationStatus['database']>;
type Measurement = NonNullable<Analysis['target']>;

/** The fields a tool wants, stable across operator versions (the `-o json` contract). */
export interface MigrationSummary {
  readonly namespace: string;
  readonly name: string;
  readonly phase: string;
  readonly weight: number;
  readonly desiredWeight: number;
  readonly step: number | null;
  readonly steps: number;
  readonly stepLabel: string;
  readonly message: string;
  readonly waitingFor: readonly string[];
  readonly analysis: {
    readonly lastResult: string | null;
    readonly summary: string | null;
    readonly lastRun: string | null;
    readonly passes: number;
    readonly failures: number;
    readonly inconclusive: number;
    readonly errors: number;
    readonly target: Measurement | null;
    readonly legacy: Measurement | null;
  } | null;
  readonly conditions: readonly { readonly type: string; readonly status: string; readonly reason: string; readonly message: string }[];
  /** A database migration's record (backup, each context's state, a restore), as status holds it; null for traffic. */
  readonly database: DatabaseRecord | null;
}

export function summarize(migration: NovaMigration): MigrationSummary {
  const status = migration.status ?? {};
  const analysis = status.analysis;
  return {
    namespace: migration.metadata?.namespace ?? '',
    name: migration.metadata?.name ?? '',
    phase: status.phase ?? 'Pending',
    weight: status.weight ?? 0,
    desiredWeight: status.desiredWeight ?? 0,
    step: status.currentStep === undefined ? null : status.currentStep + 1,
    steps: migration.spec.steps.length,
    stepLabel: status.stepLabel ?? '',
    message: status.message ?? '',
    waitingFor: status.waitingFor ?? [],
    analysis: analysis === undefined
      ? null
      : {
          lastResult: analysis.lastResult ?? null,
          summary: analysis.summary ?? null,
          lastRun: analysis.lastRun ?? null,
          passes: analysis.passes ?? 0,
          failures: analysis.failures ?? 0,
          inconclusive: analysis.inconclusive ?? 0,
          errors: analysis.errors ?? 0,
          target: analysis.target ?? null,
          legacy: analysis.legacy ?? null,
        },
    conditions: (status.conditions ?? []).map((condition) => ({ type: condition.type, status: condition.status, reason: condition.reason, message: condition.message })),
    database: migration.spec.database === undefined ? null : (status.database ?? {}),
  };
}

export function table(migrations: readonly NovaMigration[], withNamespace: boolean): string {
  const header = [...(withNamespace ? ['NAMESPACE'] : []), 'NAME', 'PHASE', 'WEIGHT', 'STEP', 'LAST CHECK', 'TARGET', 'LEGACY', 'CHECKS P/F/I/E'];
  const rows = migrations.map((migration) => {
    const s = summarize(migration);
    const a = s.analysis;
    return [
      ...(withNamespace ? [s.namespace] : []),
      s.name,
      s.waitingFor.length > 0 ? `${s.phase} (waits for ${s.waitingFor.join(', ')})` : s.phase,
      migration.spec.database === undefined ? `${String(s.weight)}%` : movedCount(migration),
      s.stepLabel === '' ? '-' : s.stepLabel,
      a?.lastResult ?? '-',
      measurement(a?.target ?? null),
      measurement(a?.legacy ?? null),
      a === null ? '-' : `${String(a.passes)}/${String(a.failures)}/${String(a.inconclusive)}/${String(a.errors)}`,
    ];
  });
  if (rows.length === 0) return 'No NovaMigrations found.';
  return align([header, ...rows]);
}

/** "2/4 moved": contexts moved of those the database migration names (its WEIGHT column). */
function movedCount(migration: NovaMigration): string {
  const moved = (migration.status?.database?.contexts ?? []).filter((c) => c.state === 'Moved').length;
  return `${String(moved)}/${String(migration.spec.database?.contexts.length ?? 0)} moved`;
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '' : ` in ${(ms / 1000).toFixed(1)} s`;
}

/** The page's lines for a database migration: what moves, the backup, each context, a restore. */
function databaseLines(migration: NovaMigration): [string, string][] {
  const database = migration.spec.database;
  if (database === undefined) return [];
  const record = migration.status?.database ?? {};
  const lines: [string, string][] = [['Tables', `${database.contexts.map((c) => `${c.tables.join(', ')} -> ${c.schema}`).join('; ')} (from ${database.legacySchema})`]];
  lines.push(['Moved', movedCount(migration)]);
  const backup = record.backup;
  lines.push(['Backup', backup === undefined ? '-' : backup.state === 'Done' ? `${backup.path ?? ''}, ${String(backup.bytes ?? 0)} bytes, sha256 ${backup.sha256 ?? ''}${seconds(backup.tookMs)}` : `running since ${backup.startedAt ?? ''}`]);
  for (const context of record.contexts ?? []) {
    const rows = context.rowsChecked === undefined ? '' : `, ${String(context.rowsChecked)} rows checked`;
    const locked = context.lockedMs === undefined ? '' : `, locks held ${String(Math.round(context.lockedMs))} ms`;
    lines.push([`  ${context.name}`, `${context.state} (${context.schema ?? ''})${seconds(context.tookMs)}${locked}${rows}`]);
  }
  if (record.restore !== undefined) lines.push(['Restore', `${record.restore.state ?? ''}${seconds(record.restore.tookMs)}${record.restore.message === undefined ? '' : `: ${record.restore.message}`}`]);
  if (record.failure !== undefined) lines.push(['Failure', record.failure]);
  return lines;
}

function trafficLines(migration: NovaMigration, s: MigrationSummary): [string, string][] {
  const spec = migration.spec;
  if (spec.trafficProvider === undefined || spec.legacy === undefined || spec.target === undefined) return [];
  const provider = Object.entries(spec.trafficProvider).map(([kind, config]) => `${kind} ${Object.values(config as Record<string, unknown>).join(' ')}`.trim()).join(', ');
  return [
    ['Route', `${spec.route === undefined ? movedThing(spec) : `${spec.route.host ?? '*'}${spec.route.pathPrefix}`}  ${spec.legacy.service}:${String(spec.legacy.port)} -> ${spec.target.service}:${String(spec.target.port)} (${provider})`],
    ['Weight', `${String(s.weight)}% to the target${s.desiredWeight === s.weight ? '' : ` (writing ${String(s.desiredWeight)}%)`}`],
  ];
}

export function page(migration: NovaMigration): string {
  const s = summarize(migration);
  const spec = migration.spec;
  const lines: [string, string][] = [
    ['Name', s.name],
    ['Namespace', s.namespace],
    ['Phase', `${s.phase}${s.message === '' ? '' : `: ${s.message}`}`],
    ...trafficLines(migration, s),
    ...databaseLines(migration),
    ['Step', s.stepLabel === '' ? '-' : `${s.stepLabel}${migration.status?.stepStartedAt === undefined ? '' : `, since ${migration.status.stepStartedAt}`}`],
  ];
  if (s.waitingFor.length > 0) lines.push(['Waiting for', s.waitingFor.join(', ')]);
  const a = s.analysis;
  if (a !== null) {
    lines.push(['Analysis', `${a.summary ?? '-'}${a.lastRun === null ? '' : ` (at ${a.lastRun})`}`]);
    lines.push(['Checks', `${String(a.passes)} passed, ${String(a.failures)} failed, ${String(a.inconclusive)} inconclusive, ${String(a.errors)} could not be made in a row`]);
    lines.push(['  target', measurement(a.target)]);
    lines.push(['  legacy', measurement(a.legacy)]);
  } else if (spec.analysis !== undefined) lines.push(['Analysis', 'no check made yet']);
  for (const condition of s.conditions) lines.push([`  ${condition.type}`, `${condition.status} ${condition.reason}${condition.message === '' ? '' : `: ${condition.message}`}`]);
  const width = Math.max(...lines.map(([label]) => label.length)) + 2;
  return lines.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`).join('\n');
}

function measurement(m: Measurement | null): string {
  if (m === null) return '-';
  const rate = m.errorRate === undefined ? '-' : `${(m.errorRate * 100).toFixed(2)}%`;
  const p95 = m.p95LatencyMs === undefined ? '-' : `${String(Math.round(m.p95LatencyMs))}ms`;
  return `err ${rate} p95 ${p95} n=${String(m.requests ?? 0)}`;
}

function align(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd((widths[column] ?? 0) + 3))).join('').trimEnd()).join('\n');
}
