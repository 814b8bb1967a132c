/**
 * Issue 21: admitted NovaMigrations that never got a status. A reconcile that fails before the
 * first status write (a provider's write of the route object refused or throttled by the
 * apiserver, a finalizer patch, ...) used to be requeued with a doubling backoff and write
 * nothing: the migration showed no status at all, and after a run of quick failures the next try
 * was minutes away (5 min cap). Here the failure is real and deterministic: the operator's own
 * ClusterRole on the test bed's kube-apiserver loses `patch` on VirtualServices, so every write of
 * the route object is refused (403) the way a throttled one (429) is, until the verb is given back.
 *
 * Expected: the migration gets a status at once that says where it is (Pending) and why it is
 * stuck (Ready False, ReconcileError, the apiserver's refusal); once the permission is back, the
 * operator carries on by itself within the backoff cap (30 s), without any change to the spec.
 */
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { RbacAuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { Stack } from '@nova/testbed';
import { readFileSync } from 'node:fs';
import { adminKubeConfig, createNamespace, deleteNamespace, eventually } from './support/kube.js';
import { migrationSpec, Migrations, passingAnalysis, RouteObjects } from './support/migrations.js';
import { operatorIdentity, startOperator, type OperatorIdentity } from './support/operator-process.js';

jest.setTimeout(90_000);

let admin: KubeConfig;
let stack: Stack;
let identity: OperatorIdentity;
let namespace: string;
let migrations: Migrations;
let rbac: RbacAuthorizationV1Api;
let opsUrl: string;
let operatorLog: string;

/** The operator's own count of failed reconciles of one migration (its /metrics). */
async function reconcileErrors(name: string): Promise<number> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  const match = new RegExp(`^nova_reconcile_errors_total\\{[^}]*name="${name}"[^}]*\\} (\\d+)`, 'mu').exec(text);
  return match?.[1] === undefined ? 0 : Number(match[1]);
}

/** Sets the verbs of the ClusterRole's rule on `resource` (the rest of the role unchanged). */
async function grant(resource: string, verbs: string[]): Promise<void> {
  const role = await rbac.readClusterRole({ name: identity.clusterRoleName });
  for (const rule of role.rules ?? []) if (rule.resources?.includes(resource) === true) rule.verbs = verbs;
  await rbac.replaceClusterRole({ name: identity.clusterRoleName, body: role });
}

const virtualServiceVerbs = (verbs: string[]): Promise<void> => grant('virtualservices', verbs);

beforeAll(async () => {
  admin = adminKubeConfig();
  rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  stack = Stack.create();
  namespace = await createNamespace(admin, 'reconcile-failure');
  identity = await operatorIdentity(admin, stack);
  const operator = await startOperator(stack, identity, { name: 'operator-reconcile-failure', watchNamespace: namespace });
  opsUrl = operator.opsUrl;
  operatorLog = operator.process.logPath;
  migrations = new Migrations(admin, namespace);
  await new RouteObjects(admin, namespace).create('istio', 'failing-vs');
});

afterAll(async () => {
  await stack.stop();
  await deleteNamespace(admin, namespace);
  await identity.cleanup();
});

it('a migration whose reconciles fail before any status gets one that says why, and carries on once the cause is gone', async () => {
  await virtualServiceVerbs(['get', 'list', 'watch']);
  await migrations.create('blocked', migrationSpec('istio', 'failing-vs', '/webhook/', [{ setWeight: 100 }], passingAnalysis()));

  // Before the fix: no status at all here (the reconciles failed with a plain Error and backed off).
  const stuck = await migrations.waitFor('blocked', 'a status naming the refused write', (status) => status.conditions?.some((c) => c.type === 'Ready' && c.reason === 'ReconcileError') === true, 20_000);
  expect(stuck.phase).toBe('Pending');
  const ready = stuck.conditions?.find((condition) => condition.type === 'Ready');
  expect(ready?.status).toBe('False');
  expect(ready?.message).toMatch(/VirtualService .*failing-vs.*HTTP 403/u);
  expect(stuck.observedGeneration).toBe(1);

  // Let it fail several times in a row (its backoff grows with each), then give the verb back: it
  // carries on by itself within the backoff (30 s cap) plus a reconcile, without a change to the spec.
  await eventually('8 failed reconciles of blocked', async () => (await reconcileErrors('blocked')) >= 8, 20_000);
  await virtualServiceVerbs(['get', 'list', 'watch', 'patch']);
  const promoted = await migrations.waitFor('blocked', 'Promoted at 100 %', (status) => status.phase === 'Promoted' && status.weight === 100, 50_000);
  expect(promoted.conditions?.find((condition) => condition.type === 'Ready')?.reason).toBe('InSync');
});

it('a problem that needs a spec change, whose status write failed, is retried until it is in status', async () => {
  // The nats provider without NATS configured (this operator has none): ProviderUnavailable, which
  // waits for a spec change. Before the fix, when the status write saying so failed (here 403; in
  // the fuzzer's throttled runs 429), the reconcile counted as done and was never retried: no status.
  await grant('novamigrations/status', ['get']);
  await migrations.create('unreported', { legacy: { service: 'nova-monolith', port: 8099 }, target: { service: 'user-service', port: 8101 }, trafficProvider: { nats: { context: 'user' } }, steps: [{ setWeight: 100 }], ...passingAnalysis() });
  await eventually('the operator failing to write the problem into status', () => readFileSync(operatorLog, 'utf8').split('\n').some((line) => line.includes('could not report a problem in status') && line.includes('/unreported"')), 20_000);
  expect((await migrations.status('unreported')).phase).toBeUndefined();
  await grant('novamigrations/status', ['get', 'patch', 'update']);
  const failed = await migrations.waitFor('unreported', 'Failed, ProviderUnavailable', (status) => status.phase === 'Failed' && status.conditions?.some((c) => c.type === 'Ready' && c.reason === 'ProviderUnavailable') === true, 45_000);
  expect(failed.observedGeneration).toBe(1);
});
