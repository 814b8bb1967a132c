import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file whether it runs from src/ or dist/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'tsconfig.build.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('could not find the repository root (no tsconfig.build.json above the test bed)');
    dir = parent;
  }
  return dir;
}

/** The team's shared folder (third-party CRDs and schemas), beside the clone unless NOVA_SHARED_DIR says otherwise. */
export function sharedDir(): string {
  return process.env.NOVA_SHARED_DIR ?? resolve(repoRoot(), '..', 'shared');
}

/** Folders of CRDs installed on every test control plane: ours, then the providers'. */
export function defaultCrdDirs(): string[] {
  return [
    join(repoRoot(), 'crds'),
    join(sharedDir(), 'thirdparty-crds', 'istio'),
    join(sharedDir(), 'thirdparty-crds', 'gateway-api'),
  ];
}
