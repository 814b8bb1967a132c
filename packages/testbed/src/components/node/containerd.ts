import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findBinary } from '../../binaries.js';
import { SupervisedProcess } from '../../process.js';
import type { Stack } from '../../stack.js';
import { waitFor } from '../../wait.js';
import { hostCommand } from './host-command.js';

/** containerd's pin: scripts/setup.d/33-node.sh builds this release into containerd-<version>/. */
export const CONTAINERD_VERSION = 'v2.4.2';

/** The CRI namespace: images the kubelet runs must be imported here. */
export const K8S_IMAGE_NAMESPACE = 'k8s.io';

export interface Containerd {
  readonly process: SupervisedProcess;
  /** The socket the kubelet and ctr talk to (in the stack folder, reachable from the host). */
  readonly socket: string;
  /** containerd's host pid: the node's other processes enter its PID, network and mount namespaces. */
  readonly namespacePid: number;
  readonly netnsPath: string;
  readonly mountnsPath: string;
  readonly ctr: string;
}

function configToml(dir: string, pauseImage: string, runc: string): string {
  return `version = 3
root = "${dir}/root"
state = "${dir}/state"

[grpc]
  address = "${dir}/containerd.sock"

[plugins."io.containerd.internal.v1.opt"]
  path = "${dir}/opt"

# NRI would listen on the machine-wide /var/run/nri/nri.sock.
[plugins."io.containerd.nri.v1.nri"]
  disable = true

[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    # No registry is reachable: the sandbox image is the local pause, imported before the kubelet starts.
    sandbox = "${pauseImage}"

[plugins."io.containerd.cri.v1.runtime"]
  enable_selinux = false
  # The sandbox lacks CAP_SYS_RESOURCE: without this every pod sandbox failed with
  # "can't get final child's PID from pipe" (a raised oom_score_adj is refused).
  restrict_oom_score_adj = true
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = ["/usr/lib/cni"]
    conf_dir = "${dir}/cni"
  [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
      BinaryName = "${runc}"
      Root = "${dir}/runc"
      SystemdCgroup = false

[plugins."io.containerd.grpc.v1.cri"]
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
`;
}

/**
 * The pods' network: a bridge inside the node's namespace, addresses from `podCidr`, and
 * masquerade for what pods send out of it (so the apiserver on the host end of the link can
 * answer a pod without any route on the machine). portmap serves hostPort.
 */
