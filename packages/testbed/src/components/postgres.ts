import { execFile } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findBinary } from '../binaries.js';
import { ComponentStartError } from '../errors.js';
import type { PostgresInfo } from '../info.js';
import { freePort } from '../ports.js';
import { SupervisedProcess } from '../process.js';
import type { Stack } from '../stack.js';

const run = promisify(execFile);
const SUPERUSER = 'nova';

/** Debian keeps server binaries out of PATH, in /usr/lib/postgresql/<major>/bin; newest first. */
function postgresBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)).map((v) => join(root, v, 'bin'));
}

function binary(name: string): string {
  return findBinary({ name, candidates: postgresBinDirs().map((dir) => join(dir, name)), install: 'sudo apt-get install -y postgresql (or: bash scripts/setup.sh)' });
}

/** PostgreSQL refuses to run as root; under root (CI, containers) the cluster belongs to Debian's `postgres` user. */
async function serviceAccount(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  } catch {
    throw new ComponentStartError('postgres', 'running as root, but there is no `postgres` user to run the server as (install Debian\'s postgresql package)');
  }
}

export interface PostgresOptions {
  /**
   * The port, when the test chose it before (a process started against it while nothing listened
   * there yet: test/platform/start-without-database.test.ts); default a free one.
   */
  readonly port?: number;
  /**
   * A second address to listen on beside loopback, for clients elsewhere on this machine (the
   * one-node cluster's pods reach it at the host end of the node's link): they must log in with a
   * password (scram-sha-256) from `clientCidr`; trust stays for loopback only.
   */
  readonly remote?: { readonly listenAddress: string; readonly clientCidr: string };
}

/**
 * A PostgreSQL cluster of the stack that can be stopped and started again on the same data
 * directory and port, as a database pod restarted on its volume (test/services/postgres-restart.test.ts).
 */
export class PostgresServer {
  private current: SupervisedProcess | undefined;

  private constructor(
    private readonly stack: Stack,
    private readonly dataDir: string,
    /** The folder of its Unix socket (`.s.PGSQL.<port>`): `host` for a client that must not use TCP. */
    readonly socketDir: string,
    private readonly account: { uid: number; gid: number } | undefined,
    readonly info: PostgresInfo,
    /** Listened on beside loopback (PostgresOptions.remote). */
    private readonly remoteAddress?: string,
  ) {}

  /** A fresh cluster (initdb) on a random loopback port (or `options.port`), tuned for throwaway data; resolves once it accepts connections. */
  static async start(stack: Stack, options: PostgresOptions = {}): Promise<PostgresServer> {
    const account = await serviceAccount();
    const dataDir = join(stack.path('postgres'), 'data');
    const socketDir = stack.path('postgres', 'socket');
    if (account) {
      // The stack folder is private to its owner; the server's user must be able to reach its own folders.
      chmodSync(stack.dir, 0o711);
      chownSync(stack.path('postgres'), account.uid, account.gid);
      chownSync(socketDir, account.uid, account.gid);
    }
    const initdb = binary('initdb');
    try {
      await run(initdb, ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
        account ? { uid: account.uid, gid: account.gid } : {});
    } catch (error) {
      throw new ComponentStartError('postgres', 'initdb failed', (error as { stderr?: string }).stderr ?? String(error));
    }
    if (options.remote !== undefined) {
      // pg_hba.conf is read top down: this line comes after initdb's loopback trust lines.
      appendFileSync(join(dataDir, 'pg_hba.conf'), `host all all ${options.remote.clientCidr} scram-sha-256\n`);
    }
    const port = options.port ?? (await freePort());
    const { stdout } = await run(binary('postgres'), ['--version']);
    const version = /(\d+(?:\.\d+)*)/.exec(stdout)?.[1] ?? stdout.trim();
    const server = new PostgresServer(stack, dataDir, socketDir, account, { url: `postgresql://${SUPERUSER}@127.0.0.1:${String(port)}/postgres`, host: '127.0.0.1', port, user: SUPERUSER, version }, options.remote?.listenAddress);
    await server.start();
    return server;
  }

  get running(): boolean {
    return this.current?.running ?? false;
  }

  /**
   * Starts the server (again) on its data directory and port; resolves once it accepts
   * connections. `socketOnly`: no TCP listener, only the Unix socket in `socketDir`, so a test
   * can read the state the server stopped with before any client (all on TCP) reconnects.
   */
  async start(options: { readonly socketOnly?: boolean } = {}): Promise<void> {
    if (this.running) return;
    const socketOnly = options.socketOnly ?? false;
    const port = String(this.info.port);
    const isReady = binary('pg_isready');
    this.current = await SupervisedProcess.start(this.stack, {
      name: 'postgres',
      command: binary('postgres'),
      args: ['-D', this.dataDir, '-p', port, '-k', this.socketDir, '-c', `listen_addresses=${socketOnly ? '' : ['127.0.0.1', ...(this.remoteAddress === undefined ? [] : [this.remoteAddress])].join(',')}`,
        // Throwaway data: durability costs time and buys nothing here. stop() is a clean shutdown
        // (a checkpoint), which keeps every acknowledged commit even so; a SIGKILL would not
        // (bench/src/chaos/stores.ts).
        '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
      ...(this.account ?? {}),
      ready: async () => {
        try {
          await run(isReady, ['-h', socketOnly ? this.socketDir : '127.0.0.1', '-p', port, '-U', SUPERUSER, '-d', 'postgres']);
          return true;
        } catch {
          return false;
        }
      },
      readyTimeoutMs: 60_000,
      // SIGINT is PostgreSQL's "fast" shutdown: abort sessions, checkpoint, exit.
      stopSignal: 'SIGINT',
    });
  }

  /** PostgreSQL's fast shutdown: every session ended (57P01), a checkpoint, exit; resolves once the process is gone. */
  async stop(): Promise<void> {
    await this.current?.stop();
  }
}

/** A fresh cluster (initdb) on a random loopback port (or `options.port`), tuned for throwaway data. */
export async function startPostgres(stack: Stack, options: PostgresOptions = {}): Promise<PostgresInfo> {
  return (await PostgresServer.start(stack, options)).info;
}
