import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBinary } from '../../binaries.js';
import type { KubeInfo } from '../../info.js';
import { pinnedToolVersion } from '../../paths.js';
import { SupervisedProcess } from '../../process.js';
import type { Stack } from '../../stack.js';
import { httpOk } from '../../wait.js';
import { inNode, type Containerd } from './containerd.js';
import { componentKubeconfig, NODE_BINARY_INSTALL } from './control-plane.js';

/**
 * The cluster's DNS: CoreDNS as a process in the node's network namespace, serving on the node's
 * address (the kubelet's clusterDNS), reading Services and Endpoints as a user given read access
 * by a ClusterRole the caller creates (`system:coredns`, as kubeadm names it). No forwarding: the
 * cluster has no outside network.
 */
export async function startCoreDns(stack: Stack, kube: KubeInfo, containerd: Containerd, listenAddress: string): Promise<SupervisedProcess> {
  const version = pinnedToolVersion('coredns', 'github.com/coredns/coredns');
  const binary = findBinary({ name: `coredns-${version}`, install: NODE_BINARY_INSTALL });
  const dir = stack.path('node', 'coredns');
  const kubeconfig = await componentKubeconfig(kube, dir, 'coredns', 'system:coredns');
  const corefile = join(dir, 'Corefile');
  writeFileSync(corefile, `.:53 {
    errors
    health ${listenAddress}:8080
    ready ${listenAddress}:8181
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 30
    loadbalance
}
`);
  return SupervisedProcess.start(stack, {
    name: 'coredns',
    ...inNode(containerd, binary, ['-conf', corefile]),
    cwd: dir,
    // /ready answers 200 once the kubernetes plugin has synced its first list.
    ready: () => httpOk(`http://${listenAddress}:8181/ready`),
    readyTimeoutMs: 60_000,
  });
}
