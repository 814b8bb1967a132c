/**
 * podman (Debian's, installed by scripts/setup.d/15-containers.sh) with the flags that work on this
 * kind of machine: runc rather than crun (crun fails on its hybrid cgroups), cgroupfs, host
 * networking (the test bed listens on loopback), ulimits within what the machine allows, and the
 * project's image storage under the cache folder (buildah and the storage: @nova/testbed's
 * images/buildah.ts, shared with the one-node cluster).
 */
import { containerStorage, containerUlimits, CONTAINERS_INSTALL as INSTALL, findBinary, run, storageFlags, type CommandResult, type Storage } from '@nova/testbed';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

function podmanIn(storage: Storage, args: readonly string[]): Promise<CommandResult> {
  const runtime = findBinary({ name: 'runc', install: INSTALL });
  return run(findBinary({ name: 'podman', install: INSTALL }), [...storageFlags(storage), '--runtime', runtime, '--cgroup-manager=cgroupfs', ...args]);
}

/** podman's refusal to open a database another run root created, naming that run root. */
const RUN_ROOT_MISMATCH = /runroot\) "([^"]+)" does not match our storage temporary directory \(runroot\) "[^"]*": database configuration mismatch/;

/**
 * Opens a storage whose podman database was created with another run root. podman records the run
 * root in its database (<root>/libpod/bolt_state.db, or <root>/db.sql) and refuses every command
 * under another one; a cache made before the run root became one per storage root (any machine
 * that ran the suite before) has the shared one recorded. Its containers are removed under the run
 * root they were started with (so their layers are unmounted), then the database goes: it holds
 * only containers, and podman makes a new one; the images and their layers stay, so builds stay warm.
 */
export async function adoptStorage(storage: Storage): Promise<void> {
  const probe = await podmanIn(storage, ['ps', '--all', '--quiet']);
  const recorded = RUN_ROOT_MISMATCH.exec(probe.stderr)?.[1];
  if (probe.code === 0 || recorded === undefined) return;
  await podmanIn({ root: storage.root, runRoot: recorded }, ['rm', '--all', '--force']);
  for (const database of [join(storage.root, 'libpod', 'bolt_state.db'), join(storage.root, 'db.sql')]) rmSync(database, { force: true });
  const reopened = await podmanIn(storage, ['ps', '--all', '--quiet']);
  if (reopened.code !== 0) throw new Error(`podman could not open the storage ${storage.root} after its database (run root ${recorded}) was removed: ${reopened.stderr.trim()}`);
}

let adopted: Promise<void> | undefined;

export async function podmanResult(args: readonly string[]): Promise<CommandResult> {
  const storage = containerStorage();
  adopted ??= adoptStorage(storage);
  await adopted;
  return podmanIn(storage, args);
}

export async function podman(args: readonly string[]): Promise<string> {
  const result = await podmanResult(args);
  if (result.code !== 0) throw new Error(`podman ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** The image's OCI config (User, Labels, Entrypoint...). */
export async function imageConfig(tag: string): Promise<{ User?: string; Labels?: Record<string, string>; Entrypoint?: string[]; WorkingDir?: string; Env?: string[] }> {
  const [image] = JSON.parse(await podman(['image', 'inspect', tag])) as { Config?: { User?: string; Labels?: Record<string, string>; Entrypoint?: string[]; WorkingDir?: string; Env?: string[] } }[];
  return image?.Config ?? {};
}

export interface RunContainerOptions {
  readonly name: string;
  readonly image: string;
  readonly env: Readonly<Record<string, string>>;
  /** host path -> container path, mounted read-only. */
  readonly mounts?: Readonly<Record<string, string>>;
  /** The dev image recompiles in place; production images run read-only. */
  readonly writableRoot?: boolean;
}

/** Marks the containers a test process starts, so a later run can reap those of a killed one. */
const OWNER_LABEL = 'io.novabot.test-owner-pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes containers left by test processes that no longer exist (a run killed mid-way). */
export async function reapOrphanContainers(): Promise<void> {
  const listed = await podman(['ps', '--all', '--filter', `label=${OWNER_LABEL}`, '--format', 'json']);
  const containers = JSON.parse(listed === '' ? '[]' : listed) as { Names?: string[]; Labels?: Record<string, string> }[];
  for (const container of containers) {
    const owner = Number(container.Labels?.[OWNER_LABEL]);
    const name = container.Names?.[0];
    if (name !== undefined && Number.isInteger(owner) && !alive(owner)) await removeContainer(name);
  }
}

/** Starts a container detached, on the host network, with a read-only root and a /tmp tmpfs (as the chart runs it). */
export async function startContainer(options: RunContainerOptions): Promise<void> {
  const args = ['run', '-d', '--name', options.name, '--label', `${OWNER_LABEL}=${String(process.pid)}`, '--network=host', ...containerUlimits(),
    ...(options.writableRoot === true ? [] : ['--read-only', '--tmpfs', '/tmp'])];
  for (const [name, value] of Object.entries(options.env)) args.push('-e', `${name}=${value}`);
  for (const [host, container] of Object.entries(options.mounts ?? {})) args.push('-v', `${host}:${container}:ro`);
  await podman([...args, options.image]);
}

/**
 * Runs `command` in a throwaway container of `image` (entrypoint replaced) and returns its outcome.
 * `env` goes on podman's command line: test values only (the test bed's database login has no password).
 * `volumes` (host path -> container path) are mounted writable: the root stays read-only, as the chart runs it.
 */
export function runInImage(image: string, entrypoint: string, args: readonly string[], env: Readonly<Record<string, string>> = {}, volumes: Readonly<Record<string, string>> = {}): Promise<CommandResult> {
  const variables = Object.entries(env).flatMap(([name, value]) => ['--env', `${name}=${value}`]);
  const mounts = Object.entries(volumes).flatMap(([host, container]) => ['-v', `${host}:${container}`]);
  return podmanResult(['run', '--rm', '--network=host', ...containerUlimits(), '--read-only', ...variables, ...mounts, '--entrypoint', entrypoint, image, ...args]);
}

/** Runs a command inside a running container; returns its stdout or throws. */
export async function runInContainer(name: string, command: readonly string[]): Promise<string> {
  return podman(['exec', name, ...command]);
}

export interface ContainerState {
  readonly running: boolean;
  readonly exitCode: number;
  readonly pid: number;
}

export async function containerState(name: string): Promise<ContainerState> {
  const [container] = JSON.parse(await podman(['container', 'inspect', name])) as { State: { Running: boolean; ExitCode: number; Pid: number } }[];
  if (container === undefined) throw new Error(`no container ${name}`);
  return { running: container.State.Running, exitCode: container.State.ExitCode, pid: container.State.Pid };
}

export async function containerLogs(name: string): Promise<string> {
  const result = await podmanResult(['logs', name]);
  return `${result.stdout}${result.stderr}`.slice(-6000);
}

export async function removeContainer(name: string): Promise<void> {
  await podmanResult(['rm', '--force', '--time', '0', name]);
}
