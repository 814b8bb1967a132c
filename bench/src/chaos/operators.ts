/**
 * The operator in the chaos run: two replicas of operator/dist/main.js with leader election on one
 * Lease, as the chart's Deployment runs them, and one Killable the chaos loop kills. Its kills
 * alternate between the replica that holds the Lease at that moment and the standby, so a short
 * run kills the leader at its first operator kill. Each start gets a new identity, as a pod
 * rescheduled elsewhere would: a container restarted in the same pod keeps its name and takes its
 * own unexpired Lease back at once, which would hide the failover this run measures.
 *
 * Failover: from the leader's SIGKILL until the Lease names another holder (polled from the
 * apiserver every POLL_MS, so a figure is late by at most that).
 */
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { freePort, httpOk, SupervisedProcess, type Stack } from '@nova/testbed';
import { fileURLToPath } from 'node:url';
import { TAKEOVER_MARGIN_MS } from '../../../operator/dist/kube/campaign-schedule.js';
import type { Killable } from './fleet.js';

const MAIN = fileURLToPath(new URL('../../../operator/dist/main.js', import.meta.url));
const LEASE_NAME = 'nova-operator';
const POLL_MS = 200;
/** The standby's read and write of the Lease when it takes it, on a machine that answers at once. */
const TRY_MS = 100;
/** A failover not seen within this long is recorded as missing (the run's verdict fails on it). */
const FAILOVER_WAIT_MS = 120_000;

/** Leader election timings, as the operator's NOVA_LEASE_DURATION / NOVA_RENEW_DEADLINE / NOVA_RETRY_PERIOD. */
export interface Election {
  readonly leaseMs: number;
  readonly renewMs: number;
  readonly retryMs: number;
}

/** The operator's production defaults (operator/src/kube/leader-election.ts, client-go's). */
export const PRODUCTION_ELECTION: Election = { leaseMs: 15_000, renewMs: 10_000, retryMs: 2_000 };

/**
 * The longest a standby can take after a leader's SIGKILL, by the algorithm, on a machine that
 * answers at once. The standby watches the Lease, so it sees the leader's last renewal as it is
 * written (before the kill), and it tries exactly a lease duration (+ TAKEOVER_MARGIN_MS, 5 ms)
 * after that sighting (operator/src/kube/campaign-schedule.ts): the failover is the lease less the
 * time between that renewal and the kill, plus the try's read and write (tens of ms here, allowed
 * 100) and this run's polling of the Lease. 15.3 s at the defaults; with the standby's watch down
 * it falls back to client-go's timing (up to lease + 2 x 1.2 x retry), which the run would show as
 * failovers above this bound.
 */
export function failoverBoundMs(election: Election): number {
  return election.leaseMs + TAKEOVER_MARGIN_MS + TRY_MS + POLL_MS;
}

export interface Failover {
  /** The identity killed while it held the Lease. */
  readonly killed: string;
  /** Since the start of the run, ms. */
  readonly at: number;
  /** SIGKILL → the Lease held by another identity, ms; undefined when not seen within FAILOVER_WAIT_MS. */
  readonly ms: number | undefined;
  readonly newLeader: string | undefined;
}

interface Replica {
  identity: string;
  process: SupervisedProcess;
}

export interface ChaosOperatorsOptions {
  readonly stack: Stack;
  readonly kubeConfig: KubeConfig;
  readonly kubeconfigPath: string;
  /** Where the Lease lives. */
  readonly operatorNamespace: string;
  /** The namespace whose NovaMigrations they manage. */
  readonly watchNamespace: string;
  /** NOVA_NATS_URL: one URL, or a cluster's, comma-separated. */
  readonly natsUrl: string;
  /** NOVA_NATS_REPLICAS: copies of the routing buckets when an operator creates them (3 on the cluster). */
  readonly natsReplicas: number;
  readonly election: Election;
  /** The run's start (Date.now()), for the failover records' times. */
  readonly startedAt: number;
}

function seconds(ms: number): string {
  return `${String(ms / 1000)}s`;
}

export class ChaosOperators implements Killable {
  readonly kind = 'operator' as const;
  private readonly replicas: Replica[] = [];
  private generation = 0;
  private kills = 0;
  private victim: Replica | undefined;
  private readonly leases: CoordinationV1Api;
  readonly failovers: Failover[] = [];
  private readonly pending: Promise<void>[] = [];
  readonly standbyKills: string[] = [];

