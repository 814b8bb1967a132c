/** The demo's last word: what moved, how long each step took, what the analysis saw, and whether anything was lost. */
import { backupLine, contextLine, type DatabaseFigures } from './database-progress.js';
import type { StallFigures } from './write-probe.js';
import type { AdminCounts, MigrationEvent, PaymentCounts, PostCounts, Snapshot } from './snapshot.js';
import { adminLine, clock, paymentsLine, postsLine } from './view.js';

export interface StepTiming {
  readonly step: string;
  readonly weight: number;
  readonly seconds: number;
}

export interface DemoReport {
  readonly migration: string;
  readonly route: string;
  readonly from: string;
  readonly to: string;
  readonly outcome: string;
  readonly reason: string;
  readonly finalWeight: number;
  readonly seconds: number;
  readonly steps: readonly StepTiming[];
  readonly analysis: {
    readonly passes: number;
    readonly failures: number;
    readonly inconclusive: number;
    readonly errors: number;
    readonly last: string;
    readonly legacy?: { requests?: number; errorRate?: number; p95LatencyMs?: number };
    readonly target?: { requests?: number; errorRate?: number; p95LatencyMs?: number };
  };
  readonly updates: { readonly sent: number; readonly answered: number; readonly lost: number; readonly duplicates: number; readonly duplicated?: readonly string[]; readonly refusedDeliveries: number };
  /** Stage 5: payments made, and how many of them were never announced (lost). */
  readonly payments?: PaymentCounts & { readonly lost: number };
  /**
   * Stage 4: posts created, published, reported; lost = created but in no channel; unrecorded =
   * sends the publishers could not record (each may go out twice: the bound on `doubled`).
   */
  readonly posts?: PostCounts & { readonly lost: number; readonly unrecorded: number };
  /** Stage 8: the admins' pages, and how each side answered them. */
  readonly admin?: AdminCounts;
  /** Stage 7: the backup, each context's move (time, locks held, rows checked), the longest lock held. */
  readonly database?: DatabaseFigures & { readonly stall?: StallFigures };
  /** The stage's other migrations (stage 5's callbacks), as they ended. */
  readonly also: readonly { readonly migration: string; readonly route: string; readonly outcome: string; readonly reason: string; readonly finalWeight: number; readonly last: string }[];
  readonly trace?: { readonly id: string; readonly url: string; readonly spans: number; readonly services: readonly string[] };
}

/** `unrecordedSends`: the fleet's nova_publisher_sends_unrecorded_total at the end. */
export function buildReport(s: Snapshot, trace: DemoReport['trace'], unrecordedSends = 0, stall?: StallFigures): DemoReport {
  const status = s.status;
  const a = status.analysis;
  const reason = status.conditions?.find((condition) => condition.type === (status.phase === 'RolledBack' ? 'RolledBack' : 'Promoted'))?.reason ?? '';
  return {
    migration: s.migration,
    route: s.route,
    from: s.legacy,
    to: s.target,
    outcome: status.phase ?? 'Pending',
    reason,
    finalWeight: status.weight ?? 0,
    seconds: Math.round((s.at - s.startedAt) / 1000),
    steps: stepTimings(s.events, s.at, s.database?.planned),
    analysis: { passes: a?.passes ?? 0, failures: a?.failures ?? 0, inconclusive: a?.inconclusive ?? 0, errors: a?.errors ?? 0, last: a?.summary ?? '-', legacy: a?.legacy, target: a?.target },
    updates: { sent: s.traffic.sent, answered: s.traffic.answered, lost: s.traffic.sent - s.traffic.answered, duplicates: s.traffic.duplicates, ...(s.traffic.duplicated === undefined || s.traffic.duplicated.length === 0 ? {} : { duplicated: s.traffic.duplicated }), refusedDeliveries: s.traffic.refusedDeliveries },
    ...(s.traffic.payments === undefined ? {} : { payments: { ...s.traffic.payments, lost: s.traffic.payments.cryptobot + s.traffic.payments.platega - s.traffic.payments.announced } }),
    ...(s.traffic.posts === undefined ? {} : { posts: { ...s.traffic.posts, lost: s.traffic.posts.created - s.traffic.posts.published, unrecorded: unrecordedSends } }),
    ...(s.traffic.admin === undefined ? {} : { admin: s.traffic.admin }),
    ...(s.database === undefined ? {} : { database: { ...s.database, ...(stall === undefined ? {} : { stall }) } }),
    also: s.also.map((other) => ({
      migration: other.migration,
      route: other.route,
      outcome: other.status.phase ?? 'Pending',
      reason: other.status.conditions?.find((condition) => condition.type === (other.status.phase === 'RolledBack' ? 'RolledBack' : 'Promoted'))?.reason ?? '',
      finalWeight: other.status.weight ?? 0,
      last: other.status.analysis?.summary ?? '-',
    })),
    trace,
  };
}

