import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeInfo } from '../../info.js';
import { SupervisedProcess } from '../../process.js';
import type { Stack } from '../../stack.js';
import { inNode, type Containerd } from './containerd.js';
import { componentKubeconfig, kubeBinary } from './control-plane.js';
import { hostCommand } from './host-command.js';

export interface KubeProxyOptions {
  readonly version: string;
  readonly nodeName: string;
  readonly clusterCidr: string;
}

/**
 * kube-proxy in iptables mode inside the node's network namespace: its rules are that
 * namespace's, never the machine's. Ready once the `kubernetes` Service has its rule there.
 */
export async function startKubeProxy(stack: Stack, kube: KubeInfo, containerd: Containerd, options: KubeProxyOptions): Promise<SupervisedProcess> {
  const dir = stack.path('node', 'kube-proxy');
  const kubeconfig = await componentKubeconfig(kube, dir, 'kube-proxy', 'system:kube-proxy');
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clientConnection: { kubeconfig },
    hostnameOverride: options.nodeName,
    clusterCIDR: options.clusterCidr,
    // 0 leaves the kernel's conntrack settings alone: nf_conntrack_max is not per namespace, and
    // raising it would change the machine for everyone; the timeouts stay as they are too.
    conntrack: { maxPerCore: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    metricsBindAddress: '127.0.0.1:10249',
    healthzBindAddress: '127.0.0.1:10256',
  }));
  return SupervisedProcess.start(stack, {
    name: 'kube-proxy',
    ...inNode(containerd, kubeBinary('kube-proxy', options.version), [`--config=${configPath}`]),
    ready: async () => {
      const save = inNode(containerd, 'iptables-save', ['-t', 'nat']);
      const rules = await hostCommand('read the node iptables', save.command, save.args);
      return rules.includes('default/kubernetes:https');
    },
    readyTimeoutMs: 60_000,
  });
}
