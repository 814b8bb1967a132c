/**
 * The whole plan's report: per stage (each migration of it) how it ended, how long it took, its
 * steps, its checks and both sides' last numbers; for the whole run the users' updates, payments,
 * posts, the subscription reminders, the admins' pages, the database move's figures and a trace. Text, JSON (`--report`) and
 * one HTML file with every migration's weight over time (`--html`, html-report.ts's chart).
 */
import { buildReport, postsWhole, renderReport, type DemoReport, type StepTiming } from './report.js';
import { escapeHtml, weightChart, type Timeline } from './html-report.js';
import { remindersLine, remindersWhole, type ReminderCounts } from './reminders.js';
import type { Snapshot } from './snapshot.js';
import { clock } from './view.js';
import { shortName, sideFigures } from './whole-view.js';

/** How one migration of the plan ended. `Pending`: it never started (a stage before it rolled back): waiting. */
export interface StageOutcome {
  readonly stage: number;
  readonly migration: string;
  readonly route: string;
  readonly from: string;
  readonly to: string;
  readonly outcome: string;
  readonly reason: string;
  /** On the target at the end (%); stage 7: the share of its contexts moved. */
  readonly finalWeight: number;
  /** From its first step to its end (0 while waiting). */
  readonly seconds: number;
  /** Its first step and its end, in seconds since the stage files were applied (absent while waiting): dependsOn's order shows here. */
  readonly began?: number;
  readonly ended?: number;
  readonly steps: readonly StepTiming[];
  readonly analysis: DemoReport['analysis'];
  /** A trace through the stage's new side while it moved (traces.ts, findStageTrace); absent when none was found or it never started. */
  readonly trace?: DemoReport['trace'];
}

export interface WholeReport {
  readonly plan: 'whole';
  readonly failStage?: number;
  readonly seconds: number;
  readonly stages: readonly StageOutcome[];
  readonly updates: DemoReport['updates'];
  readonly payments?: DemoReport['payments'];
  readonly posts?: DemoReport['posts'];
  readonly admin?: DemoReport['admin'];
  /** The seeded subscriptions' reminders (reminders.ts): due while the plan ran, received, doubled, missing, unexpected. */
  readonly reminders?: ReminderCounts;
  readonly database?: DemoReport['database'];
  readonly trace?: DemoReport['trace'];
  /** Whether the run ended as the plan expects (every stage Promoted; with --fail N, see `expectedOutcome`) with nothing lost. */
  readonly verdict: { readonly ok: boolean; readonly why: readonly string[] };
}

/** One migration at the end: its snapshot (traffic is the whole run's), the stage it belongs to, when it started and ended (epoch ms). */
export interface StageEnd {
  readonly stage: number;
  readonly snapshot: Snapshot;
  readonly trace?: DemoReport['trace'];
}

function outcomeOf(report: DemoReport, end: StageEnd, runStartedAt: number): StageOutcome {
  const stage = end.stage;
  const since = (at: number): number => Math.round((at - runStartedAt) / 100) / 10;
  return {
    ...(report.outcome === 'Pending' ? {} : { began: since(end.snapshot.startedAt), ended: since(end.snapshot.at) }),
    stage, migration: report.migration, route: report.route, from: report.from, to: report.to, outcome: report.outcome, reason: report.reason,
    finalWeight: report.finalWeight, seconds: report.outcome === 'Pending' ? 0 : report.seconds, steps: report.steps, analysis: report.analysis,
    ...(end.trace === undefined ? {} : { trace: end.trace }),
  };
}

/** What each stage must end as: every one Promoted; with --fail N, the earlier ones Promoted, N rolled back to 0, the later ones waiting. */
export function expectedOutcome(stage: number, failStage: number | undefined): 'Promoted' | 'RolledBack' | 'Pending' {
  if (failStage === undefined || stage < failStage) return 'Promoted';
  return stage === failStage ? 'RolledBack' : 'Pending';
}

