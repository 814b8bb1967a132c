import { randomBytes } from 'node:crypto';
import { findBinary } from '../../binaries.js';
import type { KubeInfo } from '../../info.js';
import { pinnedToolVersion } from '../../paths.js';
import type { Stack } from '../../stack.js';
import { kubeRequest } from '../kube-http.js';
import { pinnedKubeVersion, startKube } from '../kube.js';
import { createCgroupRoot, nodeCgroupName, removeCgroupRoot } from './cgroups.js';
import { CONTAINERD_VERSION, importImage, inNode, startContainerd, type Containerd } from './containerd.js';
import { hostCommand } from './host-command.js';
import { adminCredentials, kubeBinary, NODE_BINARY_INSTALL, startControlPlane } from './control-plane.js';
import { startCoreDns } from './coredns.js';
import { startKubeProxy } from './kube-proxy.js';
import { startKubelet } from './kubelet.js';
import { createNodeLink } from './link.js';
import { buildPauseImage } from './pause-image.js';

/** What a started node tells its test: its control plane, its addresses, and how to give it images. */
export interface NodeInfo {
  /** The node's own control plane (not the test bed's shared one): admin kubeconfig, PKI. */
  readonly kube: KubeInfo;
  readonly nodeName: string;
  /** The node's InternalIP (the node end of the link): NodePorts and hostPorts answer here. */
  readonly nodeAddress: string;
  /** The host end of the link: the apiserver's address. */
  readonly hostAddress: string;
  readonly podCidr: string;
  readonly serviceCidr: string;
  /** The cluster DNS the kubelet gives pods (CoreDNS on the node's address). */
  readonly clusterDns: string;
  readonly versions: { readonly kubernetes: string; readonly containerd: string; readonly coredns: string };
}

export interface NodeCluster {
  readonly info: NodeInfo;
  /** Imports a docker-archive (`buildah push <image> docker-archive:<file>:<image>`) for pods to run with imagePullPolicy Never. */
  importImage(archive: string, name: string): Promise<void>;
  /** Runs a command inside the node (its PID, network and mount namespaces) and returns its stdout: e.g. `iptables-save`. */
  runInNode(command: string, args: readonly string[]): Promise<string>;
  /**
   * The command line that runs `command` inside the node (its PID, network and mount namespaces),
   * for a long-lived process a test supervises itself (`SupervisedProcess.start(stack, { name,
   * ...node.commandInNode(binary, args) })`): e.g. a Prometheus that scrapes the pods' addresses,
   * which exist only in there. It dies with the node, whatever becomes of its supervisor.
   */
  commandInNode(command: string, args: readonly string[]): { command: string; args: string[] };
}

/**
 * The pods' and Services' ranges. Both exist only inside the node's network namespace (the
 * bridge and kube-proxy's rules are there), so they cannot clash with the machine or with
 * another node component running beside this one.
 */
const POD_CIDR = '10.244.0.0/16';
const NODE_POD_CIDR = '10.244.0.0/24';
const SERVICE_CIDR = '10.96.0.0/16';
const KUBERNETES_SERVICE_IP = '10.96.0.1';
const NODE_NAME = 'nova-node';

/** Fails at once, naming the set-up step, when a binary the node needs was never built. */
function checkBinaries(version: string): void {
  for (const name of ['kubelet', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy']) kubeBinary(name, version);
  findBinary({ name: `containerd-${CONTAINERD_VERSION}/containerd-shim-runc-v2`, install: NODE_BINARY_INSTALL });
  findBinary({ name: `coredns-${pinnedToolVersion('coredns', 'github.com/coredns/coredns')}`, install: NODE_BINARY_INSTALL });
  for (const name of ['unshare', 'nsenter', 'ip', 'iptables-save']) findBinary({ name, install: 'apt-get install util-linux iproute2 iptables' });
}

/** kubeadm's system:coredns role: CoreDNS reads Services, EndpointSlices, Pods and Namespaces. */
async function grantCoreDns(kube: KubeInfo): Promise<void> {
  const admin = adminCredentials(kube);
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:coredns' },
    rules: [
      { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ],
  };
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'system:coredns' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:coredns' }],
  };
  for (const [path, body] of [['/apis/rbac.authorization.k8s.io/v1/clusterroles', role], ['/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', binding]] as const) {
    const response = await kubeRequest(admin, 'POST', path, body);
    if (response.status !== 201 && response.status !== 409) throw new Error(`node component: creating ${body.kind} system:coredns answered ${String(response.status)}: ${response.body.slice(0, 500)}`);
  }
}

/**
 * A one-node Kubernetes cluster of real components (issue 23): etcd and kube-apiserver (the test
 * bed's kube component, bound to the link's host end), kube-controller-manager, kube-scheduler,
 * containerd, the kubelet, kube-proxy and CoreDNS, each a supervised process of `stack`, which
 * must be a stack of its own (its etcd and apiserver use the stack's `etcd` and `kube` folders).
 * Ready when the Node is Ready, kube-proxy has programmed the `kubernetes` Service and CoreDNS
 * answers. Needs root (namespaces, mounts, cgroups); changes nothing on the machine but a veth
 * pair and a cgroup folder per hierarchy, both removed at stop.
 */
export async function startNode(stack: Stack): Promise<NodeCluster> {
  const version = pinnedKubeVersion();
  checkBinaries(version);
  const id = randomBytes(4).toString('hex');
  const cgroupRoot = nodeCgroupName(stack.dir);
  createCgroupRoot(cgroupRoot);
  stack.afterStop(() => removeCgroupRoot(cgroupRoot));
  const pause = await buildPauseImage(stack);
  const containerd: Containerd = await startContainerd(stack, { pauseImage: pause.name, podCidr: NODE_POD_CIDR });
  const { link, remove } = await createNodeLink(containerd.namespacePid, containerd.netnsPath, id);
  stack.afterStop(remove);
  const kube = await startKube(stack, {
    crdDirs: [],
    forNode: { address: link.hostAddress, serviceCidr: SERVICE_CIDR, kubernetesServiceIp: KUBERNETES_SERVICE_IP },
  });
  await Promise.all([
    importImage(containerd, pause.archive, pause.name),
    startControlPlane(stack, kube, { version, clusterCidr: POD_CIDR, serviceCidr: SERVICE_CIDR }),
    grantCoreDns(kube),
  ]);
  await Promise.all([
    startKubelet(stack, kube, containerd, { version, nodeName: NODE_NAME, nodeAddress: link.nodeAddress, clusterDns: link.nodeAddress, cgroupRoot: `/${cgroupRoot}` }),
    startKubeProxy(stack, kube, containerd, { version, nodeName: NODE_NAME, clusterCidr: POD_CIDR }),
    startCoreDns(stack, kube, containerd, link.nodeAddress),
  ]);
  const info: NodeInfo = {
    kube,
    nodeName: NODE_NAME,
    nodeAddress: link.nodeAddress,
    hostAddress: link.hostAddress,
    podCidr: POD_CIDR,
    serviceCidr: SERVICE_CIDR,
    clusterDns: link.nodeAddress,
    versions: { kubernetes: kube.version, containerd: CONTAINERD_VERSION, coredns: pinnedToolVersion('coredns', 'github.com/coredns/coredns') },
  };
  return {
    info,
    importImage: (archive, name) => importImage(containerd, archive, name),
    runInNode: (command, args) => {
      const inside = inNode(containerd, command, args);
      return hostCommand(`run ${command} in the node`, inside.command, inside.args);
    },
    commandInNode: (command, args) => inNode(containerd, command, args),
  };
}
