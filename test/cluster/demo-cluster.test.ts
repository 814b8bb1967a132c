/**
 * `npm run demo -- --cluster` headless (issue 23's last piece): the built demo (packages/demo/dist)
 * starts its own one-node cluster, installs the chart with helm, and stage 2 is moved by the
 * operator in its pod while the demo's simulated users talk through the NodePort; its report must
 * say Promoted at 100 % with nothing lost or doubled. `--cluster --fail`: the user service's own
 * database login loses its privileges once it carries 25 %, and the operator in its pod rolls back
 * on the error rate, nothing lost. After each run nothing of the node is left: no process started
 * from its stack folder, the folder gone, no interface holding the node's link address.
 *
 * The demo's own checks are the report's (what a person sees); the per-request routing of stage 2
 * on the node is test/cluster/fleet.test.ts's. Telegram is the project's emulator (the real one
 * cannot reach this machine).
 *
 * Off unless NOVA_NODE_TESTS=1 (root, the node's binaries, test/ship's images in the build storage:
 * the demo would build missing ones, which a test run must not spend its time on): see
 * docs/testing.md, "A one-node cluster".
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { renderReport } from '../../packages/demo/src/report.js';
import { expectNothingLostOrDoubled, expectOutcome, runDemo, type Run } from '../demo/support/demo-run.js';

const enabled = process.env.NOVA_NODE_TESTS === '1';
const suite = enabled ? describe : describe.skip;
const title = 'npm run demo -- --cluster: stage 2 on a one-node Kubernetes cluster, headless (issue 23)';

/** Command lines of the machine's processes that name `path` (the node's processes all carry their stack folder in their arguments). */
function processesNaming(path: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 }).split('\n').filter((line) => line.includes(path));
}

/** The stack folder, every process started from it and the node's link are gone once the demo has exited. */
function expectTornDown(output: string): void {
  const stackDir = /^stack folder \(every process's log; removed at the end\): (\S+)$/mu.exec(output)?.[1] ?? '';
  const hostAddress = /its link's host end (\d+\.\d+\.\d+\.\d+)/u.exec(output)?.[1] ?? '';
  expect(stackDir).toMatch(/nova-testbed-/u);
  expect(hostAddress).toMatch(/^198\.1[89]\./u);
  expect(existsSync(stackDir)).toBe(false);
  expect(processesNaming(stackDir)).toEqual([]);
  expect(execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' })).not.toContain(` ${hostAddress}/`);
}

/** The demo's report as a person reads it, with the run's time: the test log shows what the demo showed. */
function printReport(name: string, run: Run, started: number): void {
  process.stdout.write(`demo ${name}: ${((performance.now() - started) / 1000).toFixed(0)} s in all (the stage ${String(run.report.seconds)} s)${renderReport(run.report)}`);
}

suite(enabled ? title : `${title} (skipped: set NOVA_NODE_TESTS=1, as root, after NOVA_NODE_TESTS=1 npm run setup and test/ship's images)`, () => {
  it('--cluster --no-live: the chart installed on the node, the operator in its pod promotes stage 2 with the users talking through the NodePort; nothing lost; everything torn down', async () => {
    const started = performance.now();
    // test/demo's short steps and traffic (pauses of 3 s, checks every 2 s, 10 users at 10 updates/s,
    // a p95 floor of 5 s: the pods share two cores with other work, and a test never asserts speed).
    const run = await runDemo(['--cluster'], 20 * 60_000);
    printReport('--cluster', run, started);
    expectOutcome(run, 'Promoted');
    const { output, report } = run;
    expect(report).toMatchObject({ migration: 'stage-2-users', outcome: 'Promoted', finalWeight: 100, from: 'nova-monolith (pod)', to: 'user-service (pod)' });
    expect(report.analysis.last).toMatch(/^Passed/u);
    expect(report.updates.sent).toBeGreaterThan(50);
    expectNothingLostOrDoubled(report);
    // The approval was a person's `kubectl nova resume`, against the node's apiserver.
    expect(output).toMatch(/\$ kubectl nova resume stage-2-users -n nova {2}→ /u);
    expect(output).toContain('$ helm install nova charts/nova -n nova --wait');
    expect(output).toMatch(/one-node cluster: Kubernetes v1\.\d+\.\d+/u);
    expectTornDown(output);
  }, 25 * 60_000);

  it('--cluster --fail: the user service loses its database privileges at 25 %; the operator in its pod rolls back on the error rate; nothing lost; everything torn down', async () => {
    const started = performance.now();
    const run = await runDemo(['--cluster', '--fail'], 20 * 60_000);
    printReport('--cluster --fail', run, started);
    expectOutcome(run, 'RolledBack');
    const { output, report } = run;
    expect(report).toMatchObject({ migration: 'stage-2-users', outcome: 'RolledBack', reason: 'AnalysisFailed', finalWeight: 0 });
    expect(output).toContain('--fail: user-service just lost its database privileges');
    expect(output).toMatch(/RolledBack: rolled back after 8 failed checks \(failureLimit 8\): .*error rate [\d.]+% > maxErrorRate 0\.10%/u);
    expect(report.steps.at(-1)?.weight).toBeGreaterThanOrEqual(25); // broken once it carried a real share
    expectNothingLostOrDoubled(report);
    expectTornDown(output);
  }, 25 * 60_000);
});
