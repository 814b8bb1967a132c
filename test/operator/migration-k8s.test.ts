/**
 * The operator, as a real process under its own RBAC, driving NovaMigrations end to end on the
 * real apiserver with the real Istio / Gateway API CRDs: apply → route weights written; every
 * step honoured (setWeight, timed pause, an analysis step checked on the real Prometheus, manual pause and its approval);
 * two migrations on two paths of ONE shared route object moved at once without undoing each
 * other; delete with each finalizer policy; a route object created late is picked up.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomObjectsApi, EventsV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { Stack } from '@nova/testbed';
import { setTimeout as sleep } from 'node:timers/promises';
import { dig } from '../../operator/src/providers/json.js';
import { adminKubeConfig, createNamespace, deleteNamespace, eventually } from './support/kube.js';
import { migrationSpec, Migrations, PASSING_SUMMARY, passingAnalysis, ROUTE_RESOURCES, RouteObjects, type ProviderKind } from './support/migrations.js';
import { type OperatorIdentity, operatorIdentity, type RunningOperator, SCALED_DOWN_ELECTION, startOperator } from './support/operator-process.js';

let admin: KubeConfig;
let stack: Stack;
let identity: OperatorIdentity;
let namespace: string;
let operator: RunningOperator;
let migrations: Migrations;
let routes: RouteObjects;

/** 1 setWeight 20, 2 pause 8s, 3 analysis, 4 setWeight 60, 5 pause (approval), 6 setWeight 100. */
// The timed pause is long enough that polling status surely sees the migration in it on a loaded machine.
const STEPS = [{ setWeight: 20 }, { pause: { duration: '8s' } }, { analysis: {} }, { setWeight: 60 }, { pause: {} }, { setWeight: 100 }];


beforeAll(async () => {
  admin = adminKubeConfig();
  stack = Stack.create();
  namespace = await createNamespace(admin, 'migrations');
  identity = await operatorIdentity(admin, stack);
  operator = await startOperator(stack, identity, { name: 'operator-k8s', watchNamespace: namespace, election: SCALED_DOWN_ELECTION });
  migrations = new Migrations(admin, namespace);
  routes = new RouteObjects(admin, namespace);
});

afterAll(async () => {
  await stack.stop();
  await deleteNamespace(admin, namespace);
  await identity.cleanup();
});

async function eventReasons(name: string): Promise<string[]> {
  const list = await admin.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace, fieldSelector: `regarding.name=${name}` });
  return list.items.map((event) => event.reason ?? '');
}

const kinds: readonly ProviderKind[] = ['istio', 'gatewayAPI', 'ingressNginx'];

