/**
 * Upgrading a release of the chart from the shared database login to a login per deployable
 * (docs/packaging.md, "One database login per deployable"; issue 18's "after"), with helm against the
 * real kube-apiserver of the test bed: `helm install` with the defaults (every deployable on the shared
 * `nova-postgresql` login), then `helm upgrade` with the migration login and a runtime login for each
 * service, then `helm rollback`. No kubelet runs the pods here (test/cluster has the one-node cluster),
 * so what is checked is what the apiserver stores and a kubelet would read:
 * - each service's Deployment takes NOVA_DATABASE_* from its own Secret, every deployable with a
 *   database NOVA_MIGRATION_DATABASE_* from the migration login's; the monolith keeps the shared runtime
 *   login; the deployables without a database get neither;
 * - every Secret and key any Deployment refers to exists (a missing one stops the pod with
 *   CreateContainerConfigError, which no test here would otherwise see);
 * - nothing else changed: the same objects, and every one of them equal but for those variables;
 * - the rollback gives back exactly the shared-login Deployments;
 * - the same upgrade typed as `helm upgrade --reuse-values --set ...` (one service) works too.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppsV1Api, CoreV1Api, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { component, runOk } from '@nova/testbed';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { adminKubeConfig, createNamespace, deleteNamespace } from '../operator/support/kube.js';
import { CHART_DIR, helmBinary, parseObjects } from './support/chart.js';

const SERVICES = ['user-service', 'bot-service', 'publisher-service', 'payment-service', 'admin-panel'] as const;
const RELEASE = 'nova';

/** docs/packaging.md's values: the migration login, and each service's own runtime login (bot-service's as a whole URL). */
const PER_DEPLOYABLE = {
  postgresql: { migration: { existingSecret: 'nova-db-migrator', user: 'nova_migrator' } },
  services: Object.fromEntries(SERVICES.map((name) => [name, {
    database: name === 'bot-service' ? { existingSecret: `nova-db-${name}`, urlKey: 'url' } : { existingSecret: `nova-db-${name}`, user: `nova_${name.replace('-', '_')}` },
  }])),
};

let admin: KubeConfig;
let namespace: string;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  admin = adminKubeConfig();
  namespace = await createNamespace(admin, 'chartlogins');
  dir = mkdtempSync(join(tmpdir(), 'nova-chart-logins-'));
  const { kubeconfig: configured } = component('kube');
  kubeconfig = existsSync(configured) ? configured : join(dir, 'kubeconfig');
  if (kubeconfig !== configured) writeFileSync(kubeconfig, configured, { mode: 0o600 });
  // The SRE's Secrets, made before helm as packaging.md says (the chart refers to them, never makes them).
  const core = admin.makeApiClient(CoreV1Api);
  const secret = (name: string, data: Record<string, string>) => core.createNamespacedSecret({ namespace, body: { metadata: { name }, stringData: data } });
  await secret('nova-postgresql', { password: 'shared' });
  await secret('nova-secrets', { 'main-bot-token': '1:x', 'webhook-secret': 'w', 'token-encryption-key': 'k'.repeat(44), 'admin-session-key': 's'.repeat(44) });
  await secret('nova-db-migrator', { password: 'migrator' });
  for (const name of SERVICES) await secret(`nova-db-${name}`, name === 'bot-service' ? { url: 'postgresql://nova_bot_service:b@postgresql/nova' } : { password: name });
});

afterAll(async () => {
  await runOk(helmBinary(), ['--kubeconfig', kubeconfig, 'uninstall', RELEASE, '-n', namespace]).catch(() => undefined);
  await deleteNamespace(admin, namespace);
  rmSync(dir, { recursive: true, force: true });
});

/** helm against the test bed's apiserver, in this file's namespace; `values` as a file, as a user passes them. */
async function helm(args: readonly string[], values?: Record<string, unknown>): Promise<string> {
  const file = join(dir, 'values.yaml');
  if (values !== undefined) writeFileSync(file, stringify(values));
  return runOk(helmBinary(), ['--kubeconfig', kubeconfig, ...args, '-n', namespace, ...(values === undefined ? [] : ['-f', file])]);
}

/** The release's objects as helm applied them (its manifest), every Deployment's database variables left out. */
async function releaseObjects(): Promise<Record<string, unknown>> {
  const objects = parseObjects(await helm(['get', 'manifest', RELEASE]));
  return Object.fromEntries(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o.kind === 'Deployment' ? withoutDatabaseEnv(o as V1Deployment) : o]));
}

async function deployments(): Promise<Map<string, V1Deployment>> {
  const list = await admin.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace });
  return new Map(list.items.map((d) => [d.metadata?.name ?? '', d]));
}

/** A Deployment's pod spec without its database variables, for "nothing else changed". */
function withoutDatabaseEnv(deployment: V1Deployment | undefined): unknown {
  const template = structuredClone(deployment?.spec?.template);
  for (const container of template?.spec?.containers ?? []) container.env = (container.env ?? []).filter((e) => !e.name.includes('DATABASE'));
  return { replicas: deployment?.spec?.replicas, selector: deployment?.spec?.selector, strategy: deployment?.spec?.strategy, template };
}

