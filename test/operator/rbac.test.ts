/**
 * The operator's RBAC (operator/rbac/*.yaml) on a real apiserver: the runtime, run as a user
 * bound to exactly those roles, syncs its cache, wins the Lease, adds its finalizer, writes
 * status, records events and serves metrics; and the same user is refused what the roles leave
 * out (Secrets, deleting migrations, Leases elsewhere).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ApiextensionsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  V1Lease,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { httpStatus } from '../../operator/src/kube/api-errors.js';
import { setCondition, type Condition } from '../../operator/src/kube/conditions.js';
import { EventRecorder } from '../../operator/src/kube/events.js';
import { Finalizers, hasFinalizer, isBeingDeleted } from '../../operator/src/kube/finalizers.js';
import { ResilientInformer } from '../../operator/src/kube/informer.js';
import { collectionPath, keyOf, parseQueueKey, type ResourceType } from '../../operator/src/kube/resource.js';
import { StatusWriter } from '../../operator/src/kube/status-writer.js';
import { Manager } from '../../operator/src/runtime/manager.js';
import { OperatorMetrics } from '../../operator/src/runtime/metrics.js';
import { adminKubeConfig, createNamespace, deleteCrd, deleteNamespace, eventually, installCrd, suffix, type TestCrd } from './support/kube.js';
import { kubeConfigForUser } from './support/identity.js';

const RBAC_DIR = new URL('../../operator/rbac/', import.meta.url);
const MIGRATIONS: ResourceType = { group: 'novabot.io', version: 'v1alpha1', plural: 'novamigrations', kind: 'NovaMigration' };
const CRD: TestCrd = { ...MIGRATIONS, name: 'novamigrations.novabot.io' };
const FINALIZER = 'novabot.io/runtime-test';

type Migration = KubernetesObject & { spec?: Record<string, unknown>; status?: { conditions?: Condition[]; observedGeneration?: number } };

let admin: KubeConfig;
let operator: KubeConfig;
let operatorNamespace: string;
let appNamespace: string;
let installedPlaceholderCrd = false;
const user = `nova-operator-test-${suffix()}`;
const cleanup: (() => Promise<unknown>)[] = [];

/** Parsed YAML: plain objects, so they can be copied with a new name. */
interface RbacDocument extends KubernetesObject {
  readonly metadata?: Readonly<Record<string, unknown>>;
}

function rbacDocuments(file: string): RbacDocument[] {
  return parseAllDocuments(readFileSync(new URL(file, RBAC_DIR), 'utf8')).map((doc) => doc.toJS() as RbacDocument);
}

async function apply(object: KubernetesObject): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(admin);
  await api.create(object);
  cleanup.push(() => api.delete(object).catch(() => undefined));
}

/** The real CRD when the test bed installed crds/; otherwise a stand-in with the same names. */
async function ensureMigrationCrd(): Promise<void> {
  try {
    await admin.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: CRD.name });
  } catch (error) {
    if (httpStatus(error) !== 404) throw error;
    await installCrd(admin, CRD);
    installedPlaceholderCrd = true;
  }
}

/** A minimal valid NovaMigration: the first one in examples/stages when the real CRD validates, else any spec. */
function migrationBody(name: string): Migration {
  let spec: Record<string, unknown> = { placeholder: true };
  if (!installedPlaceholderCrd) {
    const example = new URL('../../examples/stages/stage-1-webhook-gateway-istio.yaml', import.meta.url);
    const doc = parseAllDocuments(readFileSync(example, 'utf8')).map((d) => d.toJS() as Migration).find((d) => d.kind === 'NovaMigration');
    if (doc?.spec === undefined) throw new Error(`no NovaMigration in ${example.pathname} to create under the real CRD`);
    spec = doc.spec;
  }
  return { apiVersion: 'novabot.io/v1alpha1', kind: 'NovaMigration', metadata: { name, namespace: appNamespace }, spec };
}

