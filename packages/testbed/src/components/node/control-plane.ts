import { join } from 'node:path';
import { findBinary } from '../../binaries.js';
import type { KubeInfo } from '../../info.js';
import { SupervisedProcess } from '../../process.js';
import type { Stack } from '../../stack.js';
import { kubeRequest, type KubeCredentials } from '../kube-http.js';
import { writeKubeconfig } from '../kube.js';
import { issueCert } from '../pki.js';

export const NODE_BINARY_INSTALL = 'bash scripts/setup.d/33-node.sh (or: bash scripts/setup.sh; ~20 min cold, once)';

/** A binary of the pinned Kubernetes release that scripts/setup.d/33-node.sh builds. */
export function kubeBinary(name: string, version: string): string {
  return findBinary({ name: `${name}-${version}`, install: NODE_BINARY_INSTALL });
}

/**
 * A kubeconfig for one of Kubernetes' own users (system:kube-scheduler, system:node:<name>...):
 * the apiserver's default RBAC (and the Node authorizer) grant each exactly what it needs, so
 * the node runs with the permissions a real cluster gives it, not as an administrator.
 */
export async function componentKubeconfig(kube: KubeInfo, dir: string, name: string, user: string, groups: readonly string[] = []): Promise<string> {
  const pair = await issueCert(kube.pkiDir, dir, { name, commonName: user, organizations: groups, usage: 'clientAuth' });
  const path = join(dir, `${name}.kubeconfig`);
  writeKubeconfig(path, { server: kube.server, caFile: join(kube.pkiDir, 'ca.crt'), ...pair }, user);
  return path;
}

/** The admin credentials of the node's control plane (for the test bed's own readiness checks). */
export function adminCredentials(kube: KubeInfo): KubeCredentials {
  return { server: kube.server, caFile: join(kube.pkiDir, 'ca.crt'), certFile: join(kube.pkiDir, 'admin.crt'), keyFile: join(kube.pkiDir, 'admin.key') };
}

/** Whether the Lease `name` in kube-system has a holder: a leader-elected controller is at work. */
async function leaseHeld(admin: KubeCredentials, name: string): Promise<boolean> {
  const response = await kubeRequest(admin, 'GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`);
  if (response.status !== 200) return false;
  const lease = JSON.parse(response.body) as { spec?: { holderIdentity?: string } };
  return (lease.spec?.holderIdentity ?? '') !== '';
}

export interface ControlPlaneOptions {
  readonly version: string;
  readonly clusterCidr: string;
  readonly serviceCidr: string;
}

/**
 * kube-controller-manager and kube-scheduler beside the test bed's apiserver, each under its own
 * user. Ready once each holds its leader Lease (the state that says it is working, read from the
 * apiserver), and the controller-manager has made the `default` ServiceAccount (pods are refused
 * without it).
 */
export async function startControlPlane(stack: Stack, kube: KubeInfo, options: ControlPlaneOptions): Promise<void> {
  const dir = stack.path('node', 'control-plane');
  const admin = adminCredentials(kube);
  const [controllerManagerConfig, schedulerConfig] = await Promise.all([
    componentKubeconfig(kube, dir, 'controller-manager', 'system:kube-controller-manager'),
    componentKubeconfig(kube, dir, 'scheduler', 'system:kube-scheduler'),
  ]);
  await Promise.all([
    SupervisedProcess.start(stack, {
      name: 'kube-controller-manager',
      command: kubeBinary('kube-controller-manager', options.version),
      args: [
        `--kubeconfig=${controllerManagerConfig}`,
        // No health endpoint needed: readiness is read from the apiserver (the Lease).
        '--secure-port=0',
        // The pods' /24 comes from here (the kubelet reads it from its Node's spec.podCIDR).
        '--allocate-node-cidrs=true', `--cluster-cidr=${options.clusterCidr}`, '--node-cidr-mask-size=24',
        `--service-cluster-ip-range=${options.serviceCidr}`,
        // kube-root-ca.crt in every namespace (projected service-account volumes need it) and the
        // legacy token controller's key.
        `--root-ca-file=${join(kube.pkiDir, 'ca.crt')}`,
        `--service-account-private-key-file=${join(kube.pkiDir, 'sa.key')}`,
        '--use-service-account-credentials=true',
        `--cert-dir=${stack.path('node', 'control-plane', 'controller-manager-certs')}`,
      ],
      ready: async () => await leaseHeld(admin, 'kube-controller-manager')
        && (await kubeRequest(admin, 'GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
      readyTimeoutMs: 120_000,
    }),
    SupervisedProcess.start(stack, {
      name: 'kube-scheduler',
      command: kubeBinary('kube-scheduler', options.version),
      args: [
        `--kubeconfig=${schedulerConfig}`,
        // No health endpoint needed: readiness is read from the apiserver (the Lease).
        '--secure-port=0',
      ],
      ready: () => leaseHeld(admin, 'kube-scheduler'),
      readyTimeoutMs: 120_000,
    }),
  ]);
}
