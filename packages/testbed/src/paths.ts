import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

/**
 * Folders of CRDs installed on every test control plane: ours, then the providers' (Istio,
 * Gateway API), vendored unchanged under test/ so a clean clone needs nothing beside it.
 */
export function defaultCrdDirs(): string[] {
  return [
    join(repoRoot(), 'crds'),
    join(repoRoot(), 'test', 'thirdparty-crds', 'istio'),
    join(repoRoot(), 'test', 'thirdparty-crds', 'gateway-api'),
  ];
}

/** The version a Go module under tools/ requires `modulePath` at (the pin setup builds). */
export function pinnedToolVersion(tool: string, modulePath: string): string {
  const goMod = readFileSync(join(repoRoot(), 'tools', tool, 'go.mod'), 'utf8');
  const escaped = modulePath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\d+\\.\\d+\\.\\d+)\\s*$`, 'm').exec(goMod);
  if (!match?.[1]) throw new Error(`tools/${tool}/go.mod does not require ${modulePath} at a vX.Y.Z version`);
  return match[1];
}
