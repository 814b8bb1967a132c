import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { findBinary } from '../binaries.js';
import type { KubeInfo } from '../info.js';
import { pinnedToolVersion } from '../paths.js';
import { freePort } from '../ports.js';
import { SupervisedProcess } from '../process.js';
import type { Stack } from '../stack.js';
import { installCrds, loadCrds } from './crds.js';
import { startEtcd } from './etcd.js';
import { kubeRequest, type KubeCredentials } from './kube-http.js';
import { base64File, createCa, createSigningKey, issueCert } from './pki.js';

/** The pinned release, read from the Go module that builds it (one place to change it). */
export function pinnedKubeVersion(): string {
  return pinnedToolVersion('kube-apiserver', 'k8s.io/kubernetes');
}

/** A self-contained kubeconfig (certificates inlined) for one client certificate. */
export function writeKubeconfig(path: string, credentials: KubeCredentials, user: string): void {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'nova-testbed', cluster: { server: credentials.server, 'certificate-authority-data': base64File(credentials.caFile) } }],
    users: [{ name: user, user: { 'client-certificate-data': base64File(credentials.certFile), 'client-key-data': base64File(credentials.keyFile) } }],
    contexts: [{ name: user, context: { cluster: 'nova-testbed', user } }],
    'current-context': user,
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
}

/**
 * Mints a client certificate for `user` in `groups` (CN and O, as the apiserver reads them) and
 * writes a kubeconfig for it: how tests run the operator under its own RBAC instead of as admin.
 */
export async function writeKubeconfigForUser(kube: KubeInfo, outDir: string, user: string, groups: readonly string[] = []): Promise<string> {
  const name = user.replace(/[^A-Za-z0-9_.-]/g, '_');
  const pair = await issueCert(kube.pkiDir, outDir, { name, commonName: user, organizations: groups, usage: 'clientAuth' });
  const path = join(outDir, `${name}.kubeconfig`);
  writeKubeconfig(path, { server: kube.server, caFile: join(kube.pkiDir, 'ca.crt'), ...pair }, user);
  return path;
}

export interface KubeOptions {
  readonly crdDirs: readonly string[];
  /**
   * Set for a control plane with a kubelet (the node component): the address it binds and
   * advertises (pods reach it there, so not loopback), its Service range, and what a cluster
   * with nodes needs that the API-only test bed leaves out (below).
   */
  readonly forNode?: NodeFacingOptions;
}

export interface NodeFacingOptions {
  readonly address: string;
  readonly serviceCidr: string;
  /** The Service range's first address: the `kubernetes` Service's, in the serving certificate. */
  readonly kubernetesServiceIp: string;
}

/** The apiserver flags that differ between the API-only test bed and a cluster with a node. */
function nodeDependentArgs(forNode: NodeFacingOptions | undefined, kubeletClient: { certFile: string; keyFile: string } | undefined): string[] {
  if (forNode === undefined || kubeletClient === undefined) {
    return [
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1',
      // No kubernetes Service endpoints to keep: a loopback advertise address is refused otherwise.
      '--endpoint-reconciler-type=none',
      '--service-cluster-ip-range=10.0.0.0/24',
      // No controller-manager makes ServiceAccounts here, so admission would refuse every pod.
      '--disable-admission-plugins=ServiceAccount', '--authorization-mode=RBAC',
    ];
  }
  return [
    `--bind-address=${forNode.address}`, `--advertise-address=${forNode.address}`,
    `--service-cluster-ip-range=${forNode.serviceCidr}`,
    // The kubelet authenticates as system:node:<name>; the Node authorizer is what grants it.
    '--authorization-mode=Node,RBAC', '--enable-admission-plugins=NodeRestriction',
    // kubectl logs/exec: the apiserver calls the kubelet with this client certificate, at the
    // node's InternalIP (its name resolves nowhere: "lookup nova-node ... no such host").
    `--kubelet-client-certificate=${kubeletClient.certFile}`, `--kubelet-client-key=${kubeletClient.keyFile}`,
    '--kubelet-preferred-address-types=InternalIP',
  ];
}

/**
 * etcd + kube-apiserver the envtest way (ARCHITECTURE.md): a generated CA, a serving certificate
 * for 127.0.0.1, an admin client certificate in system:masters, RBAC on. Ready once /readyz
 * answers and discovery serves every CRD from `crdDirs`.
 */
export async function startKube(stack: Stack, options: KubeOptions): Promise<KubeInfo> {
  const version = pinnedKubeVersion();
  const binary = findBinary({ name: `kube-apiserver-${version}`, install: 'bash scripts/setup.sh (builds it from tools/kube-apiserver, ~5 min once)' });
  const pkiDir = stack.path('kube', 'pki');
  const [etcd] = await Promise.all([startEtcd(stack), createCa(pkiDir)]);
  const forNode = options.forNode;
  const altNames = ['IP:127.0.0.1', 'DNS:localhost', ...(forNode === undefined ? [] : [
    `IP:${forNode.address}`, `IP:${forNode.kubernetesServiceIp}`,
    'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local',
  ])];
  const [serving, admin, signing, kubeletClient] = await Promise.all([
    issueCert(pkiDir, pkiDir, { name: 'apiserver', commonName: 'kube-apiserver', usage: 'serverAuth', altNames }),
    issueCert(pkiDir, pkiDir, { name: 'admin', commonName: 'nova-admin', organizations: ['system:masters'], usage: 'clientAuth' }),
    createSigningKey(pkiDir),
    forNode === undefined ? undefined
      : issueCert(pkiDir, pkiDir, { name: 'apiserver-kubelet-client', commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usage: 'clientAuth' }),
  ]);
  const port = await freePort();
  const server = `https://${forNode?.address ?? '127.0.0.1'}:${port}`;
  const credentials: KubeCredentials = { server, caFile: join(pkiDir, 'ca.crt'), ...admin };
  await SupervisedProcess.start(stack, {
    name: 'kube-apiserver',
    command: binary,
    args: [
      `--etcd-servers=${etcd.url}`,
      `--secure-port=${port}`,
      ...nodeDependentArgs(forNode, kubeletClient),
      `--cert-dir=${stack.path('kube', 'certs')}`,
      `--tls-cert-file=${serving.certFile}`, `--tls-private-key-file=${serving.keyFile}`,
      `--client-ca-file=${credentials.caFile}`,
      '--allow-privileged=true',
      `--service-account-issuer=${server}/`,
      `--service-account-key-file=${signing.publicKeyFile}`,
      `--service-account-signing-key-file=${signing.privateKeyFile}`,
    ],
    ready: async () => (await kubeRequest(credentials, 'GET', '/readyz')).status === 200,
    readyTimeoutMs: 90_000,
    // Its graceful shutdown drains for seconds; the data is throwaway, so do not wait long.
    stopTimeoutMs: 2_000,
  });
  const kubeconfig = join(stack.path('kube'), 'admin.kubeconfig');
  writeKubeconfig(kubeconfig, credentials, 'nova-admin');
  await installCrds(credentials, loadCrds(options.crdDirs));
  const served = JSON.parse((await kubeRequest(credentials, 'GET', '/version')).body) as { gitVersion?: string };
  return { server, kubeconfig, pkiDir, etcdUrl: etcd.url, version: served.gitVersion ?? version, etcdVersion: etcd.version };
}