/**
 * How long each step lasted, from the operator's own Events: `Started`, then one `StepCompleted`
 * ("step <label> completed; now <next>") per step, and `WeightChanged` ("<n>% of ...") for the
 * weight each step ran at (stage 7, `contexts` given: ContextMoved/ContextReversed, the share of
 * contexts moved once the step is done). A step still running at the end (a rollback) lasts until `end`.
 */
export function stepTimings(events: readonly MigrationEvent[], end: number, contexts?: number): StepTiming[] {
  const sorted = [...events].sort((a, b) => a.at - b.at);
  const steps: StepTiming[] = [];
  let moved = 0;
  let since: number | undefined;
  let weight = 0;
  let current: string | undefined;
  for (const event of sorted) {
    if (event.reason === 'Started' || event.reason === 'Retried') {
      since = event.at;
      current = /at (.+)$/u.exec(event.note)?.[1];
    } else if (event.reason === 'WeightChanged') {
      weight = Number(/^(\d+)%/u.exec(event.note)?.[1] ?? weight);
    } else if (contexts !== undefined && (event.reason === 'ContextMoved' || event.reason === 'ContextReversed')) {
      // Stage 7's weight: the share of contexts in their own schema (database-progress.ts).
      moved += event.reason === 'ContextMoved' ? 1 : -1;
      weight = Math.round((Math.max(0, moved) / contexts) * 100);
    } else if (event.reason === 'StepCompleted' && since !== undefined) {
      const match = /^step (.+) completed; now (.+)$/u.exec(event.note);
      if (match?.[1] !== undefined) steps.push({ step: match[1], weight, seconds: seconds(event.at - since) });
      since = event.at;
      current = match?.[2];
    } else if (event.reason === 'RolledBack' && since !== undefined && current !== undefined) {
      steps.push({ step: `${current} (rolled back)`, weight, seconds: seconds(event.at - since) });
      since = undefined;
      current = undefined;
    }
  }
  if (since !== undefined && current !== undefined && !current.endsWith('done')) steps.push({ step: current, weight, seconds: seconds(end - since) });
  return steps;
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

export function renderReport(r: DemoReport): string {
  const pct = (value: number | undefined): string => `${((value ?? 0) * 100).toFixed(2)}%`;
  const side = (m: DemoReport['analysis']['legacy']): string => (m === undefined ? '-' : `errors ${pct(m.errorRate)}, p95 ${m.p95LatencyMs === undefined ? '-' : `${Math.round(m.p95LatencyMs).toString()} ms`}, ${String(m.requests ?? 0)} requests`);
  const lines = [
    '',
    `=== Nova demo report: ${r.migration} ===`,
    `moved     ${r.route} from ${r.from} to ${r.to}: ${r.outcome}${r.reason === '' ? '' : ` (${r.reason})`}, ${String(r.finalWeight)}% ${r.database === undefined ? 'on the target' : 'of the contexts in their own schema'}, after ${clock(r.seconds * 1000)}`,
    'steps',
    ...r.steps.map((step) => `          ${step.step.padEnd(28)} ${step.seconds.toFixed(1).padStart(6)} s   weight ${String(step.weight)}%`),
    `analysis  ${String(r.analysis.passes)} passed, ${String(r.analysis.failures)} failed, ${String(r.analysis.inconclusive)} inconclusive, ${String(r.analysis.errors)} unavailable; last: ${r.analysis.last}`,
    `          legacy: ${side(r.analysis.legacy)}`,
    `          target: ${side(r.analysis.target)}`,
    `updates   ${String(r.updates.sent)} sent by the simulated users, ${String(r.updates.answered)} processed and answered: ${r.updates.lost === 0 ? 'nothing lost' : `${String(r.updates.lost)} LOST`}, ${String(r.updates.duplicates)} duplicate replies` +
      (r.updates.refusedDeliveries > 0 ? `; ${String(r.updates.refusedDeliveries)} deliveries refused and retried by Telegram` : ''),
    ...(r.updates.duplicated ?? []).map((where) => `          duplicate to ${where}`),
    ...r.also.map((other) => `also      ${other.migration} (${other.route}): ${other.outcome}${other.reason === '' ? '' : ` (${other.reason})`}, ${String(other.finalWeight)}% on the target; last check: ${other.last}`),
    ...(r.payments === undefined ? [] : [`payments  ${paymentsLine(r.payments)}: ${r.payments.lost === 0 ? 'every payment activated and announced' : `${String(r.payments.lost)} NOT ANNOUNCED`}`]),
    ...(r.posts === undefined ? [] : [`posts     ${postsLine(r.posts)}: ${postsVerdict(r.posts)}`]),
    ...(r.database === undefined ? [] : databaseReport(r.database)),
    ...(r.admin === undefined ? [] : [`admins    ${adminLine(r.admin)}: ${r.admin.signedOut === 0 ? 'every session held on both sides' : `${String(r.admin.signedOut)} SIGNED OUT`}`]),
    r.trace === undefined ? 'trace     none found' : `trace     ${r.trace.id}: ${String(r.trace.spans)} spans across ${r.trace.services.join(', ')} — ${r.trace.url}`,
    '',
  ];
  return lines.join('\n');
}

function stallReport(stall: StallFigures): string[] {
  return [
    `stall     the longest write of the probe during each swap (${String(stall.writes)} probe writes, ${String(stall.failed)} failed; p99 of all of them ${String(stall.allWritesP99Ms)} ms):`,
    `          ${stall.swaps.map((swap) => `${swap.swap} ${String(swap.longestWriteMs)} ms`).join(', ') || 'no swap'}`,
    `          per swap: p99 ${String(stall.p99Ms)} ms, max ${String(stall.maxMs)} ms`,
    ...stall.failures.map((failure) => `          ⚠ failed probe write: ${failure}`),
  ];
}

function databaseReport(d: NonNullable<DemoReport['database']>): string[] {
  return [
    `backup    ${backupLine(d.backup)}${d.backup === undefined ? '' : ` (${d.backup.path})`}`,
    'contexts  (each a swap under lock_timeout and its verification: row counts and checksums before and after, grants)',
    ...d.contexts.map((context) => `          ${contextLine(context)}`),
    `          ${String(d.rowsChecked)} rows checked in all; the longest any swap held its locks: ${String(d.longestLockMs)} ms (a writer waited at most about that)`,
    ...(d.stall === undefined ? [] : stallReport(d.stall)),
    ...(d.failure === undefined ? [] : [`          what rolled it back: ${d.failure}`]),
    ...(d.restored === undefined ? [] : [`          ⚠ the backup was restored: ${d.restored}`]),
  ];
}

/**
 * Whole when nothing is lost or unreported and no post doubled beyond the sends the publishers
 * counted as unrecorded (Telegram took them, the record failed: they go out again after their
 * lease, and no idempotency key can stop that).
 */
export function postsWhole(posts: NonNullable<DemoReport['posts']>): boolean {
  return posts.lost === 0 && posts.reported === posts.created && posts.doubled <= posts.unrecorded;
}

function postsVerdict(posts: NonNullable<DemoReport['posts']>): string {
  if (!postsWhole(posts)) return `${String(posts.lost)} LOST, ${String(posts.doubled)} DOUBLED (${String(posts.unrecorded)} sends counted unrecorded), ${String(posts.created - posts.reported)} NOT REPORTED`;
  if (posts.doubled === 0) return 'every post published once and reported once';
  return `every post published and reported; ${String(posts.doubled)} went out twice, each a send Telegram took whose record failed (${String(posts.unrecorded)} counted)`;
}
