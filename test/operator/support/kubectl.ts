/**
 * The real kubectl (the test bed's 1.35 binary) with this repository's bin/ on PATH, so
 * `kubectl nova ...` goes through kubectl's own plugin discovery, as a person's shell would.
 */
import { cacheBinDir } from '@nova/testbed';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';

const REPO_BIN = new URL('../../../bin/', import.meta.url).pathname;

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function env(kubeconfig: string): NodeJS.ProcessEnv {
  // node_modules/.bin/node first: the plugin's wrapper falls back to PATH's node otherwise.
  const path = [REPO_BIN, dirname(process.execPath), process.env.PATH ?? ''].join(':');
  return { ...process.env, PATH: path, KUBECONFIG: kubeconfig };
}

export function kubectl(kubeconfig: string, args: readonly string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(join(cacheBinDir(), 'kubectl'), args, { env: env(kubeconfig), timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running kubectl (watch): its output so far, and a way to stop it. */
export function kubectlStreaming(kubeconfig: string, args: readonly string[]): { child: ChildProcess; output: () => string; exited: Promise<number> } {
  const child = spawn(join(cacheBinDir(), 'kubectl'), args, { env: env(kubeconfig), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => { resolve(code ?? 1); }));
  return { child, output: () => out, exited };
}
