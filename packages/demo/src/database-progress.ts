/**
 * Stage 7 (the database split) as the demo shows it: no traffic weight moves, tables do. Its
 * "weight" is the share of the plan's contexts whose tables are in their own schema (0 before,
 * 100 once all four moved, 0 again after a reverse), so the live view's bar, the report's final
 * weight and the exit code read the same as for a traffic stage. Its figures (the backup, each
 * context's move, the locks, the rows checked) come from the migration's status, where the
 * operator records each step's result.
 */
import type { NovaMigrationStatus } from '../../../operator/dist/api/novamigration.js';
import type { MigrationEvent } from './snapshot.js';

type DatabaseRecord = NonNullable<NovaMigrationStatus['database']>;
type ContextRecord = NonNullable<DatabaseRecord['contexts']>[number];

/** The share (%) of `total` contexts whose tables are in their own schema. */
export function movedShare(status: NovaMigrationStatus, total: number): number {
  if (total <= 0) return 0;
  const moved = (status.database?.contexts ?? []).filter((context) => context.state === 'Moved').length;
  return Math.round((moved / total) * 100);
}

/**
 * Over: Promoted, or rolled back with nothing left to reverse (no context Moving, Moved or
 * Reversing, no restore running), or Failed (a reverse and the restore both failed).
 */
export function databaseFinished(status: NovaMigrationStatus): boolean {
  if (status.phase === 'Promoted' || status.phase === 'Failed') return true;
  if (status.phase !== 'RolledBack') return false;
  const unwinding = (status.database?.contexts ?? []).some((context) => context.state !== 'Reversed');
  return !unwinding && status.database?.restore?.state !== 'Running';
}

export interface ContextFigures {
  readonly context: string;
  readonly schema: string;
  readonly state: string;
  /** The whole step: the swap and its verification, as the operator timed it. */
  readonly tookMs: number;
  /** How long the swap held its locks: a writer of the context waited at most about this. */
  readonly lockedMs: number;
  readonly rowsChecked: number;
}

/** What the report says about the move: the backup, each context, the longest lock held. */
export interface DatabaseFigures {
  /** The contexts the stage moves (spec.database.contexts). */
  readonly planned: number;
  readonly backup?: { readonly bytes: number; readonly sha256: string; readonly tookMs: number; readonly path: string };
  readonly contexts: readonly ContextFigures[];
  /** The longest any swap (a move or a reverse, from status and Events) held its locks, ms. */
  readonly longestLockMs: number;
  readonly rowsChecked: number;
  readonly failure?: string;
  readonly restored?: string;
}

/** One swap the operator reported: a context moved, reversed, or moved and reversed by its failed verification. */
export interface Swap {
  /** e.g. "user moved", "bot reversed", "payment moved and reversed (verification failed)". */
  readonly swap: string;
  /** When the step ended (the Event's time, epoch ms) and how long it took. */
  readonly endedAt: number;
  readonly tookMs: number;
  /** As the Event says (a failed verification's Event has none). */
  readonly lockedMs?: number;
}

/**
 * The swaps, from the operator's Events (ContextMoved, ContextReversed, VerificationFailed): status
 * keeps one record per context, so a reverse overwrites its move's figures, while the Events keep both.
 */
export function swapsOf(events: readonly MigrationEvent[]): Swap[] {
  return [...events].sort((a, b) => a.at - b.at).flatMap((event): Swap[] => {
    const done = /^(\w+): tables (moved into|back in) .* in (\d+\.\d) s(?:, locks held (\d+) ms)?/u.exec(event.note);
    if ((event.reason === 'ContextMoved' || event.reason === 'ContextReversed') && done !== null) {
      const swap = `${done[1] ?? ''} ${event.reason === 'ContextMoved' ? 'moved' : 'reversed'}`;
      return [{ swap, endedAt: event.at, tookMs: Number(done[3]) * 1000, ...(done[4] === undefined ? {} : { lockedMs: Number(done[4]) }) }];
    }
    const failed = /^(\w+): .* after (\d+\.\d) s$/u.exec(event.note);
    if (event.reason === 'VerificationFailed' && failed !== null) return [{ swap: `${failed[1] ?? ''} moved and reversed (verification failed)`, endedAt: event.at, tookMs: Number(failed[2]) * 1000 }];
    return [];
  });
}

export function databaseFigures(status: NovaMigrationStatus, planned: number, events: readonly MigrationEvent[] = []): DatabaseFigures {
  const record = status.database ?? {};
  const contexts = (record.contexts ?? []).map(figuresOf);
  const locks = [...contexts.map((context) => context.lockedMs), ...swapsOf(events).map((swap) => swap.lockedMs ?? 0)];
  const backup = record.backup?.state === 'Done' ? { bytes: record.backup.bytes ?? 0, sha256: record.backup.sha256 ?? '', tookMs: record.backup.tookMs ?? 0, path: record.backup.path ?? '' } : undefined;
  return {
    planned,
    ...(backup === undefined ? {} : { backup }),
    contexts,
    longestLockMs: Math.max(0, ...locks),
    rowsChecked: contexts.reduce((sum, context) => sum + context.rowsChecked, 0),
    ...(record.failure === undefined ? {} : { failure: record.failure }),
    ...(record.restore === undefined ? {} : { restored: `${record.restore.state ?? ''}${record.restore.message === undefined ? '' : `: ${record.restore.message}`}` }),
  };
}

function figuresOf(context: ContextRecord): ContextFigures {
  return {
    context: context.name,
    schema: context.schema ?? '',
    state: context.state,
    tookMs: context.tookMs ?? 0,
    lockedMs: Math.round(context.lockedMs ?? 0),
    rowsChecked: context.rowsChecked ?? 0,
  };
}

/** One line per context for the live view and the report: within 80 columns after their 11-column indent. */
export function contextLine(context: ContextFigures): string {
  const took = context.tookMs > 0 ? `${(context.tookMs / 1000).toFixed(1)} s` : '-';
  return `${context.context.padEnd(10)}${context.state.padEnd(9)} ${took.padStart(6)}, locks ${String(context.lockedMs).padStart(4)} ms, ${String(context.rowsChecked)} rows checked`;
}

export function backupLine(backup: DatabaseFigures['backup']): string {
  if (backup === undefined) return 'no backup yet';
  return `${String(backup.bytes)} bytes in ${(backup.tookMs / 1000).toFixed(1)} s, sha256 ${backup.sha256.slice(0, 16)}…`;
}
