/**
 * nats-server and PostgreSQL for the chaos run, each restartable on the same port and the same
 * store after a SIGKILL, as a pod restarted on its volume would be. The test bed's own starters
 * pick a new port on every start and run PostgreSQL with `synchronous_commit=off` (a crash of the
 * whole server then loses commits already acknowledged: a loss of the test bed, not of Nova), so
 * the run starts them itself.
 */
import { findBinary, freePort, startNatsCluster, SupervisedProcess, type NatsNode, type Stack, type SupervisedSpec } from '@nova/testbed';
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A component the chaos loop kills and starts again with the very same spec. */
export class RestartableComponent {
  private constructor(private readonly stack: Stack, private readonly spec: SupervisedSpec, private current: SupervisedProcess) {}

  static async start(stack: Stack, spec: SupervisedSpec): Promise<RestartableComponent> {
    return new RestartableComponent(stack, spec, await SupervisedProcess.start(stack, spec));
  }

  get name(): string {
    return this.spec.name;
  }

  /** SIGKILL to the process and every child it forked (PostgreSQL's backends die with their pod too). */
  async kill(): Promise<void> {
    const children = childrenOf(this.current.pid);
    await this.current.kill('SIGKILL');
    for (const pid of children) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  /** Starts it again; a few tries, since a killed server's port or shared memory can take a moment to be free. */
  async restart(): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        this.current = await SupervisedProcess.start(this.stack, this.spec);
        return;
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
      }
    }
    throw lastError;
  }
}

/** Pids whose parent is `pid` (from /proc; Linux only, like the rest of the test bed). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The fields after the command name (which may hold spaces) start after the last ')'.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return children;
}

async function httpOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

export interface ChaosNats {
  readonly url: string;
  readonly component: RestartableComponent;
}

/** nats-server with JetStream on a store in the stack folder; a restart finds the same streams. */
export async function startChaosNats(stack: Stack): Promise<ChaosNats> {
  const binary = findBinary({ name: 'nats-server', install: 'bash scripts/setup.sh' });
  const port = await freePort();
  const monitor = `http://127.0.0.1:${String(await freePort())}`;
  const component = await RestartableComponent.start(stack, {
    name: 'nats-server',
    command: binary,
    args: ['-a', '127.0.0.1', '-p', String(port), '-m', new URL(monitor).port, '-js', '-sd', stack.path('nats'), '--server_name', 'nova-chaos'],
    ready: () => httpOk(`${monitor}/healthz?js-enabled-only=true`),
    readyTimeoutMs: 30_000,
  });
  return { url: `nats://127.0.0.1:${String(port)}`, component };
}

export interface ChaosNatsCluster {
  /** Every node's client URL, comma-separated (NOVA_NATS_URL). */
  readonly url: string;
  /** JetStream's copies of each stream and bucket (NOVA_NATS_REPLICAS): one per node. */
  readonly replicas: number;
  readonly nodes: readonly NatsNode[];
}

/**
 * NATS as production runs it (`--nats-cluster`): three nodes of the test bed's cluster, each
 * killed alone and started again on its own store and ports (NatsNode.restart waits until it is
 * healthy: its streams caught up). The streams and KV buckets are R3, so a node's death loses
 * nothing acknowledged; the chaos loop never has two nodes down at once (a majority must live).
 */
export async function startChaosNatsCluster(stack: Stack): Promise<ChaosNatsCluster> {
  const cluster = await startNatsCluster(stack, { nodes: 3, name: 'nova-chaos' });
  return { url: cluster.serversEnv, replicas: cluster.nodes.length, nodes: cluster.nodes };
}

export interface ChaosPostgres {
  /** Superuser URL of the server. */
  readonly url: string;
  readonly component: RestartableComponent;
}

function postgresBinary(name: string): string {
  const root = '/usr/lib/postgresql';
  const dirs = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)).map((v) => join(root, v, 'bin', name)) : [];
  return findBinary({ name, candidates: dirs, install: 'bash scripts/setup.sh (Debian postgresql)' });
}

/**
 * PostgreSQL on its own data directory. `fsync=off` is kept (a killed process leaves its writes
 * in the kernel's page cache, which survives; only a machine crash would need fsync), but
 * commits are synchronous: with `synchronous_commit=off` a commit is acknowledged before its WAL
 * leaves the server's shared memory, which a SIGKILL of the whole server throws away.
 */
export async function startChaosPostgres(stack: Stack): Promise<ChaosPostgres> {
  const dataDir = join(stack.path('postgres'), 'data');
  const socketDir = stack.path('postgres', 'socket');
  // PostgreSQL refuses to run as root: under root the cluster belongs to Debian's `postgres` user (as in the test bed).
  const account = process.getuid?.() === 0 ? await postgresAccount() : undefined;
  if (account !== undefined) {
    chmodSync(stack.dir, 0o711);
    chownSync(stack.path('postgres'), account.uid, account.gid);
    chownSync(socketDir, account.uid, account.gid);
  }
  await run(postgresBinary('initdb'), ['-D', dataDir, '-U', 'nova', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'], account ?? {});
  const port = await freePort();
  const isReady = postgresBinary('pg_isready');
  const component = await RestartableComponent.start(stack, {
    name: 'postgres',
    command: postgresBinary('postgres'),
    args: ['-D', dataDir, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
    ready: async () => {
      try {
        await run(isReady, ['-h', '127.0.0.1', '-p', String(port), '-U', 'nova', '-d', 'postgres']);
        return true;
      } catch {
        return false;
      }
    },
    ...(account ?? {}),
    readyTimeoutMs: 60_000,
    stopSignal: 'SIGINT',
  });
  return { url: `postgresql://nova@127.0.0.1:${String(port)}/postgres`, component };
}

async function postgresAccount(): Promise<{ uid: number; gid: number }> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}
