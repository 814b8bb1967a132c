/**
 * Stage ordering on the real control plane: a migration that depends on another moves no traffic
 * while that one progresses, starts once it is Promoted, is paused where it stands when it rolls
 * back, and resumes once it is Promoted again.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { Stack } from '@nova/testbed';
import { adminKubeConfig, createNamespace, deleteNamespace, eventually } from './support/kube.js';
import { migrationSpec, Migrations, passingAnalysis, RouteObjects } from './support/migrations.js';
import { operatorIdentity, startOperator, type OperatorIdentity } from './support/operator-process.js';
import type { NovaMigrationStatus } from '../../operator/src/api/novamigration.js';

let admin: KubeConfig;
let stack: Stack;
let identity: OperatorIdentity;
let namespace: string;
let migrations: Migrations;
let routes: RouteObjects;

const STEPS = [{ setWeight: 30 }, { pause: {} }, { setWeight: 100 }];

beforeAll(async () => {
  admin = adminKubeConfig();
  stack = Stack.create();
  namespace = await createNamespace(admin, 'stages');
  identity = await operatorIdentity(admin, stack);
  await startOperator(stack, identity, { name: 'operator-stages', watchNamespace: namespace });
  migrations = new Migrations(admin, namespace);
  routes = new RouteObjects(admin, namespace);
  await routes.create('istio', 'nova');
});

afterAll(async () => {
  await stack.stop();
  await deleteNamespace(admin, namespace);
  await identity.cleanup();
});

async function reasons(name: string): Promise<string[]> {
  const list = await admin.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace, fieldSelector: `regarding.name=${name}` });
  return list.items.map((event) => event.reason ?? '');
}

describe('dependsOn', () => {
  it('holds stage 2 at 0 % while stage 1 progresses', async () => {
    await migrations.create('stage-1', migrationSpec('istio', 'nova', '/webhook/', STEPS, passingAnalysis()));
    await migrations.create('stage-2', migrationSpec('istio', 'nova', '/users/', STEPS, { ...passingAnalysis(), dependsOn: ['stage-1'] }));
    await migrations.waitFor('stage-1', 'stage 1 at 30 %, waiting', (s) => s.phase === 'Paused' && s.weight === 30);
    const waiting = await migrations.waitFor('stage-2', 'stage 2 pending on stage 1', (s) => s.waitingFor?.[0] === 'stage-1 (Paused)');
    expect(waiting).toMatchObject({ phase: 'Pending' });
    expect(waiting.message).toBe('waits for stage-1 (Paused) to be Promoted');
    expect(waiting.weight ?? 0).toBe(0);
    expect(await routes.targetWeight('istio', 'nova', 'stage-2')).toBeUndefined();
  });

  it('starts stage 2 once stage 1 is Promoted', async () => {
    await migrations.approve('stage-1', 2);
    await migrations.waitFor('stage-1', 'Promoted', (s) => s.phase === 'Promoted');
    const moving = await migrations.waitFor('stage-2', 'stage 2 at 30 %', (s) => s.phase === 'Paused' && s.weight === 30);
    expect(moving.waitingFor ?? []).toEqual([]);
    expect(await routes.targetWeight('istio', 'nova', 'stage-2')).toBe(30);
  });

  it('pauses stage 2 where it stands when stage 1 rolls back, and resumes it when stage 1 is Promoted again', async () => {
    await migrations.patch('stage-1', { metadata: { annotations: { 'novabot.io/abort': 'incident-42' } } });
    await migrations.waitFor('stage-1', 'rolled back', (s) => s.phase === 'RolledBack' && s.weight === 0);
    const held = await migrations.waitFor('stage-2', 'held by the rollback', (s) => s.conditions?.some((c) => c.type === 'Paused' && c.reason === 'DependencyRolledBack') === true);
    expect(held).toMatchObject({ phase: 'Paused', weight: 30, waitingFor: ['stage-1 (RolledBack)'] });
    expect(held.message).toContain('stage-1 rolled back');
    // Events are recorded after the status write that they explain.
    await eventually('a DependencyRolledBack event', async () => (await reasons('stage-2')).includes('DependencyRolledBack'));
    // An approval of stage 2's manual pause does nothing while it is held.
    await migrations.approve('stage-2', 2);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await migrations.status('stage-2')).toMatchObject({ phase: 'Paused', weight: 30 });

    await migrations.patch('stage-1', { metadata: { annotations: { 'novabot.io/retry': 'after-fix' } } });
    await migrations.waitFor('stage-1', 'retried, at its manual pause', (s) => s.phase === 'Paused' && s.weight === 30);
    expect((await migrations.status('stage-2')).conditions?.find((c) => c.type === 'Paused')?.reason).toBe('WaitingForDependencies');
    // The approval given before the retry does not count in the new run: stage 1 stopped again; approve anew.
    expect(await migrations.status('stage-1')).toMatchObject({ control: { staleApproval: '2' } });
    await migrations.patch('stage-1', { metadata: { annotations: { 'novabot.io/approved-step': '2@after-fix' } } });
    await migrations.waitFor('stage-1', 'Promoted again', (s) => s.phase === 'Promoted');
    await migrations.waitFor('stage-2', 'resumed and (already approved) Promoted', (s) => s.phase === 'Promoted' && s.weight === 100);
    await eventually('a Resumed event', async () => (await reasons('stage-2')).includes('Resumed'));
  });

  it('reports a cycle (x -> y -> z -> x) as what it is, on every member, and moves once it is broken', async () => {
    const spec = (path: string, dependsOn: string[]): Record<string, unknown> => migrationSpec('istio', 'nova', path, STEPS, { ...passingAnalysis(), dependsOn });
    await migrations.create('cyc-x', spec('/x/', ['cyc-y']));
    await migrations.create('cyc-y', spec('/y/', ['cyc-z']));
    await migrations.create('cyc-z', spec('/z/', ['cyc-x']));
    const ready = (s: NovaMigrationStatus) => s.conditions?.find((c) => c.type === 'Ready');
    const cycles = { 'cyc-x': 'cyc-x -> cyc-y -> cyc-z -> cyc-x', 'cyc-y': 'cyc-y -> cyc-z -> cyc-x -> cyc-y', 'cyc-z': 'cyc-z -> cyc-x -> cyc-y -> cyc-z' };
    for (const [name, cycle] of Object.entries(cycles)) {
      const status = await migrations.waitFor(name, 'the cycle reported', (s) => ready(s)?.reason === 'DependencyCycle');
      expect(status).toMatchObject({ phase: 'Pending' });
      expect(ready(status)).toMatchObject({ status: 'False', message: expect.stringContaining(`spec.dependsOn forms a cycle: ${cycle}`) });
      expect(status.message).toContain(cycle);
      expect(status.weight ?? 0).toBe(0);
      await eventually(`a DependencyCycle event on ${name}`, async () => (await reasons(name)).includes('DependencyCycle'));
    }
    expect(await routes.targetWeight('istio', 'nova', 'cyc-x')).toBeUndefined();
    // Broken at z: z moves, y and x wait for their dependency as usual.
    await migrations.patch('cyc-z', { spec: { dependsOn: [] } });
    await migrations.waitFor('cyc-z', 'cyc-z at 30 %', (s) => s.phase === 'Paused' && s.weight === 30);
    const y = await migrations.waitFor('cyc-y', 'cyc-y waiting for cyc-z', (s) => s.waitingFor?.[0] === 'cyc-z (Paused)');
    expect(y.message).toBe('waits for cyc-z (Paused) to be Promoted');
    await migrations.waitFor('cyc-x', 'cyc-x waiting for cyc-y', (s) => s.waitingFor?.[0] === 'cyc-y (Pending)');
  });
});