export function judge(stages: readonly StageOutcome[], failStage: number | undefined, lost: { updates: number; payments: number; postsWhole: boolean; adminOk: boolean; probeFailed: number; reminders?: ReminderCounts }): WholeReport['verdict'] {
  const why: string[] = [];
  for (const stage of stages) {
    const expected = expectedOutcome(stage.stage, failStage);
    const weight = expected === 'Promoted' ? 100 : 0;
    if (stage.outcome !== expected || stage.finalWeight !== weight) why.push(`${stage.migration} ended ${stage.outcome} at ${String(stage.finalWeight)}%, expected ${expected === 'Pending' ? 'waiting' : expected} at ${String(weight)}%`);
  }
  if (lost.updates !== 0) why.push(`${String(lost.updates)} updates lost`);
  if (lost.payments !== 0) why.push(`${String(lost.payments)} payments never announced`);
  if (!lost.postsWhole) why.push('posts lost, unreported or doubled beyond the unrecorded sends');
  if (!lost.adminOk) why.push('an admin was signed out, or a page got an unexpected answer');
  if (lost.probeFailed !== 0) why.push(`${String(lost.probeFailed)} probe writes failed during stage 7's swaps`);
  const reminders = lost.reminders;
  if (reminders !== undefined && !remindersWhole(reminders)) {
    const wrong = [
      ...(reminders.missingCount === 0 ? [] : [`${String(reminders.missingCount)} never received`]),
      ...(reminders.doubled === 0 ? [] : [`${String(reminders.doubled)} doubled`]),
      ...(reminders.unexpected === 0 ? [] : [`${String(reminders.unexpected)} unexpected`]),
    ];
    why.push(`subscription reminders: ${wrong.join(', ')}`);
  }
  return { ok: why.length === 0, why };
}

export function buildWholeReport(ends: readonly StageEnd[], whole: { startedAt: number; seconds: number; failStage?: number; trace: DemoReport['trace']; unrecordedSends: number; stall?: Parameters<typeof buildReport>[3]; reminders?: ReminderCounts }): WholeReport {
  const reports = ends.map((end) => ({ end, report: buildReport(end.snapshot, whole.trace, whole.unrecordedSends, end.snapshot.database === undefined ? undefined : whole.stall) }));
  const stages = reports.map(({ end, report }) => outcomeOf(report, end, whole.startedAt));
  const any = reports[0]?.report;
  // Stage 7's figures once it started (waiting, it has none to give).
  const database = reports.find(({ report }) => report.database !== undefined && report.outcome !== 'Pending')?.report.database;
  const updates = any?.updates ?? { sent: 0, answered: 0, lost: 0, duplicates: 0, refusedDeliveries: 0 };
  const verdict = judge(stages, whole.failStage, {
    updates: updates.lost,
    payments: any?.payments?.lost ?? 0,
    postsWhole: any?.posts === undefined || postsWhole(any.posts),
    adminOk: any?.admin === undefined || (any.admin.signedOut === 0 && any.admin.other === 0),
    probeFailed: database?.stall?.failed ?? 0,
    ...(whole.reminders === undefined ? {} : { reminders: whole.reminders }),
  });
  return {
    plan: 'whole', ...(whole.failStage === undefined ? {} : { failStage: whole.failStage }), seconds: whole.seconds, stages, updates,
    ...(any?.payments === undefined ? {} : { payments: any.payments }),
    ...(any?.posts === undefined ? {} : { posts: any.posts }),
    ...(any?.admin === undefined ? {} : { admin: any.admin }),
    ...(whole.reminders === undefined ? {} : { reminders: whole.reminders }),
    ...(database === undefined ? {} : { database }),
    trace: whole.trace,
    verdict,
  };
}

function stageLines(s: StageOutcome): string[] {
  const name = `${String(s.stage)} ${shortName(s.migration)}`;
  if (s.outcome === 'Pending') return [`${name.padEnd(22)}waiting: never started (an earlier stage rolled back)`];
  const a = s.analysis;
  return [
    `${name.padEnd(22)}${s.outcome}${s.reason === '' ? '' : ` (${s.reason})`}, ${String(s.finalWeight)}%, in ${clock(s.seconds * 1000)}${s.began === undefined ? '' : ` (from ${clock(s.began * 1000)})`}; checks ${String(a.passes)} passed, ${String(a.failures)} failed, ${String(a.inconclusive)} inconclusive`,
    `${''.padEnd(22)}${s.route}: ${s.from} → ${s.to}; last: legacy ${sideFigures(a.legacy)} (${String(a.legacy?.requests ?? 0)} req), target ${sideFigures(a.target)} (${String(a.target?.requests ?? 0)} req)`,
    `${''.padEnd(22)}trace ${s.trace === undefined ? 'none found' : `${s.trace.url} (${String(s.trace.spans)} spans: ${s.trace.services.join(', ')})`}`,
  ];
}

