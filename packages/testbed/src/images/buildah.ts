/**
 * buildah (Debian's, installed by scripts/setup.d/15-containers.sh) with the flags that work on
 * this kind of machine, over the project's own image storage under the cache folder, kept between
 * runs so unchanged layers are reused: test/ship builds the project's images into it, the one-node
 * cluster (test/cluster, `npm run demo -- --cluster`) reads them from it. podman's part (running
 * containers) stays with test/ship (test/ship/support/containers.ts).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cacheBinDir, findBinary } from '../binaries.js';
import { runOk } from '../command.js';

/**
 * The container's open-file limit: this process's hard limit (a container may not raise it; the
 * runtimes' default of 1048576 is refused here), at most 65536. 1024 was too few: `npm ci` in the
 * build opens its cache's index files in parallel and failed with EMFILE on a loaded machine.
 */
function openFilesLimit(): number {
  const hard = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  return hard === 'unlimited' ? 65_536 : Math.min(Number(hard), 65_536);
}

let ulimits: string[] | undefined;

/** `--ulimit` flags within what this machine allows (podman's and buildah's defaults exceed it). */
export function containerUlimits(): string[] {
  if (ulimits === undefined) {
    const nofile = openFilesLimit();
    ulimits = ['--ulimit', `nofile=${String(nofile)}:${String(nofile)}`, '--ulimit', 'nproc=1024:1024'];
  }
  return ulimits;
}

export interface Storage {
  readonly root: string;
  readonly runRoot: string;
}

/**
 * The run root holds the storage's volatile state, the mount count of every layer among it, so it
 * is one per storage root: two caches (two clones' NOVA_CACHE_DIR) sharing one run root overwrote
 * each other's counts, and each run left its builds' layers mounted (11 overlay mounts per
 * fresh-clone run, seen on this machine). It stays under tmpdir (cleared at boot, as it must be).
 */
export function containerStorage(): Storage {
  const uid = process.getuid?.() ?? 0;
  const root = join(dirname(cacheBinDir()), 'containers', 'storage');
  const rootHash = createHash('sha256').update(root).digest('hex').slice(0, 12);
  return { root, runRoot: join(tmpdir(), `nova-containers-run-${String(uid)}-${rootHash}`) };
}

export function storageFlags(storage: Storage = containerStorage()): string[] {
  return [
    '--root', storage.root,
    '--runroot', storage.runRoot,
    // overlay works on this machine; NOVA_CONTAINERS_STORAGE_DRIVER=vfs where it does not.
    '--storage-driver', process.env.NOVA_CONTAINERS_STORAGE_DRIVER ?? 'overlay',
  ];
}

export const CONTAINERS_INSTALL = 'bash scripts/setup.sh (scripts/setup.d/15-containers.sh installs buildah, podman and runc)';

export function buildah(args: readonly string[], timeoutMs?: number, storage: Storage = containerStorage()): Promise<string> {
  return runOk(findBinary({ name: 'buildah', install: CONTAINERS_INSTALL }), [...storageFlags(storage), ...args], { timeoutMs });
}

export interface BuildOptions {
  readonly tag: string;
  readonly containerfile: string;
  readonly context: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly target?: string;
  /** The project's storage under the cache folder unless a test brings its own. */
  readonly storage?: Storage;
}

/**
 * `buildah bud` with layer caching; RUN steps use the host network (npm reaches its registry).
 * `--force-rm`: without it Debian's buildah 1.28 keeps working containers of a `--target` build
 * (reproduced with a stage that has nothing but its FROM, as the Dockerfile's `pg-client`, and
 * test/ship/container-storage.test.ts checks it): each images run left about ten, each holding its
 * layers mounted, in a cache kept between runs.
 */
export async function buildImage(options: BuildOptions): Promise<void> {
  const args = ['bud', '--layers', '--force-rm', '--network=host', ...containerUlimits(), '-t', options.tag, '-f', options.containerfile];
  for (const [name, value] of Object.entries(options.buildArgs ?? {})) args.push('--build-arg', `${name}=${value}`);
  if (options.target !== undefined) args.push('--target', options.target);
  await buildah([...args, options.context], 1_800_000, options.storage);
}
