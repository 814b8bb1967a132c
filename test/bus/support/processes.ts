import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const NODE = resolve(ROOT, 'node_modules/.bin/node');

export interface Child {
  readonly process: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs a TypeScript fixture with Node 24 (type stripping), workspace packages from dist/. */
export function runFixture(path: string, env: Record<string, string>): Child {
  const child = spawn(NODE, [resolve(ROOT, path)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NOVA_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => { done({ code, signal }); });
  });
  return { process: child, output: () => output, exited };
}
