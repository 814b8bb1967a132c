/**
 * What an SRE types, typed by the demo: the real kubectl (1.35, from the test bed's cache) with
 * the repository's bin/ on PATH, so `kubectl nova` is the plugin through kubectl's own discovery.
 */
import { cacheBinDir } from '@nova/testbed';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function kubectl(repoRoot: string, kubeconfig: string, args: readonly string[]): Promise<KubectlResult> {
  const path = [join(repoRoot, 'bin'), dirname(process.execPath), process.env.PATH ?? ''].join(':');
  return new Promise((resolve) => {
    execFile(join(cacheBinDir(), 'kubectl'), args, { env: { ...process.env, PATH: path, KUBECONFIG: kubeconfig }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

/** `kubectl ...` as a line to show, with the flags that only the demo needs left out. */
export function shown(args: readonly string[]): string {
  return `kubectl ${args.join(' ')}`;
}