beforeAll(async () => {
  admin = adminKubeConfig();
  operatorNamespace = await createNamespace(admin, 'nova-system');
  appNamespace = await createNamespace(admin, 'apps');
  await ensureMigrationCrd();
  const [clusterRole] = rbacDocuments('clusterrole.yaml');
  const [role] = rbacDocuments('leader-election-role.yaml');
  if (clusterRole?.metadata === undefined || role?.metadata === undefined) throw new Error('operator/rbac is missing its roles');
  const clusterRoleName = `nova-operator-${suffix()}`;
  await apply({ ...clusterRole, metadata: { ...clusterRole.metadata, name: clusterRoleName } });
  await apply({ ...role, metadata: { ...role.metadata, namespace: operatorNamespace } });
  const subjects = [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }];
  await apply({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: clusterRoleName },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRoleName }, subjects,
  } as KubernetesObject);
  await apply({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'nova-operator-leader-election', namespace: operatorNamespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name }, subjects,
  } as KubernetesObject);
  operator = kubeConfigForUser(admin, user);
});

afterAll(async () => {
  for (const undo of cleanup.reverse()) await undo();
  await deleteNamespace(admin, appNamespace);
  await deleteNamespace(admin, operatorNamespace);
  if (installedPlaceholderCrd) await deleteCrd(admin, CRD);
});