  private constructor(private readonly options: ChaosOperatorsOptions) {
    this.leases = options.kubeConfig.makeApiClient(CoordinationV1Api);
  }

  static async start(options: ChaosOperatorsOptions): Promise<ChaosOperators> {
    const operators = new ChaosOperators(options);
    operators.replicas.push(...await Promise.all([operators.startReplica(), operators.startReplica()]));
    // Both up and one of them leading before the chaos may kill "the leader".
    await operators.waitFor('a leader', async () => (await operators.holder()) !== undefined, 120_000);
    return operators;
  }

  get name(): string {
    return this.victim?.identity ?? 'nova-operator';
  }

  /** Every operator process's log, for a post-mortem. */
  get logPaths(): string[] {
    return this.replicas.map((replica) => replica.process.logPath);
  }

  private async startReplica(): Promise<Replica> {
    const identity = `chaos-operator-${String(++this.generation)}`;
    const port = await freePort();
    const opsUrl = `http://127.0.0.1:${String(port)}`;
    const { election } = this.options;
    const process = await SupervisedProcess.start(this.options.stack, {
      name: identity,
      command: globalThis.process.execPath,
      args: [MAIN],
      env: {
        KUBECONFIG: this.options.kubeconfigPath,
        NOVA_OPERATOR_NAMESPACE: this.options.operatorNamespace,
        NOVA_WATCH_NAMESPACE: this.options.watchNamespace,
        NOVA_IDENTITY: identity,
        NOVA_HTTP_ADDRESS: `127.0.0.1:${String(port)}`,
        NOVA_NATS_URL: this.options.natsUrl,
        NOVA_NATS_REPLICAS: String(this.options.natsReplicas),
        NOVA_LEASE_DURATION: seconds(election.leaseMs),
        NOVA_RENEW_DEADLINE: seconds(election.renewMs),
        NOVA_RETRY_PERIOD: seconds(election.retryMs),
        NOVA_LOG_LEVEL: 'info',
      },
      // A standby is ready too (/readyz does not ask for leadership).
      ready: () => httpOk(`${opsUrl}/readyz`),
      readyTimeoutMs: 120_000,
      stopTimeoutMs: 10_000,
    });
    return { identity, process };
  }

  /** The Lease's holder now, undefined when none (or unreadable: the apiserver is not killed here, but may be slow). */
  async holder(): Promise<string | undefined> {
    try {
      const lease = await this.leases.readNamespacedLease({ name: LEASE_NAME, namespace: this.options.operatorNamespace });
      return lease.spec?.holderIdentity ?? undefined;
    } catch {
      return undefined;
    }
  }

  private async waitFor(what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`chaos operators: no ${what} within ${String(timeoutMs / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Odd kills hit the Lease's holder, even kills the other replica. */
  async kill(): Promise<void> {
    const leader = await this.holder();
    const leading = this.replicas.find((replica) => replica.identity === leader);
    const killLeader = this.kills++ % 2 === 0 && leading !== undefined;
    const victim = killLeader ? leading : (this.replicas.find((replica) => replica !== leading) ?? this.replicas[0]);
    if (victim === undefined) return;
    this.victim = victim;
    const at = Date.now();
    await victim.process.kill('SIGKILL');
    if (killLeader) this.pending.push(this.timeFailover(victim.identity, at));
    else this.standbyKills.push(victim.identity);
  }

  private async timeFailover(killed: string, at: number): Promise<void> {
    const deadline = at + FAILOVER_WAIT_MS;
    while (Date.now() < deadline) {
      const holder = await this.holder();
      if (holder !== undefined && holder !== killed) {
        this.failovers.push({ killed, at: at - this.options.startedAt, ms: Date.now() - at, newLeader: holder });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    this.failovers.push({ killed, at: at - this.options.startedAt, ms: undefined, newLeader: undefined });
  }

  /** The killed replica is replaced by a new one (a new pod, a new identity). */
  async restart(): Promise<void> {
    const victim = this.victim;
    if (victim === undefined) return;
    const index = this.replicas.indexOf(victim);
    const replacement = await this.startReplica();
    this.replicas[index] = replacement;
  }

  /** Waits for the failovers still being timed (each bounded by FAILOVER_WAIT_MS). */
  async settle(): Promise<void> {
    await Promise.all(this.pending);
  }

  async stop(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.process.stop()));
  }
}
