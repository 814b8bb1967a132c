/**
 * NATS as production runs it: a cluster of nats-server processes on loopback, joined by `cluster`
 * routes, JetStream on each with a store directory of its own and a distinct server name, so
 * streams and KV buckets can be replicated (R3) and a node can die without losing what was
 * acknowledged. Each node can be SIGKILLed and started again on its own store and ports, as a
 * pod of a StatefulSet restarts on its volume (test/bus/nats-cluster.test.ts, the chaos run).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBinary } from '../binaries.js';
import { ComponentStartError } from '../errors.js';
import type { NatsInfo } from '../info.js';
import { freePort } from '../ports.js';
import { logTail, SupervisedProcess, type SupervisedSpec } from '../process.js';
import type { Stack } from '../stack.js';
import { httpOk, waitFor } from '../wait.js';

export interface NatsClusterOptions {
  /** Nodes in the cluster; default 3 (JetStream's R3 needs three, and a majority of them up). */
  readonly nodes?: number;
  /** Prefix of the server names (`<prefix>-1` …) and the cluster's name; default `nova-testbed`. */
  readonly name?: string;
}

/** The addresses of one node; they stay the same across its restarts. */
export interface NatsNodeInfo {
  /** Its server name, unique in the cluster (JetStream's peers are told apart by it). */
  readonly name: string;
  /** nats://127.0.0.1:<port>, this node's client port. */
  readonly url: string;
  readonly monitorUrl: string;
  /** Where its JetStream store lives (kept across a restart). */
  readonly storeDir: string;
}

/** Waits for a node to be healthy: `/healthz` (not only `js-enabled-only`) also wants JetStream to know its meta leader, and a restarted node's streams caught up. */
async function healthy(monitorUrl: string): Promise<boolean> {
  try {
    return await httpOk(`${monitorUrl}/healthz`);
  } catch {
    return false;
  }
}

/** One nats-server of the cluster. */
export class NatsNode {
  private current: SupervisedProcess | undefined;

  constructor(private readonly stack: Stack, readonly info: NatsNodeInfo, private readonly spec: SupervisedSpec) {}

  get name(): string {
    return this.info.name;
  }

  get url(): string {
    return this.info.url;
  }

  get running(): boolean {
    return this.current?.running ?? false;
  }

  /** Its log file (the same across restarts: the log is appended to). */
  get logPath(): string {
    return join(this.stack.logDir, `${this.info.name}.log`);
  }

  get pid(): number | undefined {
    return this.current?.running === true ? this.current.pid : undefined;
  }

  /**
   * Starts the node on its store and ports. Resolves once it answers its client port and its
   * monitor says JetStream is up (`ready`); `healthy` then waits for its peers' meta leader.
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.current = await SupervisedProcess.start(this.stack, this.spec);
  }

  /** SIGKILL (a crash: nothing flushed, no goodbye to the peers); resolves once the process is gone. */
  async kill(): Promise<void> {
    await this.current?.kill('SIGKILL');
  }

  /** A graceful stop (SIGTERM: the node hands its leaderships over first). */
  async stop(): Promise<void> {
    await this.current?.stop();
  }

  /**
   * Starts it again on the same store, ports and name after a kill or a stop, and resolves once
   * `/healthz` is 200: the node knows the meta leader and its streams are current. A killed
   * node's port is free at once (nats-server binds with SO_REUSEADDR); a failed start is tried
   * again, a few times.
   */
  async restart(attempts = 5): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await this.start();
        const failure = await waitFor(() => this.healthy(), { timeoutMs: 60_000, intervalMs: 200 });
        if (failure !== undefined) throw new ComponentStartError(this.name, `restarted but not healthy: ${failure}`, logTail(this.logPath));
        return;
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
    throw lastError;
  }

  /** True when `/healthz` answers 200 (JetStream current, meta leader known). */
  healthy(): Promise<boolean> {
    return healthy(this.info.monitorUrl);
  }
}

