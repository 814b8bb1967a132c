import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ComponentStartError } from './errors.js';
import type { Stack } from './stack.js';
import { waitFor } from './wait.js';

export interface SupervisedSpec {
  /** Short name, used for the log file and in errors. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Run as this user (e.g. PostgreSQL refuses to run as root). */
  readonly uid?: number;
  readonly gid?: number;
  /** Returns true once the process serves what it is for. */
  readonly ready: () => Promise<boolean>;
  readonly readyTimeoutMs?: number;
  /** Signal for a graceful stop; SIGKILL follows after `stopTimeoutMs`. */
  readonly stopSignal?: NodeJS.Signals;
  readonly stopTimeoutMs?: number;
}

/** The last `lines` lines of a log file, or '' when there is none yet. */
export function logTail(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * A child process whose output goes to `<stack>/logs/<name>.log`, registered in the stack so it
 * is stopped with it (or reaped by the next run if this one was killed).
 */
export class SupervisedProcess {
  readonly logPath: string;
  private exitDescription: string | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly spec: SupervisedSpec,
    private readonly child: ChildProcess,
    logPath: string,
  ) {
    this.logPath = logPath;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitDescription = signal !== null ? `killed by ${signal}` : `exited with code ${String(code)}`;
        resolve();
      });
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.spec.name} has no pid`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitDescription === undefined;
  }

  /** How it ended ("killed by SIGKILL", "exited with code 1"); undefined while it runs. */
  get ending(): string | undefined {
    return this.exitDescription;
  }

  /** Spawns the process and resolves once `spec.ready()` is true; fails with its log tail otherwise. */
  static async start(stack: Stack, spec: SupervisedSpec): Promise<SupervisedProcess> {
    const logPath = join(stack.logDir, `${spec.name}.log`);
    const logFd = openSync(logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn(spec.command, spec.args, {
        cwd: spec.cwd ?? stack.dir,
        env: { ...process.env, ...spec.env },
        stdio: ['ignore', logFd, logFd],
        ...(spec.uid === undefined ? {} : { uid: spec.uid }),
        ...(spec.gid === undefined ? {} : { gid: spec.gid }),
      });
    } finally {
      closeSync(logFd);
    }
    const supervised = new SupervisedProcess(spec, child, logPath);
    const spawnError = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => { resolve(undefined); });
      child.once('error', resolve);
    });
    if (spawnError !== undefined) {
      throw new ComponentStartError(spec.name, spawnError.message, logTail(logPath));
    }
    stack.track(supervised);
    const failure = await waitFor(spec.ready, {
      timeoutMs: spec.readyTimeoutMs ?? 60_000,
      abortReason: () => supervised.exitDescription,
    });
    if (failure !== undefined) {
      await supervised.stop();
      throw new ComponentStartError(spec.name, failure, logTail(logPath));
    }
    return supervised;
  }

  /** Graceful stop, then SIGKILL if it does not exit in time. Safe to call twice. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill(this.spec.stopSignal ?? 'SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) => {
      setTimeout(() => { resolve('timeout'); }, this.spec.stopTimeoutMs ?? 10_000).unref();
    });
    if ((await Promise.race([this.exited, timeout])) === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  /** Sends `signal` (SIGKILL by default: a crash, no clean-up) and resolves once the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<string> {
    if (this.running) this.child.kill(signal);
    return this.waitForExit();
  }

  /** Resolves when the process exits, whatever the reason. */
  async waitForExit(): Promise<string> {
    await this.exited;
    return this.exitDescription ?? 'exited';
  }
}
