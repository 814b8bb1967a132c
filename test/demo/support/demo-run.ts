/**
 * Runs the built demo (packages/demo/dist/main.js) headless with the tests' short steps and reads
 * its JSON report: shared by the single-stage runs (demo.test.ts) and the whole plan's
 * (whole-plan.test.ts), two files so that jest's two workers run them side by side.
 */
import { expect } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DemoReport } from '../../../packages/demo/src/report.js';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const DEMO = join(ROOT, 'packages/demo/dist/main.js');

export interface Run<Report = DemoReport> {
  readonly code: number;
  readonly output: string;
  readonly report: Report;
}

/** The report first: a wrong outcome or a lost update, with the last check and the output's tail, says more than an exit code. */
export function expectOutcome(run: Run, outcome: DemoReport['outcome']): void {
  const { report, code } = run;
  if (report.outcome !== outcome || report.updates.lost !== 0 || code !== 0) {
    throw new Error(`expected ${outcome} with nothing lost and exit 0; got ${report.outcome}, ${String(report.updates.lost)} lost, exit ${String(code)}; last check: ${report.analysis.last}\n${run.output.slice(-3000)}`);
  }
  expect(report.outcome).toBe(outcome);
}

/**
 * Every update answered once. An owner's post report is not an answer (the post ledger counts its
 * doubles against the publisher's unrecorded sends); a duplicate reply is named, so a failure says
 * which chat saw which text twice.
 */
export function expectNothingLostOrDoubled(report: Pick<DemoReport, 'updates'>): void {
  const { lost, duplicates, duplicated = [] } = report.updates;
  expect({ lost, duplicates, duplicated }).toEqual({ lost: 0, duplicates: 0, duplicated: [] });
}

/**
 * test/demo's runs check the plan's mechanics (order, steps, approvals, rollbacks on errors, nothing
 * lost), not this machine's speed: a test never asserts a time (speed is bench/'s), and these run
 * beside the rest of the suite and two CPU hogs. So no stage's p95 limit is below a floor here: 5 s
 * for the single-stage --fail runs (their rollbacks come from the errors the demo makes), 30 s for
 * the whole plan (a fresh-clone run beside two CPU hogs rolled a healthy stage 3 back on p95 1.28 s
 * at a 1 s limit, the monolith's 0.36-0.7 s). A person's `npm run demo` is judged by each stage
 * file's own limit, the plan's 200 ms.
 */
export const WHOLE_PLAN_P95_FLOOR = ['--p95-limit', '30s'] as const;
const TEST_P95_FLOOR = ['--p95-limit', '5s'] as const;

export function runDemo<Report = DemoReport>(args: readonly string[], timeoutMs = 600_000): Promise<Run<Report>> {
  const dir = mkdtempSync(join(tmpdir(), 'nova-demo-test-'));
  const reportFile = join(dir, 'report.json');
  return new Promise((resolveRun, reject) => {
    const floor = args.includes('--p95-limit') ? [] : TEST_P95_FLOOR;
    execFile(process.execPath, [DEMO, '--no-live', '--pause', '3s', '--interval', '2s', '--rate', '10', '--users', '10', '--report', reportFile, ...floor, ...args], { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) => {
      const output = `${stdout}\n${stderr}`;
      try {
        const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
        resolveRun({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, output, report });
      } catch (cause) {
        reject(new Error(`the demo wrote no report (exit ${String(error?.code ?? 0)}):\n${output.slice(-4000)}`, { cause }));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