function databaseEnv(deployment: V1Deployment | undefined): Record<string, unknown> {
  const env = (deployment?.spec?.template.spec?.containers[0]?.env ?? []).filter((e) => e.name.includes('DATABASE'));
  return Object.fromEntries(env.map((e) => [e.name, e.valueFrom?.secretKeyRef === undefined ? e.value : { name: e.valueFrom.secretKeyRef.name, key: e.valueFrom.secretKeyRef.key }]));
}

/** Each Secret key any container of any Deployment refers to that the namespace does not have. */
async function missingSecretKeys(all: Map<string, V1Deployment>): Promise<string[]> {
  const secrets = (await admin.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace })).items;
  const missing: string[] = [];
  for (const [name, deployment] of all) {
    for (const container of deployment.spec?.template.spec?.containers ?? []) {
      for (const ref of (container.env ?? []).map((e) => e.valueFrom?.secretKeyRef).filter((r) => r !== undefined)) {
        const secret = secrets.find((s) => s.metadata?.name === ref.name);
        if (secret?.data?.[ref.key] === undefined) missing.push(`${name}: ${ref.name}/${ref.key}`);
      }
    }
  }
  return missing;
}

describe('the chart upgraded from the shared login to a login per deployable', () => {
  it('changes each deployable\'s database variables only, every Secret they name exists, rolls back to the shared login, and upgrades with --reuse-values --set', async () => {
    await helm(['install', RELEASE, CHART_DIR, '--skip-crds'], {});
    const objectsBefore = await releaseObjects();
    const before = await deployments();
    expect(await missingSecretKeys(before)).toEqual([]);

    await helm(['upgrade', RELEASE, CHART_DIR, '--skip-crds'], PER_DEPLOYABLE);
    const after = await deployments();
    expect(await releaseObjects()).toEqual(objectsBefore);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const HOST = '@postgresql.postgresql.svc.cluster.local:5432/nova?sslmode=prefer';
    const migration = {
      NOVA_MIGRATION_DATABASE_PASSWORD: { name: 'nova-db-migrator', key: 'password' },
      NOVA_MIGRATION_DATABASE_URL: `postgresql://nova_migrator:$(NOVA_MIGRATION_DATABASE_PASSWORD)${HOST}`,
    };
    const shared = { NOVA_DATABASE_PASSWORD: { name: 'nova-postgresql', key: 'password' }, NOVA_DATABASE_URL: `postgresql://nova:$(NOVA_DATABASE_PASSWORD)${HOST}` };
    for (const name of SERVICES) {
      const own = name === 'bot-service'
        ? { NOVA_DATABASE_URL: { name: 'nova-db-bot-service', key: 'url' } }
        : { NOVA_DATABASE_PASSWORD: { name: `nova-db-${name}`, key: 'password' }, NOVA_DATABASE_URL: `postgresql://nova_${name.replace('-', '_')}:$(NOVA_DATABASE_PASSWORD)${HOST}` };
      expect([name, databaseEnv(before.get(name))]).toEqual([name, shared]);
      expect([name, databaseEnv(after.get(name))]).toEqual([name, { ...own, ...migration }]);
    }
    expect(databaseEnv(after.get('nova-monolith'))).toEqual({ ...shared, ...migration });
    for (const name of ['webhook-gateway', 'notification-service', 'nova-operator']) expect([name, databaseEnv(after.get(name))]).toEqual([name, {}]);
    for (const [name, deployment] of after) expect([name, withoutDatabaseEnv(deployment)]).toEqual([name, withoutDatabaseEnv(before.get(name))]);
    expect(await missingSecretKeys(after)).toEqual([]);

    await helm(['rollback', RELEASE, '1']);
    const rolledBack = await deployments();
    for (const [name, deployment] of rolledBack) expect([name, databaseEnv(deployment), withoutDatabaseEnv(deployment)]).toEqual([name, databaseEnv(before.get(name)), withoutDatabaseEnv(before.get(name))]);

    // The same upgrade as an SRE often types it, over the release's stored values: --reuse-values
    // with --set, the deployable's `database: true` becoming an object (packaging.md's helm install lines).
    await helm(['upgrade', RELEASE, CHART_DIR, '--skip-crds', '--reuse-values',
      '--set', 'postgresql.migration.existingSecret=nova-db-migrator', '--set', 'postgresql.migration.user=nova_migrator',
      '--set', 'services.user-service.database.existingSecret=nova-db-user-service', '--set', 'services.user-service.database.user=nova_user_service']);
    const set = await deployments();
    expect(databaseEnv(set.get('user-service'))).toEqual({
      NOVA_DATABASE_PASSWORD: { name: 'nova-db-user-service', key: 'password' },
      NOVA_DATABASE_URL: `postgresql://nova_user_service:$(NOVA_DATABASE_PASSWORD)${HOST}`,
      ...migration,
    });
    expect(databaseEnv(set.get('bot-service'))).toEqual({ ...shared, ...migration });
    expect(await missingSecretKeys(set)).toEqual([]);
  });
});
