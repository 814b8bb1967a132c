/**
 * The deployables as real child processes from their build (`services/<name>/dist/main.js`, run
 * `npm run build` first), each supervised by a test bed Stack (stopped with it, reaped after a
 * killed run) with its JSON log in the stack's log folder.
 */
import { freePort, SupervisedProcess, type Stack } from '@nova/testbed';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const NODE = resolve(ROOT, 'node_modules/.bin/node');

export type Deployable = 'webhook-gateway' | 'user-service' | 'bot-service' | 'publisher-service' | 'payment-service' | 'notification-service' | 'admin-panel' | 'monolith';

export interface LogLine {
  readonly level?: string;
  readonly msg?: string;
  readonly name?: string;
  readonly [field: string]: unknown;
}

export interface RunningService {
  /** Unique in the stack: the log file's name. */
  readonly name: string;
  readonly url: string;
  readonly address: string;
  readonly process: SupervisedProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  logText(): string;
  /** The JSON lines of logText(). */
  logLines(): LogLine[];
  /** The /metrics text. */
  metrics(): Promise<string>;
  /** Graceful stop (SIGTERM), SIGKILL after 15 s. */
  stop(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<string>;
}

export interface StartOptions {
  /** Log file name; default the deployable's. */
  readonly name?: string;
  /** A fixed address (e.g. one NOVA_PUBLIC_URL already names); default a free loopback port. */
  readonly address?: string;
  readonly readyTimeoutMs?: number;
}

/** Starts a deployable with `env` (plus PATH) and resolves once /readyz answers 200. */
export async function startService(stack: Stack, deployable: Deployable, env: Readonly<Record<string, string>>, options: StartOptions = {}): Promise<RunningService> {
  const address = options.address ?? `127.0.0.1:${String(await freePort())}`;
  const url = `http://${address}`;
  const name = options.name ?? deployable;
  const process = await SupervisedProcess.start(stack, {
    name,
    command: NODE,
    args: [resolve(ROOT, 'services', deployable, 'dist/main.js')],
    cwd: ROOT,
    env: { NOVA_LOG_LEVEL: 'debug', NOVA_NAMESPACE: 'nova-test', NOVA_SHUTDOWN_TIMEOUT: '20s', ...env, NOVA_HTTP_ADDRESS: address },
    ready: async () => {
      try {
        return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok;
      } catch {
        return false;
      }
    },
    readyTimeoutMs: options.readyTimeoutMs ?? 90_000,
    stopTimeoutMs: 15_000,
  });
  const logText = (): string => {
    try {
      return readFileSync(process.logPath, 'utf8');
    } catch {
      return '';
    }
  };
  return {
    name,
    url,
    address,
    process,
    logText,
    logLines: () => logText().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogLine),
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    stop: () => process.stop(),
    kill: (signal) => process.kill(signal),
  };
}

/** The value of one sample in Prometheus text (`name{labels}`), undefined when absent. */
export function sample(metrics: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const match = /^([^{\s]+)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const present = new Map([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) return Number(match[3]);
  }
  return undefined;
}

/**
 * SIGTERM, then how the process ended: "exited with code 0" for a graceful stop, else the exit
 * with what it logged from "shutting down" on, so a failed stop says which step hung or failed.
 */
export async function terminate(service: RunningService): Promise<string> {
  const exit = await service.kill('SIGTERM');
  if (exit === 'exited with code 0') return exit;
  const lines = service.logText().split('\n');
  const from = lines.findLastIndex((line) => line.includes('shutting down'));
  return `${exit}; its log from the stop on:\n${lines.slice(Math.max(0, from)).slice(-30).join('\n')}`;
}
