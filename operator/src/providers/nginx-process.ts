/**
 * Talking to a running nginx: test the full configuration, reload, and confirm the reload took.
 *
 * `nginx -s reload` only sends SIGHUP; the master then re-reads the configuration and, if it
 * loads, starts new workers and retires the old ones. A configuration that passed `nginx -t` can
 * still fail at that point (a port taken, a file gone), and then the old workers simply keep
 * serving. So a reload is confirmed by watching the master's children in /proc: old workers gone
 * (or at least new ones started) means the new configuration serves.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { NginxInstanceOptions } from './nginx-files.js';

const run = promisify(execFile);

export interface NginxCommandFailure {
  readonly ok: false;
  readonly output: string;
}

function baseArgs(instance: NginxInstanceOptions): string[] {
  return [...(instance.prefix === undefined ? [] : ['-p', instance.prefix]), '-c', instance.configFile];
}

async function nginx(instance: NginxInstanceOptions, args: readonly string[]): Promise<{ readonly ok: true } | NginxCommandFailure> {
  try {
    await run(instance.binary, [...baseArgs(instance), ...args], { timeout: 30_000 });
    return { ok: true };
  } catch (error) {
    const failed = error as { stderr?: unknown; message?: unknown };
    const stderr = typeof failed.stderr === 'string' ? failed.stderr.trim() : '';
    return { ok: false, output: stderr !== '' ? stderr : String(failed.message) };
  }
}

/** `nginx -t` on the whole configuration, the operator's files included. */
export function testConfig(instance: NginxInstanceOptions): Promise<{ readonly ok: true } | NginxCommandFailure> {
  return nginx(instance, ['-t', '-q']);
}

async function masterPid(instance: NginxInstanceOptions): Promise<number | undefined> {
  if (instance.pidFile === undefined) return undefined;
  const pid = Number((await readFile(instance.pidFile, 'utf8')).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Pids whose parent is `parent`, from /proc/<pid>/stat (field 4, after the parenthesised name). */
export async function childrenOf(parent: number): Promise<Set<number>> {
  const children = new Set<number>();
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return children;
  }
  await Promise.all(
    entries
      .filter((entry) => /^\d+$/u.test(entry))
      .map(async (entry) => {
        try {
          const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
          const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
          if (ppid === parent) children.add(Number(entry));
        } catch {
          // The process exited while we looked.
        }
      }),
  );
  return children;
}

/**
 * Reloads and waits until the new configuration serves. Resolves to undefined on success, or to
 * what went wrong.
 */
export async function reload(instance: NginxInstanceOptions, confirmTimeoutMs = 10_000): Promise<string | undefined> {
  const master = await masterPid(instance);
  const before = master === undefined ? new Set<number>() : await childrenOf(master);
  const signalled = await nginx(instance, ['-s', 'reload']);
  if (!signalled.ok) return signalled.output;
  if (master === undefined || before.size === 0) return undefined;
  const deadline = Date.now() + confirmTimeoutMs;
  let started = false;
  while (Date.now() < deadline) {
    const now = await childrenOf(master);
    started ||= [...now].some((pid) => !before.has(pid));
    if (started && ![...now].some((pid) => before.has(pid))) return undefined;
    await sleep(25);
  }
  // Old workers still finishing long requests are fine once new ones serve.
  return started ? undefined : `nginx did not start workers with the new configuration within ${confirmTimeoutMs} ms (see its error log)`;
}
