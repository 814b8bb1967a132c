/**
 * The operator's memory is status (ARCHITECTURE.md, Decided 10). These tests kill the real
 * operator process with SIGKILL at chosen and at arbitrary moments of a migration and start a
 * new one: it resumes at the same step with the same weight, never rewinds, never skips, and
 * the route object never carries a weight the migration did not mean (every write to it is
 * recorded by a watch). Then two replicas: one leads, and the other takes over when it stops.
 * Last, what people see: `kubectl get nm` printer columns and the /metrics gauges, live.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoordinationV1Api, Watch, type KubeConfig } from '@kubernetes/client-node';
import { cacheBinDir, component, logTail, Stack } from '@nova/testbed';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { asArray, dig } from '../../operator/src/providers/json.js';
import { adminKubeConfig, createNamespace, deleteNamespace, eventually } from './support/kube.js';
import { migrationSpec, Migrations, PASSING_SUMMARY, passingAnalysis, RouteObjects } from './support/migrations.js';
import { operatorIdentity, startOperator, type OperatorIdentity, type RunningOperator } from './support/operator-process.js';

let admin: KubeConfig;
let stack: Stack;
let identity: OperatorIdentity;
let namespace: string;
let migrations: Migrations;
let routes: RouteObjects;
let generation = 0;
const stopWatches: (() => void)[] = [];

beforeAll(async () => {
  admin = adminKubeConfig();
  stack = Stack.create();
  namespace = await createNamespace(admin, 'restart');
  identity = await operatorIdentity(admin, stack);
  migrations = new Migrations(admin, namespace);
  routes = new RouteObjects(admin, namespace);
});

afterAll(async () => {
  for (const stop of stopWatches) stop();
  await stack.stop();
  await deleteNamespace(admin, namespace);
  await identity.cleanup();
});

function start(name = `operator-${String(++generation)}`): Promise<RunningOperator> {
  return startOperator(stack, identity, { name, watchNamespace: namespace });
}

/**
 * Every target weight the VirtualService `object` carried for `migration`, in the order written
 * (repeats collapsed). Start it before the operator: a watch opened after spawning the operator
 * was seen to receive nothing here (not understood yet; see the closing notes).
 */
async function recordWeights(object: string, migration: string, onWeight: (weight: number) => void = () => undefined): Promise<number[]> {
  const seen: number[] = [];
  const watch = new Watch(admin);
  const request = await watch.watch(
    `/apis/networking.istio.io/v1/namespaces/${namespace}/virtualservices`,
    { fieldSelector: `metadata.name=${object}` },
    (_type: string, body: unknown) => {
      const item = asArray(dig(body, 'spec', 'http')).find((entry) => dig(entry, 'name') === `nova-${migration}`);
      if (item === undefined) return;
      const weight = dig(asArray(dig(item, 'route'))[1], 'weight');
      const value = typeof weight === 'number' ? weight : 0;
      if (seen.at(-1) !== value) seen.push(value);
      onWeight(value);
    },
    () => undefined,
  );
  stopWatches.push(() => { request.abort(); });
  return seen;
}

async function leaseHolder(): Promise<string | undefined> {
  const lease = await admin.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: identity.operatorNamespace, name: 'nova-operator' }).catch(() => undefined);
  return lease?.spec?.holderIdentity ?? undefined;
}

describe('a killed operator resumes where it was', () => {
  it('resumes a timed pause from its stored start, and holds a manual pause without touching the route', async () => {
    await routes.create('istio', 'vs-pause');
    const weights = await recordWeights('vs-pause', 'pauses');
    let operator = await start();
    await migrations.create('pauses', migrationSpec('istio', 'vs-pause', '/pauses/', [{ setWeight: 20 }, { pause: { duration: '6s' } }, { setWeight: 50 }, { pause: {} }, { setWeight: 100 }]));
    const inPause = await migrations.waitFor('pauses', 'in the timed pause', (s) => s.currentStep === 1 && s.weight === 20);
    await operator.process.kill('SIGKILL');
    operator = await start();
    // Same step, same start: the pause is resumed, not begun again.
    const resumed = await migrations.waitFor('pauses', 'seen again by the new operator', (s) => s.currentStep !== undefined && s.currentStep >= 1);
    expect(resumed.stepStartedAt).toBe(inPause.stepStartedAt);
    const atApproval = await migrations.waitFor('pauses', 'at the manual pause with 50 %', (s) => s.currentStep === 3 && s.weight === 50 && s.phase === 'Paused');
    // The pause lasted its full 6 s across the crash (a lower bound only: nothing here depends on speed).
    expect(Date.parse(atApproval.stepStartedAt ?? '') - Date.parse(inPause.stepStartedAt ?? '')).toBeGreaterThanOrEqual(6_000);

    const before = dig(await routes.read('istio', 'vs-pause'), 'metadata', 'resourceVersion');
    await operator.process.kill('SIGKILL');
    operator = await start();
    await sleep(1_500); // the new leader has looked at everything once by now
    expect(await migrations.status('pauses')).toMatchObject({ currentStep: 3, weight: 50, phase: 'Paused' });
    expect(dig(await routes.read('istio', 'vs-pause'), 'metadata', 'resourceVersion')).toBe(before);

    await migrations.approve('pauses', 4);
    await migrations.waitFor('pauses', 'Promoted', (s) => s.phase === 'Promoted');
    expect(weights).toEqual([0, 20, 50, 100]);
    await operator.process.stop();
  });

  it('killed right after each of several route writes, never rewinds, skips or writes an unmeant weight', async () => {
    await routes.create('istio', 'vs-chaos');
    const steps = Array.from({ length: 10 }, (_, index) => ({ setWeight: (index + 1) * 10 }));
    let operator: RunningOperator | undefined;
    // The sharpest moment: the data plane has the new weight, status does not yet confirm it.
    const killOn = new Set([20, 50, 80]);
    let crash: Promise<string> | undefined;
    const weights = await recordWeights('vs-chaos', 'chaos', (weight) => {
      if (killOn.delete(weight) && operator !== undefined) crash = operator.process.kill('SIGKILL');
    });
    operator = await start();
    await migrations.create('chaos', migrationSpec('istio', 'vs-chaos', '/chaos/', steps));
    const stepsSeen: number[] = [];
    for (let kill = 0; kill < 3; kill++) {
      await eventually(`crash ${String(kill + 1)}`, () => crash !== undefined).catch(async (error: unknown) => {
        throw new Error(`${String(error)}; weights ${weights.join(',')}; status ${JSON.stringify(await migrations.status('chaos'))}; log ${operator === undefined ? '' : logTail(operator.process.logPath, 15)}`);
      });
      await crash;
      crash = undefined;
      stepsSeen.push((await migrations.status('chaos')).currentStep ?? -1);
      operator = await start();
    }
    const done = await migrations.waitFor('chaos', 'Promoted', (s) => s.phase === 'Promoted');
    expect(done).toMatchObject({ weight: 100, currentStep: 10 });
    // Each crash came before the end, and the route carried exactly the steps' weights, in order.
    expect(stepsSeen.every((step) => step < 10)).toBe(true);
    expect([...stepsSeen].sort((a, b) => a - b)).toEqual(stepsSeen);
    expect(weights).toEqual([0, ...steps.map((step) => step.setWeight)]);
    await operator.process.stop();
  });
});

