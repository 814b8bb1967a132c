/**
 * Issue 21's failover goal: after the leader's SIGKILL, the standby holds the Lease within the
 * lease duration, at the production election timings (15 s lease, 10 s renew deadline, 2 s
 * retry: what a replica gets when nothing is configured).
 *
 * Two operator processes from operator/dist under the operator's own RBAC (as the chart runs
 * them); the leader is SIGKILLed right after a renewal, which releases nothing: the standby must
 * wait for the lease to run out, and the kill right after a renewal is the moment that leaves it
 * the whole lease to wait. Before the standby's watch of the Lease and its try at the expiry
 * (operator/src/kube/campaign-schedule.ts) it took the Lease only up to two jittered retry periods
 * later (15.5–20 s in the chaos run, docs/chaos.md). What migration-restart.test.ts adds: a
 * migration's weights across such a kill.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { Stack } from '@nova/testbed';
import { readFileSync } from 'node:fs';
import { DEFAULT_LEASE_DURATION_MS, DEFAULT_RENEW_DEADLINE_MS, DEFAULT_RETRY_PERIOD_MS } from '../../operator/src/kube/leader-election.js';
import { dig } from '../../operator/src/providers/json.js';
import { adminKubeConfig, createNamespace, deleteNamespace, eventually } from './support/kube.js';
import { type OperatorIdentity, operatorIdentity, type RunningOperator, startOperator } from './support/operator-process.js';
import { WriteRecorder } from './support/record-writes.js';

const LEASE_NAME = 'nova-operator';

let admin: KubeConfig;
let stack: Stack;
let identity: OperatorIdentity;
let namespace: string;
const operators: RunningOperator[] = [];
const recorders: WriteRecorder[] = [];

beforeAll(async () => {
  admin = adminKubeConfig();
  stack = Stack.create();
  namespace = await createNamespace(admin, 'failover');
  identity = await operatorIdentity(admin, stack);
});

afterAll(async () => {
  for (const recorder of recorders) recorder.stop();
  // SIGTERM: the new leader releases the Lease on its way out (a no-op for the killed one).
  await Promise.all(operators.map((operator) => operator.process.stop()));
  await stack.stop();
  await deleteNamespace(admin, namespace);
  await identity.cleanup();
});

/** A MicroTime as the client hands it back: a Date on the typed path, the wire's string on a watch. */
function epochMs(value: unknown): number {
  return value instanceof Date ? value.getTime() : Date.parse(String(value));
}

/** The lines of an operator's JSON log that say `msg`. */
function logged(operator: RunningOperator, msg: string): Record<string, unknown>[] {
  return readFileSync(operator.process.logPath, 'utf8')
    .split('\n')
    .filter((line) => line.includes(`"msg":"${msg}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('operator failover after a SIGKILL, at the production election timings', () => {
  it('the standby holds the Lease within the lease duration of the kill, and not before the dead leader\'s lease ran out', async () => {
    expect([DEFAULT_LEASE_DURATION_MS, DEFAULT_RENEW_DEADLINE_MS, DEFAULT_RETRY_PERIOD_MS]).toEqual([15_000, 10_000, 2_000]);
    const leases = admin.makeApiClient(CoordinationV1Api);
    const readLease = () => leases.readNamespacedLease({ namespace: identity.operatorNamespace, name: LEASE_NAME });
    const names = ['failover-a', 'failover-b'];
    operators.push(...await Promise.all(names.map((name) => startOperator(stack, identity, { name, watchNamespace: namespace, election: 'defaults' }))));
    await eventually('one of the two holds the Lease', async () => names.includes((await readLease()).spec?.holderIdentity ?? ''));
    const leaderName = (await readLease()).spec?.holderIdentity ?? '';
    const [leader, standby] = leaderName === names[0] ? [operators[0], operators[1]] : [operators[1], operators[0]];
    const standbyName = names.find((name) => name !== leaderName) ?? '';
    if (leader === undefined || standby === undefined) throw new Error('two operators were started');
    expect((await readLease()).spec?.leaseDurationSeconds).toBe(15);
    // The standby's watch of the Lease is up: its log shows a renewal of the leader it saw there.
    await eventually('the standby\'s watch sees the leader\'s renewals', () => logged(standby, 'lease seen by the watch').some((line) => line.holder === leaderName));

    // SIGKILL right after the leader's next renewal (the test's own watch of the Lease sees it).
    let killedAt = 0;
    let killing: Promise<string> | undefined;
    let takenSeenAt: number | undefined;
    recorders.push(await WriteRecorder.start(admin, { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespace: identity.operatorNamespace, name: LEASE_NAME }, {
      onWrite: (write) => {
        const holder = dig(write.object, 'spec', 'holderIdentity');
        if (killing === undefined && holder === leaderName) {
          killedAt = Date.now();
          killing = leader.process.kill('SIGKILL');
        }
        if (holder === standbyName) takenSeenAt ??= Date.now();
      },
    }));
    await eventually('the leader renewed and was killed', () => killing !== undefined, 10_000);
    expect(await killing).toBe('killed by SIGKILL');
    // Read after the kill: the dead leader's last renewal (nobody else can have written yet).
    const dead = (await readLease()).spec;
    expect(dead?.holderIdentity).toBe(leaderName);
    const lastRenewal = epochMs(dead?.renewTime);

    await eventually('the standby holds the Lease', async () => (await readLease()).spec?.holderIdentity === standbyName, 30_000);
    const taken = (await readLease()).spec;
    // acquireTime is the standby's clock (this machine's, as the test's) when it decided to take
    // the Lease, before its read and write: the takeover moment itself.
    const acquiredAt = epochMs(taken?.acquireTime);
    console.log(`failover: the standby took the Lease ${String(acquiredAt - killedAt)} ms after the kill (${String(acquiredAt - lastRenewal)} ms after the last renewal; the test saw it ${String((takenSeenAt ?? NaN) - killedAt)} ms after the kill; lease 15,000 ms)`);
    // Safety: never before the dead leader's lease ran out, 15 s after its last renewal (whose
    // renewTime was set before that renewal's write, so the standby saw it later still).
    expect(acquiredAt - lastRenewal).toBeGreaterThanOrEqual(DEFAULT_LEASE_DURATION_MS);
    // The goal, the algorithm's guarantee rather than a speed: the standby's watch saw that renewal
    // when it was written (before the kill) and its try was set for 15 s + 5 ms after that. What can
    // add to it is only how late the standby's process ran: the watch event's delivery and the
    // timer's firing in a busy process, tens of ms here and far under 1 s at the load averages
    // of 20–40 this machine sees (the old standby added up to two retry periods, 2–4.4 s each).
    expect(acquiredAt - killedAt).toBeLessThanOrEqual(DEFAULT_LEASE_DURATION_MS + 1_000);
    expect(taken?.leaseTransitions).toBe((dead?.leaseTransitions ?? 0) + 1);
    const leaderGauge = (await (await fetch(`${standby.opsUrl}/metrics`)).text()).match(/^nova_leader (\d)/mu)?.[1];
    expect(leaderGauge).toBe('1');
  });
});
