/**
 * Who leads the operator's release on the node, read from both sides at once: the Lease's
 * holderIdentity (what the apiserver says) and each pod's own `nova_leader` gauge (what each
 * replica believes). The Lease holds one name by construction; two replicas that both believe
 * they lead (a split brain) show only in the gauges.
 */

/** An operator pod of the release as listed by the apiserver. */
export interface OperatorPod {
  readonly name: string;
  readonly ip: string;
  /** The ReplicaSet it belongs to (its `pod-template-hash` label). */
  readonly templateHash: string;
  readonly ready: boolean;
  readonly terminating: boolean;
}

export interface LeadershipSample {
  /** ms since the sampler was made. */
  readonly atMs: number;
  /** The Lease's holderIdentity; '' while released (a replica empties it on SIGTERM). */
  readonly holder: string;
  readonly pods: readonly OperatorPod[];
  /**
   * Pods whose gauge read 1 in two passes over the pods, the second in reverse order. A graceful
   * handover between two reads of one pass (A read 1, A stops, B acquires, B read 1) cannot show in
   * both passes: a pod counted here led at the same moment as every other pod counted here.
   */
  readonly leaders: readonly string[];
}

/** The two ways the test reaches the node: kubectl on the host, and a command inside the node's namespaces. */
export interface NodeAccess {
  kubectl(args: readonly string[]): Promise<string>;
  runInNode(command: string, args: readonly string[]): Promise<string>;
}

interface PodJson {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  status?: { podIP?: string; conditions?: { type: string; status: string }[] };
}

const NAMESPACE = 'nova';
const SELECTOR = 'app.kubernetes.io/name=nova-operator,app.kubernetes.io/instance=nova';
const LEASE = 'nova-operator';

/** Reads the Lease, the release's operator pods and each pod's `nova_leader` gauge. */
export class LeadershipSampler {
  private readonly started = performance.now();

  constructor(private readonly node: NodeAccess, private readonly metricsPort = 8080) {}

  async holder(): Promise<string> {
    const lease = JSON.parse(await this.node.kubectl(['get', 'lease', LEASE, '-n', NAMESPACE, '-o', 'json'])) as { spec?: { holderIdentity?: string } };
    return lease.spec?.holderIdentity ?? '';
  }

  async pods(): Promise<OperatorPod[]> {
    const listed = JSON.parse(await this.node.kubectl(['get', 'pods', '-n', NAMESPACE, '-l', SELECTOR, '-o', 'json'])) as { items: PodJson[] };
    return listed.items.map((pod) => ({
      name: pod.metadata.name,
      ip: pod.status?.podIP ?? '',
      templateHash: pod.metadata.labels?.['pod-template-hash'] ?? '',
      ready: (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
      terminating: pod.metadata.deletionTimestamp !== undefined,
    }));
  }

  async sample(): Promise<LeadershipSample> {
    const atMs = Math.round(performance.now() - this.started);
    const holder = await this.holder();
    const pods = await this.pods();
    const leaders = await this.gaugeLeaders(pods.filter((pod) => pod.ip !== ''));
    return { atMs, holder, pods, leaders };
  }

  /**
   * The pods' IPs exist only inside the node's network namespace (the pods' bridge), so one
   * shell there reads every pod's /metrics: a pass in order, then one in reverse. A pod that does
   * not answer (starting, or gone) reads "none".
   */
  private async gaugeLeaders(pods: readonly OperatorPod[]): Promise<string[]> {
    if (pods.length === 0) return [];
    const ips = pods.map((pod) => pod.ip);
    const script = [
      'for ip in "$@"; do',
      `  v=$(curl -s --max-time 1 "http://$ip:${String(this.metricsPort)}/metrics" | sed -n 's/^nova_leader \\([0-9.]*\\)$/\\1/p')`,
      '  echo "$ip ${v:-none}"',
      'done',
    ].join('\n');
    const output = await this.node.runInNode('sh', ['-c', script, 'sh', ...ips, ...[...ips].reverse()]);
    const lines = output.trim().split('\n');
    const leadingIn = (pass: readonly string[]): Set<string> =>
      new Set(pass.filter((line) => line.endsWith(' 1')).map((line) => line.split(' ')[0] ?? ''));
    const first = leadingIn(lines.slice(0, ips.length));
    const second = leadingIn(lines.slice(ips.length));
    return pods.filter((pod) => first.has(pod.ip) && second.has(pod.ip)).map((pod) => pod.name);
  }
}

/** What a run of samples showed: every fact the test asserts on, and the figures it prints. */
export interface LeadershipRecord {
  readonly samples: number;
  /** Samples whose holder was neither '' nor a pod of the release ever listed. */
  readonly foreignHolders: readonly { atMs: number; holder: string }[];
  /** Samples in which two or more pods believed they led. */
  readonly splitBrains: readonly { atMs: number; leaders: readonly string[] }[];
  /** The holders in the order they held the Lease ('' for released). */
  readonly holders: readonly string[];
  /** The longest run of samples without a holder, first to last sample of the run (0: never seen empty). */
  readonly longestReleasedMs: number;
}

export function summarise(samples: readonly LeadershipSample[], releasePods: ReadonlySet<string>): LeadershipRecord {
  const known = new Set(releasePods);
  for (const sample of samples) for (const pod of sample.pods) known.add(pod.name);
  const holders: string[] = [];
  let longestReleasedMs = 0;
  let releasedSince: number | undefined;
  for (const sample of samples) {
    if (holders.at(-1) !== sample.holder) holders.push(sample.holder);
    if (sample.holder === '') {
      releasedSince ??= sample.atMs;
      longestReleasedMs = Math.max(longestReleasedMs, sample.atMs - releasedSince);
    } else {
      releasedSince = undefined;
    }
  }
  return {
    samples: samples.length,
    foreignHolders: samples.filter((s) => s.holder !== '' && !known.has(s.holder)).map((s) => ({ atMs: s.atMs, holder: s.holder })),
    splitBrains: samples.filter((s) => s.leaders.length > 1).map((s) => ({ atMs: s.atMs, leaders: s.leaders })),
    holders,
    longestReleasedMs,
  };
}
