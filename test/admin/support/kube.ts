/**
 * NovaMigrations for the admin panel's migrations page on the test bed's real kube-apiserver: a
 * throwaway namespace, the panel's own identity with exactly the chart's Role (get, list, watch on
 * novamigrations in the namespace, nothing else), and writes of a migration's status as the
 * operator makes them (through the status subresource).
 */
import { CustomObjectsApi, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { component, writeKubeconfigForUser } from '@nova/testbed';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminKubeConfig, createNamespace, deleteNamespace } from '../../operator/support/kube.js';
import { MIGRATIONS } from '../../operator/support/migrations.js';

export interface PanelKube {
  readonly namespace: string;
  /** NOVA_ADMIN_KUBECONFIG and NOVA_ADMIN_MIGRATIONS_NAMESPACE for the panel (and the monolith). */
  readonly env: Readonly<Record<string, string>>;
  /** Creates the stage-8 migration as the examples have it. */
  create(name: string): Promise<void>;
  /** Writes status fields, as the operator does. */
  setStatus(name: string, status: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function panelKube(prefix: string): Promise<PanelKube> {
  const admin = adminKubeConfig();
  const namespace = await createNamespace(admin, prefix);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  const user = `nova-admin-panel-${namespace}`;
  // The chart's Role for the panel (charts/nova/templates/services/rbac.yaml), bound to the panel's identity.
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name: 'admin-panel' }, rules: [{ apiGroups: ['novabot.io'], resources: ['novamigrations'], verbs: ['get', 'list', 'watch'] }] } });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: { metadata: { name: 'admin-panel' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'admin-panel' }, subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }] },
  });
  const dir = mkdtempSync(join(tmpdir(), 'nova-admin-kube-'));
  const kubeconfig = await writeKubeconfigForUser(component('kube'), dir, user);
  const api = admin.makeApiClient(CustomObjectsApi);
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  return {
    namespace,
    env: { NOVA_ADMIN_KUBECONFIG: kubeconfig, NOVA_ADMIN_MIGRATIONS_NAMESPACE: namespace },
    async create(name) {
      const spec = {
        route: { host: 'admin.bot.example.com', pathPrefix: '/admin/' },
        legacy: { service: 'nova-monolith', port: 8099 },
        target: { service: 'admin-panel', port: 8106 },
        trafficProvider: { istio: { virtualService: 'nova' } },
        steps: [{ setWeight: 5 }, { pause: { duration: '10m' } }, { setWeight: 25 }, { pause: {} }, { setWeight: 100 }],
      };
      await api.createNamespacedCustomObject({ ...MIGRATIONS, namespace, body: { apiVersion: 'novabot.io/v1alpha1', kind: 'NovaMigration', metadata: { name, labels: { 'novabot.io/stage': '8' } }, spec } });
    },
    async setStatus(name, status) {
      await api.patchNamespacedCustomObjectStatus({ ...MIGRATIONS, namespace, name, body: { status } }, merge);
    },
    async close() {
      await deleteNamespace(admin, namespace);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