describe('the operator runtime under its own RBAC', () => {
  it('reconciles as a non-admin identity: lease, cache, finalizer, status, events, metrics, graceful stop', async () => {
    const custom = operator.makeApiClient(CustomObjectsApi);
    const metrics = new OperatorMetrics({ processMetrics: false });
    const informer = new ResilientInformer<Migration>({
      kubeConfig: operator,
      name: 'novamigrations',
      path: collectionPath(MIGRATIONS),
      list: async () => (await custom.listClusterCustomObject({ ...MIGRATIONS })) as { items: Migration[] },
    });
    const status = new StatusWriter(operator, MIGRATIONS);
    const finalizers = new Finalizers(operator, MIGRATIONS);
    const events = new EventRecorder({ kubeConfig: operator, reportingController: 'novabot.io/nova-operator', reportingInstance: user });
    const reconcile = async (key: string): Promise<undefined> => {
      const { namespace, name } = parseQueueKey(key);
      let migration = informer.get(namespace, name);
      if (migration === undefined) {
        metrics.forgetMigration(namespace, name);
        return undefined;
      }
      if (isBeingDeleted(migration)) {
        if (hasFinalizer(migration, FINALIZER)) await finalizers.remove(migration, FINALIZER);
        return undefined;
      }
      migration = await finalizers.add(migration, FINALIZER);
      const generation = migration.metadata?.generation ?? 0;
      const conditions = setCondition(migration.status?.conditions, { type: 'Ready', status: 'True', reason: 'Reconciled', message: 'runtime test', observedGeneration: generation }, Date.now());
      migration = await status.write(migration, { phase: 'Progressing', conditions });
      await events.record(migration, { type: 'Normal', reason: 'Reconciled', action: 'Reconcile', note: `generation ${generation}` });
      const { namespace: ns, name: n } = keyOf(migration);
      metrics.setMigration(ns, n, { phase: 'Progressing', weight: 0, step: 0 });
      return undefined;
    };
    const manager = new Manager({
      kubeConfig: operator,
      leaseNamespace: operatorNamespace,
      leaseName: 'nova-operator',
      identity: user,
      // The production lease (15 s / 10 s / 2 s): this test is about permissions, not hand-over
      // (leader.test.ts times that). With a 2 s renew deadline a machine at load 30 can lose the
      // lease mid-test, and then nothing reconciles: a run here timed out waiting for the status,
      // as that would. The first acquisition is immediate either way.
      informers: [informer],
      controllers: [{ name: 'novamigrations', reconcile, watches: [{ informer: informer }] }],
      metrics,
      http: { host: '127.0.0.1', port: 0 },
    });
    const url = await manager.start();
    try {
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      await eventually('the operator leads', () => manager.isLeader());
      const lease: V1Lease = await admin.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: operatorNamespace, name: 'nova-operator' });
      expect(lease.spec?.holderIdentity).toBe(user);

      const adminCustom = admin.makeApiClient(CustomObjectsApi);
      await adminCustom.createNamespacedCustomObject({ ...MIGRATIONS, namespace: appNamespace, body: migrationBody('m1') });
      const read = async (): Promise<Migration> => (await adminCustom.getNamespacedCustomObject({ ...MIGRATIONS, namespace: appNamespace, name: 'm1' })) as Migration;
      await eventually('status written with observedGeneration', async () => {
        const m = await read();
        return m.status?.observedGeneration === m.metadata?.generation && m.status?.conditions?.[0]?.status === 'True';
      });
      expect((await read()).metadata?.finalizers).toEqual([FINALIZER]);
      // Events are written in the background, after the status; the gauges follow the reconcile.
      await eventually('a Reconciled event by the operator\'s own user', async () => {
        const recorded = await admin.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: appNamespace, fieldSelector: 'regarding.name=m1' });
        return recorded.items.some((e) => e.reason === 'Reconciled' && e.reportingInstance === user);
      });
      await eventually('the reconcile counted in the metrics', async () => /nova_reconcile_duration_seconds_count\{controller="novamigrations",result="success"\} [1-9]/u.test(await (await fetch(`${url}/metrics`)).text()));

      const scraped = await (await fetch(`${url}/metrics`)).text();
      expect(scraped).toContain(`nova_migration_weight{namespace="${appNamespace}",name="m1"} 0`);
      expect(scraped).toContain(`nova_migration_phase{namespace="${appNamespace}",name="m1",phase="Progressing"} 1`);
      expect(scraped).toMatch(/nova_reconcile_duration_seconds_count\{controller="novamigrations",result="success"\} [1-9]/u);
      expect(scraped).toMatch(/^nova_leader 1$/mu);

      // Deleting waits for the operator's finalizer, which it removes.
      await adminCustom.deleteNamespacedCustomObject({ ...MIGRATIONS, namespace: appNamespace, name: 'm1' });
      await eventually('the migration is gone after its finalizer was removed', async () => {
        try {
          await read();
          return false;
        } catch (error) {
          return httpStatus(error) === 404;
        }
      });
    } finally {
      await manager.shutdown();
    }
    expect(await manager.done()).toBe('stopped');
    const released = await admin.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: operatorNamespace, name: 'nova-operator' });
    expect(released.spec?.holderIdentity ?? '').toBe('');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('is refused what its roles leave out', async () => {
    const adminCore = admin.makeApiClient(CoreV1Api);
    await adminCore.createNamespacedSecret({ namespace: appNamespace, body: { metadata: { name: 'keep-out' }, stringData: { token: 'x' } } });
    const core = operator.makeApiClient(CoreV1Api);
    const refusals = await Promise.all([
      core.deleteNamespacedSecret({ namespace: appNamespace, name: 'keep-out' }).then(() => 200, httpStatus),
      core.listNamespacedSecret({ namespace: appNamespace }).then(() => 200, httpStatus),
      core.listNamespacedConfigMap({ namespace: appNamespace }).then(() => 200, httpStatus),
      operator.makeApiClient(CustomObjectsApi).deleteCollectionNamespacedCustomObject({ ...MIGRATIONS, namespace: appNamespace }).then(() => 200, httpStatus),
      operator
        .makeApiClient(CoordinationV1Api)
        .createNamespacedLease({ namespace: appNamespace, body: { metadata: { name: 'nova-operator' }, spec: { holderIdentity: user } } })
        .then(() => 200, httpStatus),
      operator
        .makeApiClient(CoordinationV1Api)
        .patchNamespacedLease(
          { namespace: operatorNamespace, name: 'someone-elses', body: { spec: { holderIdentity: user } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        )
        .then(() => 200, httpStatus),
    ]);
    expect(refusals).toEqual([403, 403, 403, 403, 403, 403]);
    // And the Secret is still there.
    expect((await adminCore.readNamespacedSecret({ namespace: appNamespace, name: 'keep-out' })).metadata?.name).toBe('keep-out');
  });
});