export interface NatsCluster {
  readonly nodes: readonly NatsNode[];
  /** Every node's client URL, for a client's `servers` list (so a dead node is failed over). */
  readonly urls: readonly string[];
  /** The same, comma-separated: a value for NOVA_NATS_URL. */
  readonly serversEnv: string;
  readonly version: string;
  /** The test bed's description of it: `url` the first node's, `urls` every node's. */
  readonly info: NatsInfo;
}

function nodeConfig(node: { name: string; port: number; monitorPort: number; clusterPort: number; storeDir: string }, clusterName: string, routes: readonly number[]): string {
  return [
    `server_name: ${JSON.stringify(node.name)}`,
    `listen: "127.0.0.1:${String(node.port)}"`,
    `http: "127.0.0.1:${String(node.monitorPort)}"`,
    `jetstream { store_dir: ${JSON.stringify(node.storeDir)} }`,
    'cluster {',
    `  name: ${JSON.stringify(clusterName)}`,
    `  listen: "127.0.0.1:${String(node.clusterPort)}"`,
    `  routes: [${routes.map((port) => JSON.stringify(`nats-route://127.0.0.1:${String(port)}`)).join(', ')}]`,
    '}',
    '',
  ].join('\n');
}

/**
 * Starts `nodes` nats-servers as one JetStream cluster in the stack folder (each node's log is
 * `logs/<name>.log`, its store `nats-cluster/<name>`), and resolves once every node is healthy
 * (the meta group has a leader). The processes are the stack's: they stop with it.
 */
export async function startNatsCluster(stack: Stack, options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const count = options.nodes ?? 3;
  if (!Number.isInteger(count) || count < 1 || count > 9) throw new ComponentStartError('nats-cluster', `nodes must be an integer in 1..9, got ${String(count)}`, '');
  const prefix = options.name ?? 'nova-testbed';
  const binary = findBinary({ name: 'nats-server', install: 'bash scripts/setup.sh (go install github.com/nats-io/nats-server/v2@<pin>)' });
  const plans: { name: string; port: number; monitorPort: number; clusterPort: number; storeDir: string }[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `${prefix}-${String(i)}`;
    plans.push({ name, port: await freePort(), monitorPort: await freePort(), clusterPort: await freePort(), storeDir: stack.path('nats-cluster', name) });
  }
  const nodes = plans.map((plan) => {
    const configPath = join(stack.path('nats-cluster'), `${plan.name}.conf`);
    writeFileSync(configPath, nodeConfig(plan, prefix, plans.filter((other) => other !== plan).map((other) => other.clusterPort)));
    const monitorUrl = `http://127.0.0.1:${String(plan.monitorPort)}`;
    return new NatsNode(stack, { name: plan.name, url: `nats://127.0.0.1:${String(plan.port)}`, monitorUrl, storeDir: plan.storeDir }, {
      name: plan.name,
      command: binary,
      args: ['-c', configPath],
      // Up and JetStream on; the cluster's health (a meta leader) is waited for below, once all are started.
      ready: () => httpOk(`${monitorUrl}/healthz?js-enabled-only=true`).catch(() => false),
      readyTimeoutMs: 30_000,
    });
  });
  // Side by side: a node alone has no JetStream quorum, so none would be "healthy" on its own.
  await Promise.all(nodes.map((node) => node.start()));
  for (const node of nodes) {
    const failure = await waitFor(() => node.healthy(), { timeoutMs: 60_000, intervalMs: 200 });
    if (failure !== undefined) throw new ComponentStartError(node.name, `the JetStream cluster is not healthy (no meta leader?): ${failure}`, logTail(node.logPath));
  }
  const first = nodes[0];
  if (first === undefined) throw new ComponentStartError('nats-cluster', 'no node', '');
  const varz = (await (await fetch(`${first.info.monitorUrl}/varz`)).json()) as { version?: string };
  const urls = nodes.map((node) => node.url);
  const version = varz.version ?? 'unknown';
  return { nodes, urls, serversEnv: urls.join(','), version, info: { url: first.url, urls, monitorUrl: first.info.monitorUrl, version } };
}
