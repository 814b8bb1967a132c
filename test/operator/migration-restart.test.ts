/**
 * The operator's memory is status (ARCHITECTURE.md, Decided 10). These tests kill the real
 * operator process with SIGKILL at chosen and at arbitrary moments of a migration and start a
 * new one: it resumes at the same step with the same weight, never rewinds, never skips, and
 * the route object never carries a weight the migration did not mean (every write to it is
 * recorded by a watch). Then two replicas: one leads, and the other takes over when it stops, and
 * at the production election defaults when it is SIGKILLed.
 * Last, what people see: `kubectl get nm` printer columns and the /metrics gauges, live.
 * Every operator a test started is stopped after it, passed or failed, so a failure cannot leave
 * a Lease holder behind for the next test.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { cacheBinDir, component, logTail, Stack } from '@nova/testbed';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { dig } from '../../operator/src/providers/json.js';
import { adminKubeConfig, createNamespace, deleteNamespace, eventually } from './support/kube.js';
import { migrationSpec, Migrations, PASSING_SUMMARY, passingAnalysis, ROUTE_RESOURCES, RouteObjects, routeTargetWeight } from './support/migrations.js';
import { type OperatorIdentity, operatorIdentity, type RunningOperator, SCALED_DOWN_ELECTION, startOperator } from './support/operator-process.js';
import { WriteRecorder } from './support/record-writes.js';

let admin: KubeConfig;
let stack: Stack;
let identity: OperatorIdentity;
let namespace: string;
let migrations: Migrations;
let routes: RouteObjects;
let generation = 0;
/** What the running test started; afterEach stops it whatever the outcome. */
const operators: RunningOperator[] = [];
const recorders: WriteRecorder[] = [];

beforeAll(async () => {
  admin = adminKubeConfig();
  stack = Stack.create();
  namespace = await createNamespace(admin, 'restart');
  identity = await operatorIdentity(admin, stack);
  migrations = new Migrations(admin, namespace);
  routes = new RouteObjects(admin, namespace);
});

afterEach(async () => {
  for (const recorder of recorders.splice(0)) recorder.stop();
  // SIGTERM: a leader releases the Lease on its way out (stop() is a no-op for a killed one).
  await Promise.all(operators.splice(0).map((operator) => operator.process.stop()));
});

afterAll(async () => {
  await stack.stop();
  await deleteNamespace(admin, namespace);
  await identity.cleanup();
});

async function start(name = `operator-${String(++generation)}`): Promise<RunningOperator> {
  const operator = await startOperator(stack, identity, { name, watchNamespace: namespace, election: SCALED_DOWN_ELECTION });
  operators.push(operator);
  return operator;
}

interface WeightRecord {
  /** The target weights the route carried for the migration, in the order written, repeats collapsed. */
  weights(): number[];
  /** Throws if the recording broke (the weights could have a gap). */
  check(): void;
  /** What was recorded, unchecked: for failure messages only. */
  seenSoFar(): readonly number[];
}

/**
 * Records every target weight the VirtualService `object` carries for `migration`. The watch is
 * established from the object's current version before this resolves, so whenever the operator
 * starts, none of its writes is missed (support/record-writes.ts says why a bare Watch was not enough).
 */
async function recordWeights(object: string, migration: string, onWeight: (weight: number) => void = () => undefined): Promise<WeightRecord> {
  const seen: number[] = [];
  const note = (state: unknown): void => {
    const weight = routeTargetWeight('istio', state, migration);
    if (weight === undefined) return;
    if (seen.at(-1) !== weight) seen.push(weight);
    onWeight(weight);
  };
  const recorder = await WriteRecorder.start(admin, { ...ROUTE_RESOURCES.istio, namespace, name: object }, { onWrite: (write) => { note(write.object); } });
  recorders.push(recorder);
  note(recorder.initial);
  return {
    weights: () => {
      recorder.check();
      return seen;
    },
    check: () => { recorder.check(); },
    seenSoFar: () => seen,
  };
}

/** A MicroTime as the client hands it back: a Date (String() of which drops the milliseconds) or the wire's string. */
function epochMs(value: unknown): number {
  return value instanceof Date ? value.getTime() : Date.parse(String(value));
}

async function leaseHolder(): Promise<string | undefined> {
  const lease = await admin.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: identity.operatorNamespace, name: 'nova-operator' }).catch(() => undefined);
  return lease?.spec?.holderIdentity ?? undefined;
}

