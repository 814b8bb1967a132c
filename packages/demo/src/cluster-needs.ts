/**
 * What `npm run demo -- --cluster` needs, said before anything starts (scripts/demo.sh says the
 * same before its set-up, which builds the node's binaries on a first run), and the refusal when
 * it cannot run here.
 */

export const CLUSTER_NEEDS = [
  '--cluster needs:',
  '  - root: the node runs in network, mount and PID namespaces of its own, with a veth pair, cgroups and',
  '    iptables rules inside its namespace (all removed when the demo stops, Ctrl-C included);',
  '  - the node\'s binaries (kubelet, kube-controller-manager, kube-scheduler, kube-proxy, containerd, CoreDNS):',
  '    `npm run demo -- --cluster` builds them on its first run (NOVA_NODE_TESTS=1 npm run setup): about 4 min',
  '    cold on a quiet machine of this kind (far longer on a busy one), then cached under ${NOVA_CACHE_DIR:-~/.cache/nova}/bin;',
  '  - the project\'s images (operator, monolith, gateway, user and bot services): reused from the build storage',
  '    test/ship/images.test.ts fills, else built first (minutes: test/ship\'s nine take about 11 cold);',
  '  - then, warm, a few minutes: the node (about 15 s), the images into it and helm install (under a minute',
  '    each), stage 2 moved by the operator in its pod (its pauses and checks), the teardown.',
].join('\n');

/** Why this process cannot run the cluster, or undefined when it can. */
export function clusterRefusal(uid: number | undefined): string | undefined {
  if (uid === undefined) return '--cluster: this platform has no user ids; the one-node cluster needs Linux and root.';
  if (uid !== 0) return `--cluster needs root (this process runs as uid ${String(uid)}): the node makes namespaces, a veth pair, cgroups and iptables rules. Run it as root, e.g. sudo npm run demo -- --cluster; nothing was started.`;
  return undefined;
}