describe.each(kinds)('%s: two migrations on one shared route object', (kind) => {
  const object = `shared-${kind.toLowerCase()}`;
  const webhook = `${kind.toLowerCase()}-webhook`;
  const payments = `${kind.toLowerCase()}-payments`;

  beforeAll(async () => {
    await routes.create(kind, object);
  });

  it('writes each step\'s weight, waits out the pause, passes the analysis step, and stops for a person', async () => {
    await Promise.all([
      migrations.create(webhook, migrationSpec(kind, object, '/webhook/', STEPS, passingAnalysis())),
      migrations.create(payments, migrationSpec(kind, object, '/payments/', STEPS, { ...passingAnalysis(), onDelete: 'leaveAsIs' })),
    ]);
    // Step 1 at 20 %, then the 8 s pause: the data plane carries 20 % for both paths meanwhile.
    const first = await migrations.waitFor(webhook, 'at the timed pause', (s) => s.currentStep === 1 && s.weight === 20);
    expect(first.stepLabel).toBe('2/6 pause 8s');
    expect(await routes.targetWeight(kind, object, webhook)).toBe(20);
    for (const name of [webhook, payments]) {
      const waiting = await migrations.waitFor(name, 'waiting for approval at 60 %', (s) => s.currentStep === 4 && s.weight === 60 && s.phase === 'Paused');
      expect(waiting).toMatchObject({ stepLabel: '5/6 pause (approval)', desiredWeight: 60, analysis: { summary: PASSING_SUMMARY, lastResult: 'Pass', failures: 0 } });
      expect(await routes.targetWeight(kind, object, name)).toBe(60);
      const paused = waiting.conditions?.find((condition) => condition.type === 'Paused');
      expect(paused).toMatchObject({ status: 'True', reason: 'AwaitingApproval' });
      expect(waiting.conditions?.find((condition) => condition.type === 'Ready')).toMatchObject({ status: 'True', reason: 'InSync', observedGeneration: 1 });
    }
    if (kind !== 'ingressNginx') {
      const names = await routes.itemNames(kind, object);
      expect(names).toEqual(expect.arrayContaining(['default', `nova-${webhook}`, `nova-${payments}`]));
      // Istio matches routes in order: the migrations' routes must come before the catch-all.
      if (kind === 'istio') expect(names.at(-1)).toBe('default');
    }
  });

  it('moves one path to 100 % on approval while the other holds at 60 %', async () => {
    await migrations.approve(webhook, 5);
    const done = await migrations.waitFor(webhook, 'Promoted', (s) => s.phase === 'Promoted');
    expect(done).toMatchObject({ weight: 100, currentStep: 6, stepLabel: '6/6 done' });
    expect(done.conditions?.find((condition) => condition.type === 'Promoted')).toMatchObject({ status: 'True', reason: 'AllStepsDone' });
    expect(await routes.targetWeight(kind, object, webhook)).toBe(100);
    expect(await routes.targetWeight(kind, object, payments)).toBe(60);
    expect((await migrations.status(payments)).phase).toBe('Paused');
    // The operator writes its Events in the background, after the status they describe.
    const expected = ['Started', 'WeightChanged', 'StepCompleted', 'AwaitingApproval', 'Promoted'];
    await eventually(`events ${expected.join(', ')}`, async () => {
      const reasons = await eventReasons(webhook);
      return expected.every((reason) => reasons.includes(reason));
    });
  });

  it('killed while one path waits, a new operator resumes at the same step and weight without writing the route', async () => {
    const routeObject = kind === 'ingressNginx' ? `nova-${payments}` : object;
    const before = dig(await routes.read(kind, routeObject), 'metadata', 'resourceVersion');
    await operator.process.kill('SIGKILL');
    operator = await startOperator(stack, identity, { name: `operator-k8s-${kind}`, watchNamespace: namespace, election: SCALED_DOWN_ELECTION });
    await eventually('the new operator leads', async () => (await (await fetch(`${operator.opsUrl}/metrics`)).text()).match(/^nova_leader 1$/mu) !== null);
    await sleep(1_000); // it has reconciled everything once by now
    expect(await migrations.status(payments)).toMatchObject({ currentStep: 4, weight: 60, desiredWeight: 60, phase: 'Paused' });
    expect(dig(await routes.read(kind, routeObject), 'metadata', 'resourceVersion')).toBe(before);
  });

  it('takes a hand-edited weight back to the one the migration means', async () => {
    const custom = admin.makeApiClient(CustomObjectsApi);
    if (kind === 'ingressNginx') {
      await custom.patchNamespacedCustomObject(
        { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', namespace, name: `nova-${payments}`, body: { metadata: { annotations: { 'nginx.ingress.kubernetes.io/canary-weight': '5' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } else {
      const stored = await routes.read(kind, object);
      const spec = stored?.spec as Record<string, unknown[]>;
      const list = (kind === 'istio' ? spec.http : spec.rules) as Record<string, unknown>[];
      const item = list.find((entry) => entry.name === `nova-${payments}`) as Record<string, { weight?: number }[]>;
      const backends = kind === 'istio' ? item.route : item.backendRefs;
      if (backends?.[0] === undefined || backends[1] === undefined) throw new Error('no weighted backends to edit');
      backends[0].weight = 95;
      backends[1].weight = 5;
      await custom.replaceNamespacedCustomObject({ ...ROUTE_RESOURCES[kind], namespace, name: object, body: stored });
    }
    await eventually('the drift corrected back to 60 %', async () => (await routes.targetWeight(kind, object, payments)) === 60);
    await eventually('a DriftCorrected event', async () => (await eventReasons(payments)).includes('DriftCorrected'));
  });

  it('deletes with each policy: restoreLegacy sends the path back to legacy, leaveAsIs keeps the split', async () => {
    await migrations.delete(webhook);
    await migrations.delete(payments);
    await eventually('both migrations gone (finalizers done)', async () => !(await migrations.exists(webhook)) && !(await migrations.exists(payments)));
    const restored = await routes.targetWeight(kind, object, webhook);
    // Istio / Gateway API keep the item at 100 % legacy; ingress-nginx deletes the canary.
    expect(restored === undefined || restored === 0).toBe(true);
    expect(await routes.targetWeight(kind, object, payments)).toBe(60);
  });
});

describe('a migration whose route object does not exist yet', () => {
  it('reports RouteNotFound, then proceeds once the object is created', async () => {
    const name = 'late-route';
    await migrations.create(name, migrationSpec('istio', 'created-later', '/late/', [{ setWeight: 30 }, { pause: {} }, { setWeight: 100 }]));
    const missing = await migrations.waitFor(name, 'RouteNotFound', (s) => s.conditions?.some((c) => c.type === 'Ready' && c.reason === 'RouteNotFound') === true);
    expect(missing.message).toContain('not found');
    await routes.create('istio', 'created-later');
    await migrations.waitFor(name, 'at 30 % once the route exists', (s) => s.weight === 30 && s.phase === 'Paused');
    expect(await routes.targetWeight('istio', 'created-later', name)).toBe(30);
    expect(operator.process.running).toBe(true);
  });
});
