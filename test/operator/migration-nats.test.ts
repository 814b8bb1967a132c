/**
 * A bus migration end to end on the real control plane: the operator process (under its own
 * RBAC) drives a NovaMigration on the `nats` provider, writing the context's weight into the KV
 * bucket of a real nats-server, while two real processes of the fleet (a legacy and a target
 * stand-in, test/routing/fixtures/side-process.ts) route by it. A weight is confirmed in status
 * only once both processes applied it (a frozen process holds it back); deleting the migration
 * restores legacy; an operator killed right after its KV writes resumes without ever writing a
 * weight its migration did not mean (every write is recorded by a KV watch).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { appliedKey, parseRoutingRecord } from '@nova/contracts';
import { freePort, httpOk, logTail, Stack, waitFor } from '@nova/testbed';
import type { KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { runFixture, type Child } from '../bus/support/processes.js';
import { routingBuckets, startBusProcess, startPrivateNats, type BusProcess } from '../routing/support/fleet.js';
import { adminKubeConfig, createNamespace, deleteNamespace, eventually } from './support/kube.js';
import { Migrations } from './support/migrations.js';
import { type OperatorIdentity, operatorIdentity, type RunningOperator, SCALED_DOWN_ELECTION, startOperator } from './support/operator-process.js';

let admin: KubeConfig;
let stack: Stack;
let identity: OperatorIdentity;
let namespace: string;
let migrations: Migrations;
let nats: Awaited<ReturnType<typeof startPrivateNats>>;
let nc: NatsConnection;
let routing: KV;
let applied: KV;
let caller: BusProcess;
let generation = 0;
const fleet: { side: 'legacy' | 'target'; child: Child; metricsUrl: string }[] = [];
const stopWatches: (() => void)[] = [];

function start(): Promise<RunningOperator> {
  return startOperator(stack, identity, {
    name: `operator-nats-${String(++generation)}`,
    watchNamespace: namespace,
    election: SCALED_DOWN_ELECTION, // operators are killed and replaced here
    env: { NOVA_NATS_URL: nats.info.url, NOVA_NATS_APPLY_TIMEOUT: '2s' },
  });
}

async function startSide(side: 'legacy' | 'target'): Promise<void> {
  const port = await freePort();
  const child = runFixture('test/routing/fixtures/side-process.ts', {
    NOVA_NATS_URL: nats.info.url, NOVA_HTTP_ADDRESS: `127.0.0.1:${String(port)}`, FIXTURE_SIDE: side, FIXTURE_NAME: `${side}-process`, NOVA_NAMESPACE: namespace,
  });
  const metricsUrl = `http://127.0.0.1:${String(port)}/metrics`;
  const failure = await waitFor(() => httpOk(`http://127.0.0.1:${String(port)}/readyz`), { timeoutMs: 30_000, intervalMs: 100 });
  if (failure !== undefined) throw new Error(`${side} process not ready: ${failure}; output: ${child.output()}`);
  fleet.push({ side, child, metricsUrl });
}

/** The weight a fleet process routes `context` by, from its own /metrics. */
async function appliedWeight(metricsUrl: string, context: string): Promise<number | undefined> {
  const text = await (await fetch(metricsUrl)).text();
  const match = new RegExp(`^nova_routing_weight\\{[^}]*context="${context}"[^}]*\\} (\\d+)`, 'mu').exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Every weight written to `context`'s key from now on, in order (repeats collapsed), and each write's fence. */
async function recordWrites(context: string, onWrite: (weight: number) => void = () => undefined): Promise<{ weights: number[]; fences: number[] }> {
  const writes = { weights: [] as number[], fences: [] as number[] };
  const watch = await routing.watch({ key: context, include: 'updates' });
  void (async () => {
    for await (const entry of watch) {
      if (entry.operation !== 'PUT') continue;
      const record = parseRoutingRecord(entry.value);
      writes.fences.push(record.fence);
      if (writes.weights.at(-1) !== record.weight) writes.weights.push(record.weight);
      onWrite(record.weight);
    }
  })();
  stopWatches.push(() => { watch.stop(); });
  return writes;
}

function natsMigration(context: string, steps: readonly Record<string, unknown>[]): Record<string, unknown> {
  return {
    legacy: { service: 'nova-monolith', port: 8099 },
    target: { service: `${context}-service`, port: 8101 },
    trafficProvider: { nats: { context } },
    steps,
  };
}

beforeAll(async () => {
  admin = adminKubeConfig();
  stack = Stack.create();
  namespace = await createNamespace(admin, 'nats-fleet');
  identity = await operatorIdentity(admin, stack);
  migrations = new Migrations(admin, namespace);
  nats = await startPrivateNats();
  await Promise.all([startSide('legacy'), startSide('target')]);
  caller = await startBusProcess(nats.info.url, 'webhook-gateway-1', 'target');
  nc = await connect({ servers: [nats.info.url] });
  ({ routing, applied } = await routingBuckets(nc));
});

afterAll(async () => {
  for (const stop of stopWatches) stop();
  for (const { child } of fleet) child.process.kill('SIGKILL');
  await caller.bus.close();
  await nc.close();
  await stack.stop();
  await nats.stop();
  await deleteNamespace(admin, namespace);
  await identity.cleanup();
});

describe('a nats migration on the real control plane', () => {
  let operator: RunningOperator;

  it('steps the context 0 → 100, each weight confirmed only once every routing process applied it', async () => {
    const writes = await recordWrites('user');
    operator = await start();
    // The manual pause at 50 % is where the test freezes a process, whatever the machine's speed.
    // Timed pauses long enough to read every process's applied weight in them on a loaded machine.
    const steps = [{ setWeight: 25 }, { pause: { duration: '10s' } }, { setWeight: 50 }, { pause: {} }, { setWeight: 75 }, { pause: { duration: '10s' } }, { setWeight: 100 }];
    await migrations.create('stage-2-users', natsMigration('user', steps));

    // Whenever status confirms a weight, both processes already route by it (the pause keeps the next write away).
    for (const weight of [25, 50]) {
      await migrations.waitFor('stage-2-users', `${String(weight)} % confirmed`, (s) => s.weight === weight);
      expect(await Promise.all(fleet.map(({ metricsUrl }) => appliedWeight(metricsUrl, 'user')))).toEqual([weight, weight]);
    }

    // Freeze the legacy process before 75 is written: it can neither apply it nor say so.
    await migrations.waitFor('stage-2-users', 'waiting for approval at 50 %', (s) => s.phase === 'Paused' && s.weight === 50);
    const frozen = fleet.find(({ side }) => side === 'legacy');
    frozen?.child.process.kill('SIGSTOP');
    try {
      await migrations.approve('stage-2-users', 4);
      await migrations.waitFor('stage-2-users', '75 % decided', (s) => s.desiredWeight === 75);
      await eventually('75 % written to the bucket', async () => parseRoutingRecord((await routing.get('user'))?.value ?? new Uint8Array()).weight === 75);
      const held = await migrations.waitFor('stage-2-users', 'Ready=False WeightNotApplied', (s) => s.conditions?.some((c) => c.type === 'Ready' && c.reason === 'WeightNotApplied') === true);
      expect(held.weight).toBe(50);
      expect(held.conditions?.find((c) => c.type === 'Ready')?.message).toContain('legacy-process (50%)');
      // It holds for as long as the frozen process counts as live: until its applied record lapses
      // (APPLIED_TTL_MS after its last heartbeat), when the fleet takes it for dead and 75 may be
      // confirmed without it. Status is read before the record, so a 75 seen while the record is
      // still there would be a confirmation made while the process lived.
      // Time is the subject here: a hold is the absence of a change, so it can only be watched for
      // a while; the 200 ms is the pause between reads, and no state is raced against it.
      for (const until = Date.now() + 3_000; Date.now() < until;) {
        const weight = (await migrations.status('stage-2-users')).weight;
        const frozenRecord = await applied.get(appliedKey('user', 'legacy-process'));
        if (weight !== 50) expect({ weight, frozenRecordLive: frozenRecord !== null && frozenRecord.operation === 'PUT' }).toEqual({ weight, frozenRecordLive: false });
        await sleep(200);
      }
    } finally {
      frozen?.child.process.kill('SIGCONT');
    }
    await migrations.waitFor('stage-2-users', '75 % confirmed once the process applied it', (s) => s.weight === 75);
    expect(await Promise.all(fleet.map(({ metricsUrl }) => appliedWeight(metricsUrl, 'user')))).toEqual([75, 75]);

    const done = await migrations.waitFor('stage-2-users', 'Promoted', (s) => s.phase === 'Promoted');
    expect(done).toMatchObject({ weight: 100, desiredWeight: 100 });
    expect(writes.weights).toEqual([0, 25, 50, 75, 100]);
    expect([...writes.fences].sort((a, b) => a - b)).toEqual(writes.fences);
    // Every chat now reaches the target.
    const replies = await Promise.all(Array.from({ length: 50 }, (_, chat) => caller.bus.request('svc.user.get', { telegramId: BigInt(chat) }, { routingKey: chat })));
    expect(new Set(replies.map((reply) => reply.user?.firstName))).toEqual(new Set(['target']));
  });

  it('restores legacy when the migration is deleted', async () => {
    await migrations.delete('stage-2-users');
    await eventually('the migration is gone (its finalizer ran)', async () => !(await migrations.exists('stage-2-users')), 30_000);
    const record = parseRoutingRecord((await routing.get('user'))?.value ?? new Uint8Array());
    expect(record).toMatchObject({ weight: 0, released: true });
    expect(await Promise.all(fleet.map(({ metricsUrl }) => appliedWeight(metricsUrl, 'user')))).toEqual([0, 0]);
    const replies = await Promise.all(Array.from({ length: 50 }, (_, chat) => caller.bus.request('svc.user.get', { telegramId: BigInt(chat) }, { routingKey: chat })));
    expect(new Set(replies.map((reply) => reply.user?.firstName))).toEqual(new Set(['legacy']));
    await operator.process.stop();
  });

  it('killed right after its KV writes, resumes and never writes a weight its migration did not mean', async () => {
    const steps = Array.from({ length: 10 }, (_, index) => ({ setWeight: (index + 1) * 10 }));
    const killOn = new Set([20, 50, 80]);
    let crash: Promise<string> | undefined;
    let current: RunningOperator | undefined;
    const writes = await recordWrites('bot', (weight) => {
      // The sharpest moment: the bucket has the new weight, status does not yet confirm it.
      if (killOn.delete(weight) && current !== undefined) crash = current.process.kill('SIGKILL');
    });
    current = await start();
    await migrations.create('stage-3-bots', natsMigration('bot', steps));
    for (let kill = 0; kill < 3; kill++) {
      await eventually(`crash ${String(kill + 1)}`, () => crash !== undefined).catch(async (error: unknown) => {
        throw new Error(`${String(error)}; writes ${writes.weights.join(',')}; status ${JSON.stringify(await migrations.status('stage-3-bots'))}; log ${current === undefined ? '' : logTail(current.process.logPath, 15)}`);
      });
      await crash;
      crash = undefined;
      current = await start();
    }
    const done = await migrations.waitFor('stage-3-bots', 'Promoted', (s) => s.phase === 'Promoted');
    expect(done).toMatchObject({ weight: 100, currentStep: 10 });
    expect(writes.weights).toEqual([0, ...steps.map((step) => step.setWeight)]);
    expect([...writes.fences].sort((a, b) => a - b)).toEqual(writes.fences);
    expect(await Promise.all(fleet.map(({ metricsUrl }) => appliedWeight(metricsUrl, 'bot')))).toEqual([100, 100]);
    await current.process.stop();
  });
});