export function renderWholeReport(r: WholeReport): string {
  // The run-wide lines are the single-stage report's own (renderReport), from its `updates` line on.
  const single = renderReport({
    migration: '', route: '', from: '', to: '', outcome: '', reason: '', finalWeight: 0, seconds: 0, steps: [],
    analysis: { passes: 0, failures: 0, inconclusive: 0, errors: 0, last: '' }, updates: r.updates, also: [],
    ...(r.payments === undefined ? {} : { payments: r.payments }), ...(r.posts === undefined ? {} : { posts: r.posts }),
    ...(r.admin === undefined ? {} : { admin: r.admin }), ...(r.database === undefined ? {} : { database: r.database }), trace: r.trace,
  }).split('\n');
  const runWide = single.slice(Math.max(0, single.findIndex((line) => line.startsWith('updates ')))).filter((line) => line !== '');
  // After the users' payments and posts, before stage 7's figures, the admins and the trace.
  const following = runWide.findIndex((line) => /^(backup|admins|trace) /u.test(line));
  const remindersAt = following === -1 ? runWide.length : following;
  if (r.reminders !== undefined) runWide.splice(remindersAt, 0, `reminders ${remindersLine(r.reminders)}`);
  const lines = [
    '',
    `=== Nova demo report: the whole plan, stages 1 to 8${r.failStage === undefined ? '' : ` (--fail ${String(r.failStage)})`}, ${clock(r.seconds * 1000)} ===`,
    ...r.stages.flatMap(stageLines),
    ...runWide,
    r.verdict.ok ? `verdict   as expected${r.failStage === undefined ? ': every stage Promoted' : `: stages before ${String(r.failStage)} Promoted, stage ${String(r.failStage)} rolled back, the later ones waiting`}; nothing lost` : `verdict   NOT AS EXPECTED: ${r.verdict.why.join('; ')}`,
    '',
  ];
  return lines.join('\n');
}

/** One HTML file: every migration's weight over the whole run (html-report.ts's chart), its steps, and the text report. */
export function renderWholeHtml(report: WholeReport, timelines: readonly Timeline[]): string {
  const charts = timelines.map((timeline) => {
    const stage = report.stages.find((s) => s.migration === timeline.migration);
    const steps = stage === undefined || stage.steps.length === 0 ? '' : `<table><tr><th>step</th><th>took</th><th>weight</th></tr>${stage.steps.map((step) => `<tr><td>${escapeHtml(step.step)}</td><td>${step.seconds.toFixed(1)} s</td><td>${String(step.weight)}%</td></tr>`).join('')}</table>`;
    const trace = stage?.trace === undefined ? '' : `<p>A trace through its new side while it moved: <a href="${escapeHtml(stage.trace.url)}">${escapeHtml(stage.trace.id)}</a> (${String(stage.trace.spans)} spans: ${escapeHtml(stage.trace.services.join(', '))})</p>`;
    return `<h2>${escapeHtml(timeline.migration)}: ${escapeHtml(stage?.outcome === 'Pending' ? 'waiting' : stage?.outcome ?? '')}</h2>\n${weightChart(timeline, report.seconds)}\n${steps}${trace}`;
  }).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Nova demo report: the whole plan</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}pre{background:#f6f8fa;padding:1em;overflow-x:auto}table{border-collapse:collapse;font-size:0.85em}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}</style>
</head><body>
<h1>Nova demo: the whole plan — ${escapeHtml(report.verdict.ok ? 'as expected' : 'not as expected')}</h1>
<p>Each chart: the weight on the target over the whole run (seconds since the stage files were applied; stage 7: the share of contexts in their own schema).</p>
${charts}
<h2>The report</h2>
<pre>${escapeHtml(renderWholeReport(report).trim())}</pre>
</body></html>
`;
}