function cniConflist(podCidr: string): string {
  return JSON.stringify({
    cniVersion: '1.0.0',
    name: 'nova-node',
    plugins: [
      { type: 'bridge', bridge: 'cni0', isGateway: true, ipMasq: true, hairpinMode: true,
        // host-local keeps its allocations in files, by default under the machine's /var/lib/cni/networks,
        // which no node's stop releases (containerd is killed, not asked to tear the sandboxes down): after
        // a day of node runs on one machine all 254 addresses were taken and no pod started ("no IP
        // addresses available in range set"). /run is this node's own tmpfs, gone with it.
        ipam: { type: 'host-local', dataDir: '/run/cni/networks', ranges: [[{ subnet: podCidr }]], routes: [{ dst: '0.0.0.0/0' }] } },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  }, null, 2);
}

/**
 * The first processes of the node, and the namespaces every other one joins: `unshare` makes a
 * network, a mount and a PID namespace and runs containerd as the PID namespace's first process.
 * Everything containerd starts (shims, pods) lives in that PID namespace, so when containerd ends
 * (stop, or the reaper's SIGKILL to unshare, which `--kill-child` passes on) the kernel ends every
 * container with it; the mounts containerd and the kubelet make stay in the private mount
 * namespace; the network namespace goes when its last process does. Inside the mount namespace
 * /run (containerd's shim sockets are at a fixed /run/containerd/s) and /var/log (the kubelet's
 * fixed /var/log/pods and /var/log/containers) are fresh tmpfs, so nothing is written there on
 * the machine.
 */
export async function startContainerd(stack: Stack, options: { pauseImage: string; podCidr: string }): Promise<Containerd> {
  const dir = stack.path('node', 'containerd');
  const containerdDir = join(findBinary({
    name: `containerd-${CONTAINERD_VERSION}/containerd`,
    install: 'bash scripts/setup.d/33-node.sh (or: bash scripts/setup.sh)',
  }), '..');
  const runc = findBinary({ name: 'runc', candidates: ['/usr/sbin/runc'], install: 'bash scripts/setup.sh (scripts/setup.d/15-containers.sh installs runc)' });
  findBinary({ name: 'bridge', candidates: ['/usr/lib/cni/bridge'], install: 'apt-get install containernetworking-plugins (or: bash scripts/setup.sh)' });
  const config = join(dir, 'config.toml');
  writeFileSync(config, configToml(dir, options.pauseImage, runc));
  stack.path('node', 'containerd', 'cni');
  writeFileSync(join(dir, 'cni', '10-nova-node.conflist'), cniConflist(options.podCidr));
  const socket = join(dir, 'containerd.sock');
  const ctr = join(containerdDir, 'ctr');
  const prepare = [
    'mount -t tmpfs nova-node-run /run',
    'mount -t tmpfs nova-node-log /var/log',
    'ip link set lo up',
    // Forwarding and bridge netfilter are per network namespace: only this node's.
    'echo 1 > /proc/sys/net/ipv4/ip_forward',
    'if [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables; fi',
    'exec "$0" "$@"',
  ].join(' && ');
  const process = await SupervisedProcess.start(stack, {
    name: 'containerd',
    command: 'unshare',
    // --mount-proc: containerd and its shims read /proc/<pid> with their own namespace's pids (a
    // host /proc there made containerd stat the machine's init: "stat /proc/1/ns/pid: permission denied").
    args: ['--net', '--mount', '--propagation', 'private', '--pid', '--fork', '--kill-child', '--mount-proc', '--',
      'sh', '-c', prepare, join(containerdDir, 'containerd'), '--config', config],
    env: { PATH: `${containerdDir}:/usr/sbin:/usr/bin:/sbin:/bin` },
    ready: async () => {
      await hostCommand('ask containerd its version', ctr, ['--address', socket, 'version'], 5_000);
      return true;
    },
    readyTimeoutMs: 60_000,
    // unshare passes no signal on (util-linux 2.38): SIGKILL ends it, and --kill-child ends
    // containerd, the PID namespace's first process, and with it every container. The node's
    // data is throwaway, so nothing is lost by not stopping gracefully.
    stopSignal: 'SIGKILL',
  });
  const namespacePid = await containerdPid(process.pid);
  return {
    process,
    socket,
    namespacePid,
    netnsPath: `/proc/${String(namespacePid)}/ns/net`,
    mountnsPath: `/proc/${String(namespacePid)}/ns/mnt`,
    ctr,
  };
}

/** The host pid of unshare's only child (containerd, the PID namespace's first process). */
async function containerdPid(unsharePid: number): Promise<number> {
  let child: number | undefined;
  const failure = await waitFor(async () => {
    const children = await readFile(`/proc/${String(unsharePid)}/task/${String(unsharePid)}/children`, 'utf8');
    child = Number(children.trim().split(' ')[0]);
    return Number.isInteger(child) && child > 0;
  }, { timeoutMs: 10_000, intervalMs: 50 });
  if (failure !== undefined || child === undefined) throw new Error(`node component: no containerd under unshare ${String(unsharePid)}: ${failure ?? ''}`);
  return child;
}

/**
 * The command line that runs `command` inside the node: its PID, network and mount namespaces
 * (nsenter forks for a PID namespace, so the recorded pid is nsenter's; the program dies with
 * containerd, the namespace's first process, whatever becomes of nsenter).
 */
export function inNode(containerd: Containerd, command: string, args: readonly string[]): { command: string; args: string[] } {
  return {
    command: 'nsenter',
    args: [`--pid=/proc/${String(containerd.namespacePid)}/ns/pid`, `--net=${containerd.netnsPath}`, `--mount=${containerd.mountnsPath}`, '--', command, ...args],
  };
}

/**
 * Imports a docker-archive (what `buildah push … docker-archive:` writes; it keeps the image's
 * name) into the kubelet's namespace and waits until containerd lists the name.
 */
export async function importImage(containerd: Containerd, archive: string, name: string): Promise<void> {
  await hostCommand(`import ${name}`, containerd.ctr, ['--address', containerd.socket, '-n', K8S_IMAGE_NAMESPACE, 'images', 'import', archive], 300_000);
  const failure = await waitFor(async () => {
    const listed = await hostCommand('list images', containerd.ctr, ['--address', containerd.socket, '-n', K8S_IMAGE_NAMESPACE, 'images', 'ls', '-q']);
    return listed.split('\n').includes(name);
  }, { timeoutMs: 30_000, intervalMs: 200 });
  if (failure !== undefined) throw new Error(`node component: ${name} not listed by containerd after importing ${archive}: ${failure}`);
}
