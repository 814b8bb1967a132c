/**
 * Stage 7's stall, measured from a writer's side: the swap's `lockedMs` in status is how long the
 * engine held its locks, but what a service feels is how long its write waited. The probe writes
 * every table the stage moves, one statement at a time per table on its own connection, at a steady
 * pace, through the context's schema as the services do (a view of public before the move, the
 * table after): an UPDATE of one real row's key to itself, which takes the same lock as any write
 * and changes no data (so no verification sees it). `@nova/schema-move`'s SteadyWriter times each.
 *
 * Each swap's window comes from the operator's Event about it (ContextMoved/ContextReversed, at its
 * end, with the time the step took): the longest probe write that overlapped the window is that
 * swap's stall. The report gives every swap's, their p99 and max, and the writes' p99 outside swaps.
 */
import { SteadyWriter, type WriteTarget } from '@nova/schema-move';
import { swapsOf } from './database-progress.js';
import type { MigrationEvent } from './snapshot.js';

export interface ProbedTable {
  readonly schema: string;
  readonly table: string;
  /** A column of its primary key. */
  readonly key: string;
}

/** The tables of examples/stages/stage-7-database.yaml with a key column each (the services' migrations). */
export const STAGE_7_TABLES: readonly ProbedTable[] = [
  { schema: 'user_service', table: 'users', key: 'telegram_id' },
  { schema: 'bot_service', table: 'user_bots', key: 'bot_id' },
  { schema: 'publisher_service', table: 'posts', key: 'id' },
  { schema: 'publisher_service', table: 'published_posts', key: 'post_id' },
  { schema: 'publisher_service', table: 'stories', key: 'id' },
  { schema: 'payment_service', table: 'payments', key: 'id' },
  { schema: 'payment_service', table: 'purchases', key: 'id' },
];

/** The pause after each probe write, per table: at most 50 writes a second per table (each waits for its last). */
const PAUSE_MS = 20;
/** Around a swap's window, for the imprecision of its Event's time. */
const MARGIN_MS = 250;
/** Whatever happens, a probe stops after this long (a demo's stage takes minutes). */
const MAX_RUN_MS = 30 * 60_000;

export interface SwapStall {
  /** e.g. "user moved", "bot reversed" (database-progress.ts, swapsOf). */
  readonly swap: string;
  readonly tookMs: number;
  /** The longest probe write that overlapped the swap's step. */
  readonly longestWriteMs: number;
}

export interface StallFigures {
  readonly writes: number;
  /** Probe writes that failed (an error, not a wait): a swap must cause none. */
  readonly failed: number;
  readonly failures: readonly string[];
  readonly swaps: readonly SwapStall[];
  /** Over the swaps' longest writes. */
  readonly p99Ms: number;
  readonly maxMs: number;
  /** The probe's p99 over the whole run: what a write costs anyway on this machine at this moment. */
  readonly allWritesP99Ms: number;
}

export class WriteProbe {
  private constructor(private readonly writer: SteadyWriter) {}

  static async start(databaseUrl: string, tables: readonly ProbedTable[] = STAGE_7_TABLES): Promise<WriteProbe> {
    const targets: WriteTarget[] = tables.map((t) => {
      const name = `${t.schema}.${t.table}`;
      return {
        label: name,
        url: databaseUrl,
        insert: () => ({ text: `UPDATE ${name} SET ${t.key} = ${t.key} WHERE ${t.key} = (SELECT min(${t.key}) FROM ${name})`, values: [] }),
        table: t.table,
        keyColumn: t.key,
        keyOf: (n) => String(n),
      };
    });
    return new WriteProbe(await SteadyWriter.start(targets, { pauseMs: PAUSE_MS, maxRunMs: MAX_RUN_MS }));
  }

  stop(): Promise<void> {
    return this.writer.stop();
  }

  /** The stall of every swap the operator reported in `events` (epoch times). */
  figures(events: readonly MigrationEvent[]): StallFigures {
    const swaps = swapsOf(events).map((swap): SwapStall => {
      // Event times are epoch ms, the writer's are performance.now(): one origin apart.
      const to = swap.endedAt - performance.timeOrigin;
      // The Event is posted as the step's result is folded in; its time and the step's (a tenth of a second) are not exact: a margin each side.
      return { swap: swap.swap, tookMs: swap.tookMs, longestWriteMs: round(this.writer.longestWriteDuring(to - swap.tookMs - MARGIN_MS, to + MARGIN_MS)) };
    });
    const longest = swaps.map((swap) => swap.longestWriteMs);
    const all = this.writer.samples.map((sample) => sample.endedAt - sample.startedAt);
    return {
      writes: this.writer.samples.length,
      failed: this.writer.failures.length,
      failures: this.writer.failures.slice(0, 3).map((failure) => `${failure.target}: ${failure.message}`),
      swaps,
      p99Ms: round(percentile(longest, 99)),
      maxMs: round(Math.max(0, ...longest)),
      allWritesP99Ms: round(percentile(all, 99)),
    };
  }
}

/** Nearest-rank percentile (0 for none). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
