import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SupervisedProcess } from './process.js';

const STACK_PREFIX = 'nova-testbed-';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means it exists but belongs to someone else: treat it as alive, never kill it.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPids(path: string): number[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean).map(Number).filter(Number.isInteger);
  } catch {
    return [];
  }
}

/**
 * Kills the processes of stacks whose owner died without stopping them (a test run killed with
 * SIGKILL, a crashed demo) and removes their folders. Stacks with a live owner, such as a
 * developer's running demo, are left alone.
 */
export function reapStaleStacks(root = tmpdir()): number {
  let reaped = 0;
  for (const entry of readdirSync(root)) {
    if (!entry.startsWith(STACK_PREFIX)) continue;
    const dir = join(root, entry);
    const owner = readPids(join(dir, 'owner.pid'))[0];
    if (owner === undefined || isAlive(owner)) continue;
    for (const pid of readPids(join(dir, 'children.pid'))) {
      if (isAlive(pid)) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    }
    rmSync(dir, { recursive: true, force: true });
    reaped += 1;
  }
  return reaped;
}

/** One throwaway folder holding every component's data, config and logs for one run. */
export class Stack {
  readonly logDir: string;
  private readonly processes: SupervisedProcess[] = [];
  private readonly cleanups: (() => Promise<void> | void)[] = [];

  private constructor(readonly dir: string, private readonly keepOnStop: boolean) {
    this.logDir = join(dir, 'logs');
    mkdirSync(this.logDir, { recursive: true });
    writeFileSync(join(dir, 'owner.pid'), `${process.pid}\n`);
  }

  static create(options: { keep?: boolean } = {}): Stack {
    reapStaleStacks();
    return new Stack(mkdtempSync(join(tmpdir(), STACK_PREFIX)), options.keep ?? false);
  }

  /** A sub-folder for one component, created on first use. */
  path(...parts: string[]): string {
    const path = join(this.dir, ...parts);
    mkdirSync(path, { recursive: true });
    return path;
  }

  track(process: SupervisedProcess): void {
    this.processes.push(process);
    appendFileSync(join(this.dir, 'children.pid'), `${process.pid}\n`);
  }

  /** Runs at stop, before the processes are stopped (e.g. a graceful database shutdown). */
  onStop(cleanup: () => Promise<void> | void): void {
    this.cleanups.push(cleanup);
  }

  /**
   * Stops everything, newest first, and removes the folder unless asked to keep it. Every caller
   * waits for the one whole stop: a second caller (a second Ctrl-C, a signal handler beside a
   * finally block) returning early once let the process exit while kube-apiserver was stopping.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopEverything();
    return this.stopping;
  }

  private stopping: Promise<void> | undefined;

  private async stopEverything(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) {
      try { await cleanup(); } catch { /* stopping must go on */ }
    }
    await Promise.all(this.processes.splice(0).reverse().map((p) => p.stop()));
    if (!this.keepOnStop) rmSync(this.dir, { recursive: true, force: true });
  }
}
