import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeCgroupName, removeStaleCgroupRoot } from './components/node/cgroups.js';
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

/**
 * When the process with this pid started (clock ticks since boot, /proc/<pid>/stat's 22nd field),
 * or undefined where there is no /proc. A pid alone does not name a process for long: pid_max is
 * 32768 here, and a busy run wraps it within the hour, so a stale folder's pid may by then be a
 * stranger's, or this very run's.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // The command name (2nd field) is in parentheses and may hold spaces: count from after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** A process as a stack folder records it: its pid and, where known, when it started. */
export interface RecordedProcess {
  readonly pid: number;
  readonly startTime?: string;
}

/** Where /proc exists a start time is always recorded; "?" for a process already gone, never to be killed. */
const HAS_PROC = existsSync('/proc/self/stat');

function recordLine(pid: number): string {
  return HAS_PROC ? `${String(pid)} ${processStartTime(pid) ?? '?'}\n` : `${String(pid)}\n`;
}

function readRecords(path: string): RecordedProcess[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => {
      const [pid, startTime] = line.split(' ');
      return startTime === undefined ? { pid: Number(pid) } : { pid: Number(pid), startTime };
    }).filter((record) => Number.isInteger(record.pid) && record.pid > 0);
  } catch {
    return [];
  }
}

/** The recorded process is still the one that runs under its pid (not one that reused it). */
function isStillRunning(record: RecordedProcess): boolean {
  if (!isAlive(record.pid)) return false;
  if (record.startTime === undefined) return true; // recorded where there is no /proc
  return processStartTime(record.pid) === record.startTime;
}

/** The processes a stack folder started, oldest first (`children.pid`: one "pid start-time" per line). */
export function stackChildren(dir: string): RecordedProcess[] {
  return readRecords(join(dir, 'children.pid'));
}

/**
 * Kills the processes of stacks whose owner died without stopping them (a test run killed with
 * SIGKILL, a crashed demo) and removes their folders. Stacks with a live owner, such as a
 * developer's running demo, are left alone. A pid is killed only while it still names the process
 * recorded (same start time): never a stranger that reused it.
 */
export function reapStaleStacks(root = tmpdir()): number {
  let reaped = 0;
  for (const entry of readdirSync(root)) {
    if (!entry.startsWith(STACK_PREFIX)) continue;
    const dir = join(root, entry);
    const owner = readRecords(join(dir, 'owner.pid'))[0];
    if (owner === undefined || isStillRunning(owner)) continue;
    for (const child of stackChildren(dir)) {
      if (isStillRunning(child)) {
        try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    }
    // A node component's cgroups outlive its processes (empty folders under /sys/fs/cgroup).
    if (existsSync(join(dir, 'node'))) removeStaleCgroupRoot(nodeCgroupName(dir));
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
    writeFileSync(join(dir, 'owner.pid'), recordLine(process.pid));
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
    appendFileSync(join(this.dir, 'children.pid'), recordLine(process.pid));
  }

  /** Runs at stop, before the processes are stopped (e.g. a graceful database shutdown). */
  onStop(cleanup: () => Promise<void> | void): void {
    this.cleanups.push(cleanup);
  }

  /**
   * Runs at stop, after every process is gone and before the folder is removed: for what can only
   * be undone once nothing uses it (the node component's cgroups and network link).
   */
  afterStop(cleanup: () => Promise<void> | void): void {
    this.afterCleanups.push(cleanup);
  }

  private readonly afterCleanups: (() => Promise<void> | void)[] = [];

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
    for (const cleanup of this.afterCleanups.splice(0).reverse()) {
      try { await cleanup(); } catch { /* stopping must go on */ }
    }
    if (!this.keepOnStop) rmSync(this.dir, { recursive: true, force: true });
  }
}