describe('two replicas', () => {
  it('one leads; when it stops, the other takes the Lease and finishes the migration', async () => {
    await routes.create('istio', 'vs-failover');
    const a = await start('replica-a');
    const b = await start('replica-b');
    await eventually('a leader', async () => (await leaseHolder()) !== undefined);
    const leaderName = await leaseHolder();
    const [leader, standby] = leaderName === 'replica-a' ? [a, b] : [b, a];
    const leaderGauge = async (operator: RunningOperator): Promise<string> => (await (await fetch(`${operator.opsUrl}/metrics`)).text()).match(/^nova_leader (\d)/mu)?.[1] ?? '?';
    await eventually('exactly one replica says it leads', async () => (await leaderGauge(leader)) === '1' && (await leaderGauge(standby)) === '0');
    await migrations.create('failover', migrationSpec('istio', 'vs-failover', '/failover/', [{ setWeight: 30 }, { pause: {} }, { setWeight: 100 }]));
    await migrations.waitFor('failover', 'at 30 %, waiting', (s) => s.weight === 30 && s.phase === 'Paused');

    await leader.process.stop(); // SIGTERM: releases the Lease on the way out
    await eventually('the standby holds the Lease', async () => (await leaseHolder()) !== leaderName, 30_000);
    await migrations.approve('failover', 2);
    await migrations.waitFor('failover', 'Promoted by the new leader', (s) => s.phase === 'Promoted');
    expect(await routes.targetWeight('istio', 'vs-failover', 'failover')).toBe(100);
    expect(await leaderGauge(standby)).toBe('1');
    await standby.process.stop();
  });
});

describe('what people see', () => {
  it('kubectl get nm shows Phase, Weight, Step, Analysis and Age, live; /metrics has the gauges', async () => {
    await routes.create('istio', 'vs-seen');
    const operator = await start('replica-seen');
    await migrations.create('seen', migrationSpec('istio', 'vs-seen', '/seen/', [{ setWeight: 40 }, { analysis: {} }, { pause: {} }, { setWeight: 100 }], passingAnalysis()));
    await migrations.waitFor('seen', 'at the manual pause', (s) => s.phase === 'Paused' && s.weight === 40);
    const { stdout } = await promisify(execFile)(join(cacheBinDir(), 'kubectl'), ['--kubeconfig', component('kube').kubeconfig, 'get', 'nm', 'seen', '-n', namespace]);
    const [header = '', row = ''] = stdout.trimEnd().split('\n');
    expect(header.split(/\s{2,}/u)).toEqual(['NAME', 'PHASE', 'WEIGHT', 'STEP', 'ANALYSIS', 'AGE']);
    expect(row.split(/\s{2,}/u).slice(0, 5)).toEqual(['seen', 'Paused', '40', '3/4 pause (approval)', PASSING_SUMMARY]);
    const metrics = await (await fetch(`${operator.opsUrl}/metrics`)).text();
    expect(metrics).toContain(`nova_migration_weight{namespace="${namespace}",name="seen"} 40`);
    expect(metrics).toContain(`nova_migration_step{namespace="${namespace}",name="seen"} 2`);
    expect(metrics).toContain(`nova_migration_phase{namespace="${namespace}",name="seen",phase="Paused"} 1`);
    expect(metrics).toMatch(/nova_reconcile_duration_seconds_count\{controller="novamigration",result="success"\} [1-9]/u);
    expect(await (await fetch(`${operator.opsUrl}/readyz`)).text()).toBe('ok\n');
    await operator.process.stop();
  });
});
