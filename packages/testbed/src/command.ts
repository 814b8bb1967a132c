/**
 * Runs the real tools the tests use (helm, kubectl, buildah, podman) as child processes, with a
 * typed error that carries the command and what it printed.
 */
import { execFile } from 'node:child_process';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class CommandFailedError extends Error {
  constructor(readonly command: string, readonly result: CommandResult) {
    super(`${command} exited ${result.code}: ${(result.stderr || result.stdout).trim().slice(-4000)}`);
    this.name = 'CommandFailedError';
  }
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly input?: string;
  readonly timeoutMs?: number;
}

/** Runs `binary args`; resolves with its exit code and output whatever the code. */
export function run(binary: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(binary, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      maxBuffer: 64 * 1024 * 1024,
      timeout: options.timeoutMs ?? 600_000,
    }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') {
        reject(new Error(`${binary} ${args.join(' ')} could not run: ${error.message}`));
        return;
      }
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs `binary args` and returns its stdout, or throws CommandFailedError. */
export async function runOk(binary: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await run(binary, args, options);
  if (result.code !== 0) throw new CommandFailedError(`${binary} ${args.join(' ')}`, result);
  return result.stdout;
}
