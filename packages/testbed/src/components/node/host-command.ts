import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { NodeSetupError } from '../../errors.js';

const execFileAsync = promisify(execFile);

/** Runs one host command for the node component; a failure names the step it was for. */
export async function hostCommand(step: string, command: string, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? (error instanceof Error ? error.message : String(error));
    throw new NodeSetupError(step, [command, ...args].join(' '), stderr);
  }
}

/** The same command run inside the network namespace `netnsPath` (/proc/<pid>/ns/net) only. */
export function inNetns(netnsPath: string, step: string, command: string, args: readonly string[]): Promise<string> {
  return hostCommand(step, 'nsenter', [`--net=${netnsPath}`, '--', command, ...args]);
}
