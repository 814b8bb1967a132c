/**
 * Plain nginx (no Kubernetes): the data plane for running the fleet on one machine. The operator
 * owns one pair of include files per migration (nginx-files.ts) and changes them safely:
 *
 *   1. write the new files atomically (temp file + rename: nginx never reads half a file);
 *   2. `nginx -t` on the whole configuration;
 *   3. if the test fails, put the previous files back (the running nginx never saw the new ones,
 *      so the old split keeps serving) and throw DataPlaneRejectedError with nginx's words;
 *   4. else `nginx -s reload` and confirm the new workers serve (nginx-process.ts); if the reload
 *      did not take, put the previous files back too, so files and traffic agree.
 *
 * Changes are serialized per nginx instance: `nginx -t` reads every migration's files, so two
 * migrations testing at once could see (and be blamed for) each other's half-done change.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DataPlaneRejectedError, ProviderSetupError, RouteNotFoundError } from './errors.js';
import { migrationFiles, parseUpstreamWeight, renderLocation, renderUpstream, type MigrationFiles, type NginxInstanceOptions } from './nginx-files.js';
import { reload, testConfig } from './nginx-process.js';
import { checkWeight, type FinalizePolicy, type ProviderMigration, type TrafficProvider, type WeightReading } from './provider.js';
import type { ProviderContext } from './registry.js';

type Contents = { readonly [K in keyof MigrationFiles]: string | undefined };

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Replaces `path` with `text` in one rename, or removes it when `text` is undefined. */
async function replaceFile(path: string, text: string | undefined): Promise<void> {
  if (text === undefined) {
    await rm(path, { force: true });
    return;
  }
  // A dot name that does not end in .conf, so the include globs never pick up a temp file.
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(temp, text, { mode: 0o644 });
  await rename(temp, path);
}

class NginxProvider implements TrafficProvider {
  readonly kind = 'nginx';
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly instance: NginxInstanceOptions) {}

  ensureRoute(migration: ProviderMigration): Promise<void> {
    return this.exclusive(async () => {
      const current = await this.read(migration);
      const weight = current.upstream === undefined ? 0 : (parseUpstreamWeight(current.upstream, migration)?.weight ?? 0);
      await this.install(migration, current, { upstream: renderUpstream(migration, weight), location: renderLocation(migration) });
    });
  }

  setWeight(migration: ProviderMigration, weight: number): Promise<void> {
    checkWeight(migration, weight);
    return this.exclusive(async () => {
      const current = await this.read(migration);
      if (current.location === undefined) throw new RouteNotFoundError(migration, `nginx route file ${this.files(migration).location}`);
      await this.install(migration, current, { upstream: renderUpstream(migration, weight), location: renderLocation(migration) });
    });
  }

  async readWeight(migration: ProviderMigration): Promise<WeightReading | undefined> {
    const current = await this.read(migration);
    if (current.upstream === undefined || current.location === undefined) return undefined;
    return parseUpstreamWeight(current.upstream, migration) ?? { weight: 0, exact: false };
  }

  finalize(migration: ProviderMigration, policy: FinalizePolicy): Promise<void> {
    if (policy === 'leaveAsIs') return Promise.resolve();
    return this.exclusive(async () => {
      const current = await this.read(migration);
      if (current.location === undefined) return;
      // The route stays, 100 % legacy, with the target left out of the file altogether.
      await this.install(migration, current, { upstream: renderUpstream(migration, 0, false), location: renderLocation(migration) });
    });
  }

  private files(migration: ProviderMigration): MigrationFiles {
    return migrationFiles(this.instance.confDir, migration);
  }

  private async read(migration: ProviderMigration): Promise<Contents> {
    const files = this.files(migration);
    const [upstream, location] = await Promise.all([readOrUndefined(files.upstream), readOrUndefined(files.location)]);
    return { upstream, location };
  }

  private async install(migration: ProviderMigration, previous: Contents, next: Contents): Promise<void> {
    if (previous.upstream === next.upstream && previous.location === next.location) return;
    const files = this.files(migration);
    await mkdir(this.instance.confDir, { recursive: true });
    // Upstream first: the location refers to the variable the upstream file defines.
    await replaceFile(files.upstream, next.upstream);
    await replaceFile(files.location, next.location);
    const tested = await testConfig(this.instance);
    const failure = tested.ok ? await reload(this.instance) : `nginx -t failed: ${tested.output}`;
    if (failure === undefined) return;
    await replaceFile(files.location, previous.location);
    await replaceFile(files.upstream, previous.upstream);
    throw new DataPlaneRejectedError(migration, `nginx configuration ${this.instance.configFile}`, failure);
  }

  /** Runs `task` after every earlier change to this nginx has finished, failed or not. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export function createNginxProvider(context: ProviderContext): TrafficProvider {
  if (context.nginx === undefined) throw new ProviderSetupError('nginx', 'this operator runs without an nginx instance (no nginx options given)');
  return new NginxProvider(context.nginx);
}
