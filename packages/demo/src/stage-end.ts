/** The end of a single-stage run, wherever it ran: its report written out, and whether it ended as expected. */
import { writeFileSync } from 'node:fs';
import { renderHtml, type Timeline } from './html-report.js';
import type { DemoOptions } from './options.js';
import { postsWhole, renderReport, type DemoReport } from './report.js';
import { say } from './rehearsal.js';

/** The report on stdout, and as JSON and HTML where the options ask for them. */
export function writeStageReport(options: Pick<DemoOptions, 'reportFile' | 'htmlFile'>, report: DemoReport, timelines: readonly Timeline[]): void {
  say(renderReport(report));
  if (options.reportFile !== undefined) writeFileSync(options.reportFile, `${JSON.stringify(report, null, 2)}\n`);
  if (options.htmlFile !== undefined) {
    writeFileSync(options.htmlFile, renderHtml(report, timelines));
    say(`the report as HTML, with each migration's weight over time: ${options.htmlFile}`);
  }
}

/**
 * 0 when the stage ended as expected (Promoted at 100 %; with --fail RolledBack to 0 %, every
 * migration of the stage) and nothing was lost, doubled beyond what is allowed, or failed; else 1.
 */
export function stageExitCode(options: Pick<DemoOptions, 'fail'>, report: DemoReport): number {
  const ended = [report, ...report.also];
  const expected = options.fail ? ended.every((moved) => moved.outcome === 'RolledBack' && moved.finalWeight === 0) : ended.every((moved) => moved.outcome === 'Promoted' && moved.finalWeight === 100);
  const postsOk = report.posts === undefined || postsWhole(report.posts);
  // Stage 8: no admin signed out by the move, and no answer but a page or (--fail) a failure.
  const adminOk = report.admin === undefined || (report.admin.signedOut === 0 && report.admin.other === 0);
  // Stage 7: no write of the probe failed through the swaps (a wait is the stall, an error is not allowed).
  const probeOk = (report.database?.stall?.failed ?? 0) === 0;
  return expected && probeOk && report.updates.lost === 0 && (report.payments?.lost ?? 0) === 0 && postsOk && adminOk ? 0 : 1;
}
