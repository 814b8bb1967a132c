/** The deployables (and the bare baseline) as child processes of a benchmark, supervised by a test bed Stack. */
import { freePort, SupervisedProcess, type Stack } from '@nova/testbed';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface Started {
  readonly url: string;
  readonly address: string;
  readonly process: SupervisedProcess;
}

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

/**
 * BENCH_NODE_FLAGS: flags for every process the benchmark starts (V8's among them, which
 * NODE_OPTIONS does not take), to compare a runtime setting on both sides alike.
 */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');

/** `services/<name>/dist/main.js` (or any script under the repository) with `env`, ready when /readyz answers 200. */
export async function startProcess(stack: Stack, name: string, script: string, env: Readonly<Record<string, string>>, address?: string): Promise<Started> {
  const bound = address ?? `127.0.0.1:${String(await freePort())}`;
  const url = `http://${bound}`;
  const process = await SupervisedProcess.start(stack, {
    name,
    command: resolve(ROOT, 'node_modules/.bin/node'),
    args: [...NODE_FLAGS, resolve(ROOT, script)],
    cwd: ROOT,
    env: { NOVA_LOG_LEVEL: 'warn', ...env, NOVA_HTTP_ADDRESS: bound },
    ready: () => ready(`${url}/readyz`),
    readyTimeoutMs: 90_000,
  });
  return { url, address: bound, process };
}

export function deployable(name: 'webhook-gateway' | 'user-service' | 'bot-service' | 'monolith'): string {
  return `services/${name}/dist/main.js`;
}
