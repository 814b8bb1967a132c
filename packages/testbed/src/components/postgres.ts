import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readdirSync } from 'node:fs';
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

/** A fresh cluster (initdb) on a random loopback port, tuned for throwaway data. */
export async function startPostgres(stack: Stack): Promise<PostgresInfo> {
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
  const port = await freePort();
  const postgres = binary('postgres');
  const isReady = binary('pg_isready');
  await SupervisedProcess.start(stack, {
    name: 'postgres',
    command: postgres,
    args: ['-D', dataDir, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1',
      // Throwaway data: durability costs time and buys nothing here.
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
    ...(account ?? {}),
    ready: async () => {
      try {
        await run(isReady, ['-h', '127.0.0.1', '-p', String(port), '-U', SUPERUSER, '-d', 'postgres']);
        return true;
      } catch {
        return false;
      }
    },
    readyTimeoutMs: 60_000,
    // SIGINT is PostgreSQL's "fast" shutdown: abort sessions, checkpoint, exit.
    stopSignal: 'SIGINT',
  });
  const { stdout } = await run(postgres, ['--version']);
  const version = /(\d+(?:\.\d+)*)/.exec(stdout)?.[1] ?? stdout.trim();
  return { url: `postgresql://${SUPERUSER}@127.0.0.1:${port}/postgres`, host: '127.0.0.1', port, user: SUPERUSER, version };
}
