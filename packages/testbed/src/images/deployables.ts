/**
 * The deployables of the repository: every npm workspace whose package.json has a
 * `"nova": { "deployable": <image and Helm name>, "port": <port> }` field (the lead's contract).
 * A new service is picked up as soon as its workspace exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../paths.js';

export interface Deployable {
  /** The workspace folder, relative to the repository root (the Dockerfile's WORKSPACE). */
  readonly workspace: string;
  /** The image and Helm name. */
  readonly name: string;
  readonly port: number;
}

export class DeployableManifestError extends Error {
  constructor(workspace: string, problem: string) {
    super(`${workspace}/package.json: ${problem}`);
    this.name = 'DeployableManifestError';
  }
}

interface Manifest {
  readonly workspaces?: readonly string[];
  readonly nova?: { readonly deployable?: unknown; readonly port?: unknown };
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(repoRoot(), dir, 'package.json'), 'utf8')) as Manifest;
}

/** Workspace folders from the root package.json's globs (`dir` or `dir/*`, all npm uses here). */
export function workspaceFolders(): string[] {
  const folders: string[] = [];
  for (const pattern of readManifest('.').workspaces ?? []) {
    if (pattern.endsWith('/*')) {
      const parent = pattern.slice(0, -2);
      if (!existsSync(join(repoRoot(), parent))) continue;
      for (const entry of readdirSync(join(repoRoot(), parent), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (entry.isDirectory() && existsSync(join(repoRoot(), parent, entry.name, 'package.json'))) folders.push(`${parent}/${entry.name}`);
      }
    } else if (pattern.includes('*')) {
      throw new Error(`workspace pattern ${pattern} is not supported by @nova/testbed's images/deployables.ts`);
    } else if (existsSync(join(repoRoot(), pattern, 'package.json'))) {
      folders.push(pattern);
    }
  }
  return folders;
}

export function discoverDeployables(): Deployable[] {
  const deployables: Deployable[] = [];
  for (const workspace of workspaceFolders()) {
    const { nova } = readManifest(workspace);
    if (nova === undefined) continue;
    if (typeof nova.deployable !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(nova.deployable)) {
      throw new DeployableManifestError(workspace, 'nova.deployable must be a DNS label (the image and Helm name)');
    }
    if (typeof nova.port !== 'number' || !Number.isInteger(nova.port) || nova.port < 1 || nova.port > 65535) {
      throw new DeployableManifestError(workspace, 'nova.port must be an integer port');
    }
    if (!existsSync(join(repoRoot(), workspace, 'src', 'main.ts'))) {
      throw new DeployableManifestError(workspace, 'a deployable needs src/main.ts (its image runs dist/main.js)');
    }
    deployables.push({ workspace, name: nova.deployable, port: nova.port });
  }
  return deployables;
}
