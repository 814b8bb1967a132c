/**
 * The whole plan's live view: one line per migration of the plan (stage 5 has two: its context and
 * its callbacks), each its phase, weight, step and the last analysis of both sides, then the
 * simulated traffic and the newest events. Every line fits an 80-column terminal: the columns are
 * fixed and cut, and the free-text lines (counts, events) are cut at 80 too.
 */
import type { NovaMigrationStatus } from '../../../operator/dist/api/novamigration.js';
import { backupLine, contextLine, type DatabaseFigures } from './database-progress.js';
import type { ReminderCounts } from './reminders.js';
import type { TrafficCounts } from './snapshot.js';
import { adminLine, clock, paymentsLine, postsLine } from './view.js';

const CLEAR = '\u001b[H\u001b[2J';
export const COLUMNS = 80;
/** The newest events the live view shows under the stages. */
const EVENTS_SHOWN = 8;

/** One migration of the plan as the view draws it. */
export interface StageRow {
  /** The seed's stage number. */
  readonly stage: number;
  readonly migration: string;
  readonly status: NovaMigrationStatus;
  /** On the target (%); stage 7: the share of its contexts moved (database-progress.ts). */
  readonly weight: number;
}

export interface WholeSnapshot {
  readonly at: number;
  readonly startedAt: number;
  readonly rows: readonly StageRow[];
  readonly traffic: TrafficCounts;
  /** Events and the demo's own notes, oldest first, each starting with its HH:MM:SS. */
  readonly notes: readonly string[];
  /** --fail N: the stage that breaks. */
  readonly failStage?: number;
  /** Stage 7 once it started: a line per context under its row (state, time, locks, rows checked). */
  readonly database?: DatabaseFigures;
  /** The seeded subscriptions' reminders so far (reminders.ts; `expected`: due so far). */
  readonly reminders?: ReminderCounts;
}

export function fit(line: string, columns = COLUMNS): string {
  return line.length <= columns ? line : `${line.slice(0, columns - 1)}…`;
}

/** The migration's name without its `stage-N-` prefix: what moves. */
export function shortName(migration: string): string {
  return migration.replace(/^stage-\d+-/u, '');
}

type Side = NonNullable<NonNullable<NovaMigrationStatus['analysis']>['legacy']>;

/** "0.0% 123ms": one side of the last check, or "-" before any. */
export function sideFigures(side: Side | undefined): string {
  if (side === undefined) return '-';
  const p95 = side.p95LatencyMs === undefined ? '-' : `${String(Math.round(side.p95LatencyMs))}ms`;
  return `${((side.errorRate ?? 0) * 100).toFixed(1)}% ${p95}`;
}

export const STAGE_HEADER = fit(`${'stage'.padEnd(18)}${'phase'.padEnd(12)}${'wt'.padStart(4)} ${'step'.padEnd(19)}${'legacy'.padEnd(13)}target`);

/** `N name  phase  weight  step  legacy  target` in fixed columns (18, 12, 5, 19, 13, 12): within 80. */
export function stageLine(row: StageRow): string {
  const status = row.status;
  const name = `${String(row.stage)} ${shortName(row.migration)}`.slice(0, 17).padEnd(18);
  const phase = (status.phase ?? 'Pending').slice(0, 11).padEnd(12);
  const weight = `${String(row.weight)}%`.padStart(4);
  const step = (status.stepLabel ?? '-').slice(0, 18).padEnd(19);
  const legacy = sideFigures(status.analysis?.legacy).slice(0, 12).padEnd(13);
  const target = sideFigures(status.analysis?.target).slice(0, 12);
  return fit(`${name}${phase}${weight} ${step}${legacy}${target}`.trimEnd());
}

/** Under stage 7's line: the backup (taken before the first move, the plan's last resort) and each context's move. */
function databaseLines(database: DatabaseFigures): string[] {
  return [`  ${'backup'.padEnd(10)}${backupLine(database.backup)}`, ...database.contexts.map((context) => `  ${contextLine(context)}`)];
}

export function renderWholeLive(s: WholeSnapshot): string {
  const t = s.traffic;
  const lines = [
    `Nova demo — the whole plan, stages 1 to 8${s.failStage === undefined ? '' : ` (--fail ${String(s.failStage)})`}`.padEnd(COLUMNS - 6) + clock(s.at - s.startedAt),
    '',
    STAGE_HEADER,
    ...s.rows.flatMap((row) => [stageLine(row), ...(row.stage === 7 && s.database !== undefined ? databaseLines(s.database) : [])]),
    '',
    `traffic  ${String(t.sent)} updates sent, ${String(t.answered)} answered, ${String(t.sent - t.answered)} in flight, ${String(t.duplicates)} duplicate`,
    `         ${String(t.refusedDeliveries)} deliveries refused and retried by Telegram`,
    ...(t.payments === undefined ? [] : [`payments ${paymentsLine(t.payments)}`]),
    ...(t.posts === undefined ? [] : [`posts    ${postsLine(t.posts)}`]),
    ...(t.admin === undefined ? [] : [`admins   ${adminLine(t.admin)}`]),
    ...(s.reminders === undefined ? [] : [`reminder ${String(s.reminders.expected)} due so far, ${String(s.reminders.received)} received, ${String(s.reminders.doubled)} doubled, ${String(s.reminders.unexpected)} unexpected`]),
    '',
    ...s.notes.slice(-EVENTS_SHOWN),
  ];
  return `${CLEAR}${lines.map((line) => fit(line)).join('\n')}\n`;
}

/** --no-live: a line for each migration whose phase, step or weight changed since `previous` (keyed by migration). */
export function changedLines(s: WholeSnapshot, previous: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const row of s.rows) {
    const key = `${row.status.phase ?? 'Pending'} ${row.status.stepLabel ?? '-'} ${String(row.weight)}`;
    if (previous.get(row.migration) === key) continue;
    previous.set(row.migration, key);
    lines.push(`[${clock(s.at - s.startedAt)}] ${stageLine(row)}`);
  }
  return lines;
}
