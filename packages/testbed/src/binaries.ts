import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { MissingBinaryError } from './errors.js';

/** Where scripts/setup.sh puts binaries it builds (outside the clone, so fresh clones reuse them). */
export function cacheBinDir(): string {
  return process.env.NOVA_CACHE_DIR !== undefined && process.env.NOVA_CACHE_DIR !== ''
    ? join(process.env.NOVA_CACHE_DIR, 'bin')
    : join(homedir(), '.cache', 'nova', 'bin');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface BinarySpec {
  /** File name looked up in the candidate folders, then on PATH. */
  readonly name: string;
  /** Absolute paths tried first, in order (e.g. Debian's /usr/lib/postgresql/15/bin). */
  readonly candidates?: readonly string[];
  /** The exact command that installs it, shown when it is missing. */
  readonly install: string;
}

/** The absolute path of a binary, or a MissingBinaryError naming the command that installs it. */
export function findBinary(spec: BinarySpec): string {
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, spec.name));
  for (const path of [...(spec.candidates ?? []), join(cacheBinDir(), spec.name), ...onPath]) {
    if (isExecutable(path)) return path;
  }
  throw new MissingBinaryError(spec.name, spec.install);
}
