import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeInfo } from '../../info.js';
import { SupervisedProcess } from '../../process.js';
import type { Stack } from '../../stack.js';
import { kubeRequest } from '../kube-http.js';
import { inNode, type Containerd } from './containerd.js';
import { adminCredentials, componentKubeconfig, kubeBinary } from './control-plane.js';

export interface KubeletOptions {
  readonly version: string;
  readonly nodeName: string;
  readonly nodeAddress: string;
  readonly clusterDns: string;
  readonly cgroupRoot: string;
}

/** The KubeletConfiguration: the settings that matter on this kind of machine, each with its reason. */
function kubeletConfiguration(kube: KubeInfo, containerd: Containerd, options: KubeletOptions): Record<string, unknown> {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    containerRuntimeEndpoint: `unix://${containerd.socket}`,
    // These machines have cgroup v1 and no systemd managing cgroups.
    cgroupDriver: 'cgroupfs',
    failCgroupV1: false,
    cgroupRoot: options.cgroupRoot,
    failSwapOn: false,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: join(kube.pkiDir, 'ca.crt') },
    },
    authorization: { mode: 'Webhook' },
    // The kubelet listens inside the node's network namespace only (the apiserver reaches it over the link).
    address: options.nodeAddress,
    healthzBindAddress: '127.0.0.1',
    clusterDNS: [options.clusterDns],
    clusterDomain: 'cluster.local',
    // The machine's disk is shared and often past the default thresholds: the node must not
    // evict the test's pods for a neighbour's files.
    evictionHard: { 'memory.available': '1%', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    imageGCHighThresholdPercent: 100,
    // Pods are created and deleted by tests in seconds: report their status without delay.
    syncFrequency: '10s',
    fileCheckFrequency: '5s',
    nodeStatusUpdateFrequency: '5s',
    // No registry is reachable; pods name images imported into containerd (imagePullPolicy: Never).
    serializeImagePulls: false,
    resolvConf: '',
  };
}

/** Whether the Node has registered and reports Ready (its runtime and network are up). */
async function nodeReady(kube: KubeInfo, nodeName: string): Promise<boolean> {
  const response = await kubeRequest(adminCredentials(kube), 'GET', `/api/v1/nodes/${nodeName}`);
  if (response.status !== 200) return false;
  const node = JSON.parse(response.body) as { status?: { conditions?: { type: string; status: string }[] } };
  return node.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
}

/** The kubelet, inside the node (`inNode`), as system:node:<name>. Ready once its Node reports Ready. */
export async function startKubelet(stack: Stack, kube: KubeInfo, containerd: Containerd, options: KubeletOptions): Promise<SupervisedProcess> {
  const dir = stack.path('node', 'kubelet');
  const kubeconfig = await componentKubeconfig(kube, dir, 'kubelet', `system:node:${options.nodeName}`, ['system:nodes']);
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, stringify(kubeletConfiguration(kube, containerd, options)));
  return SupervisedProcess.start(stack, {
    name: 'kubelet',
    ...inNode(containerd, kubeBinary('kubelet', options.version), [
      `--config=${configPath}`, `--kubeconfig=${kubeconfig}`,
      `--root-dir=${stack.path('node', 'kubelet', 'root')}`,
      `--hostname-override=${options.nodeName}`, `--node-ip=${options.nodeAddress}`,
      `--cert-dir=${stack.path('node', 'kubelet', 'pki')}`,
    ]),
    ready: () => nodeReady(kube, options.nodeName),
    readyTimeoutMs: 120_000,
    stopTimeoutMs: 5_000,
  });
}