describe('a killed operator resumes where it was', () => {
  it('resumes a timed pause from its stored start, and holds a manual pause without touching the route', async () => {
    await routes.create('istio', 'vs-pause');
    const route = await recordWeights('vs-pause', 'pauses');
    let operator = await start();
    await migrations.create('pauses', migrationSpec('istio', 'vs-pause', '/pauses/', [{ setWeight: 20 }, { pause: { duration: '15s' } }, { setWeight: 50 }, { pause: {} }, { setWeight: 100 }]));
    const inPause = await migrations.waitFor('pauses', 'in the timed pause', (s) => s.currentStep === 1 && s.weight === 20);
    await operator.process.kill('SIGKILL');
    operator = await start();
    // Same step, same start: the pause is resumed, not begun again.
    const resumed = await migrations.waitFor('pauses', 'seen again by the new operator', (s) => s.currentStep !== undefined && s.currentStep >= 1);
    expect(resumed.stepStartedAt).toBe(inPause.stepStartedAt);
    const atApproval = await migrations.waitFor('pauses', 'at the manual pause with 50 %', (s) => s.currentStep === 3 && s.weight === 50 && s.phase === 'Paused');
    // The pause lasted its full 15 s across the crash (a lower bound only: nothing here depends on speed).
    expect(Date.parse(atApproval.stepStartedAt ?? '') - Date.parse(inPause.stepStartedAt ?? '')).toBeGreaterThanOrEqual(15_000);

    const before = dig(await routes.read('istio', 'vs-pause'), 'metadata', 'resourceVersion');
    await operator.process.kill('SIGKILL');
    await start();
    await sleep(1_500); // the new leader has looked at everything once by now
    expect(await migrations.status('pauses')).toMatchObject({ currentStep: 3, weight: 50, phase: 'Paused' });
    expect(dig(await routes.read('istio', 'vs-pause'), 'metadata', 'resourceVersion')).toBe(before);

    await migrations.approve('pauses', 4);
    await migrations.waitFor('pauses', 'Promoted', (s) => s.phase === 'Promoted');
    expect(route.weights()).toEqual([0, 20, 50, 100]);
  });

  it('killed right after each of several route writes, never rewinds, skips or writes an unmeant weight', async () => {
    await routes.create('istio', 'vs-chaos');
    const steps = Array.from({ length: 10 }, (_, index) => ({ setWeight: (index + 1) * 10 }));
    let operator: RunningOperator | undefined;
    // The sharpest moment: the data plane has the new weight, status does not yet confirm it.
    const killOn = new Set([20, 50, 80]);
    let crash: Promise<string> | undefined;
    const route = await recordWeights('vs-chaos', 'chaos', (weight) => {
      if (killOn.delete(weight) && operator !== undefined) crash = operator.process.kill('SIGKILL');
    });
    operator = await start();
    await migrations.create('chaos', migrationSpec('istio', 'vs-chaos', '/chaos/', steps));
    const stepsSeen: number[] = [];
    for (let kill = 0; kill < 3; kill++) {
      await eventually(`crash ${String(kill + 1)}`, () => {
        route.check(); // a broken recording fails here with its reason, not as a missing crash
        return crash !== undefined;
      }).catch(async (error: unknown) => {
        throw new Error(`${String(error)}; weights ${route.seenSoFar().join(',')}; status ${JSON.stringify(await migrations.status('chaos'))}; log ${operator === undefined ? '' : logTail(operator.process.logPath, 15)}`);
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
    expect(route.weights()).toEqual([0, ...steps.map((step) => step.setWeight)]);
  });

  it('with createRoute: WithFirstWeight the route arrives with its first weight, and a kill right after that write resumes from it', async () => {
    await routes.create('istio', 'vs-first');
    let operator = await start();
    let killed: Promise<string> | undefined;
    // Killed right after the one write that both inserts the route and moves 10 % to the target.
    const route = await recordWeights('vs-first', 'first', (weight) => {
      if (weight === 10 && killed === undefined) killed = operator.process.kill('SIGKILL');
    });
    const steps = [{ setWeight: 10 }, { setWeight: 40 }, { setWeight: 100 }];
    await migrations.create('first', migrationSpec('istio', 'vs-first', '/first/', steps, { trafficProvider: { istio: { virtualService: 'vs-first', createRoute: 'WithFirstWeight' } } }));
    await eventually('the kill after the first write', () => {
      route.check();
      return killed !== undefined;
    });
    await killed;
    expect((await migrations.status('first')).desiredWeight).toBe(10);
    operator = await start();
    await migrations.waitFor('first', 'Promoted', (s) => s.phase === 'Promoted');
    // No 0 % insert before the first weight, and nothing the migration did not mean after it.
    expect(route.weights()).toEqual([10, 40, 100]);
  });
});

describe('two replicas', () => {
  it('one leads; when it stops, the other takes the Lease and finishes the migration', async () => {
    await routes.create('istio', 'vs-failover');
    const a = await start('replica-a');
    const b = await start('replica-b');
    // A released Lease keeps an empty holder: wait for one of these two, not merely for a value.
    await eventually('one of the two holds the Lease', async () => ['replica-a', 'replica-b'].includes((await leaseHolder()) ?? ''));
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
  });
  // The production defaults (nothing configured: 15 s lease, 10 s renew deadline, 2 s retry), and a
  // crash rather than a stop: a SIGKILLed leader releases nothing, so the standby must wait for the
  // lease to run out. This test waits about 15 s for that by nature (about 25 s in all).
  it('at the production defaults, a SIGKILLed leader is replaced once its lease ran out, within 15 s + 1 s, and no weight is written by two leaders', async () => {
    await routes.create('istio', 'vs-crash-failover');
    const writes: { weight: number; at: number }[] = [];
    const route = await recordWeights('vs-crash-failover', 'crash-failover', (weight) => { writes.push({ weight, at: Date.now() }); });
    const atDefaults = async (name: string): Promise<RunningOperator> => {
      const operator = await startOperator(stack, identity, { name, watchNamespace: namespace, election: 'defaults' });
      operators.push(operator);
      return operator;
    };
    const a = await atDefaults('defaults-a');
    const b = await atDefaults('defaults-b');
    await eventually('one of the two holds the Lease', async () => ['defaults-a', 'defaults-b'].includes((await leaseHolder()) ?? ''));
    const leaderName = (await leaseHolder()) ?? '';
    const [leader, standby] = leaderName === 'defaults-a' ? [a, b] : [b, a];
    const standbyName = leaderName === 'defaults-a' ? 'defaults-b' : 'defaults-a';
    const leaseApi = admin.makeApiClient(CoordinationV1Api);
    const readLease = () => leaseApi.readNamespacedLease({ namespace: identity.operatorNamespace, name: 'nova-operator' });
    expect((await readLease()).spec?.leaseDurationSeconds).toBe(15);
    await migrations.create('crash-failover', migrationSpec('istio', 'vs-crash-failover', '/crash-failover/', [{ setWeight: 30 }, { pause: {} }, { setWeight: 100 }]));
    await migrations.waitFor('crash-failover', 'at 30 %, waiting', (s) => s.weight === 30 && s.phase === 'Paused');

    const killedAt = Date.now();
    expect(await leader.process.kill('SIGKILL')).toBe('killed by SIGKILL');
    // Approved while nobody leads: the 100 % is the standby's to write, and only once it leads.
    await migrations.approve('crash-failover', 2);
    const lastRenewal = epochMs((await readLease()).spec?.renewTime);
    await eventually('the standby holds the Lease', async () => (await leaseHolder()) === standbyName, 30_000);
    const taken = (await readLease()).spec;
    // The standby's clock when it decided to take the Lease (before its read and write).
    const acquiredAt = epochMs(taken?.acquireTime);
    // Not before the killed leader's lease ran out (15 s after its last renewal, which was at most
    // a retry period before the kill); at the latest 15 s after that renewal, which its watch of the
    // Lease saw as it was written (src/kube/campaign-schedule.ts), so 15 s after the kill, plus 1 s
    // for a busy process's late event and timer (leader-failover.test.ts times this alone).
    expect(acquiredAt - lastRenewal).toBeGreaterThanOrEqual(15_000);
    expect(acquiredAt - killedAt).toBeLessThanOrEqual(15_000 + 1_000);
    await migrations.waitFor('crash-failover', 'Promoted by the new leader', (s) => s.phase === 'Promoted');
    expect(await routes.targetWeight('istio', 'vs-crash-failover', 'crash-failover')).toBe(100);
    // Each weight written once, in order, and nothing written while no one led: the dead leader
    // wrote before the kill, the new one only after it took the Lease.
    expect(route.weights()).toEqual([0, 30, 100]);
    expect(writes.filter((write) => write.at > killedAt && write.at < acquiredAt)).toEqual([]);
    expect(writes.filter((write) => write.weight === 100).every((write) => write.at >= acquiredAt)).toBe(true);
    expect(taken?.leaseTransitions).toBeGreaterThanOrEqual(1);
    const leaderGauge = async (operator: RunningOperator): Promise<string> => (await (await fetch(`${operator.opsUrl}/metrics`)).text()).match(/^nova_leader (\d)/mu)?.[1] ?? '?';
    expect(await leaderGauge(standby)).toBe('1');
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
  });
});
