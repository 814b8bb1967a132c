/**
 * The reaper of stale stack folders, on real processes: it kills what a dead owner left running,
 * and never a process that merely reuses a recorded pid (pid_max is 32768 on these machines, and
 * a busy run wraps it: a kept folder's old pid was once the demo's own, and the demo was killed).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processStartTime, reapStaleStacks, Stack, stackChildren } from './stack.js';

const roots: string[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function sleeper(): ChildProcess & { pid: number } {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  children.push(child);
  if (child.pid === undefined) throw new Error('sleep did not start');
  return child as ChildProcess & { pid: number };
}

/** A pid that named a process a moment ago and names none now: the owner of a stale folder. */
async function deadPid(): Promise<number> {
  const child = spawn('true', [], { stdio: 'ignore' });
  await new Promise((done) => child.once('exit', done));
  return child.pid ?? 0;
}

/** Resolves when `child` has exited (the reaper's SIGKILL reached it). */
function exited(child: ChildProcess): Promise<NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((done) => child.once('exit', (_code, signal) => { done(signal); }));
}

function staleFolder(lines: { owner: string; children: string[] }): { root: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'reap-test-'));
  roots.push(root);
  const dir = join(root, 'nova-testbed-stale');
  mkdirSync(dir);
  writeFileSync(join(dir, 'owner.pid'), `${lines.owner}\n`);
  writeFileSync(join(dir, 'children.pid'), lines.children.map((line) => `${line}\n`).join(''));
  return { root, dir };
}

describe('reapStaleStacks', () => {
  it('kills what a dead owner left running, only while the pid still names the process recorded, and removes the folder', async () => {
    const left = sleeper();
    const stranger = sleeper();
    const leftStart = processStartTime(left.pid);
    expect(leftStart).toMatch(/^\d+$/);
    const { root, dir } = staleFolder({
      owner: `${String(await deadPid())} 1`,
      // The stranger is recorded with another start time: its pid was reused since.
      children: [`${String(left.pid)} ${leftStart ?? ''}`, `${String(stranger.pid)} 1`],
    });
    expect(reapStaleStacks(root)).toBe(1);
    expect(await exited(left)).toBe('SIGKILL');
    expect(stranger.exitCode).toBeNull();
    expect(stranger.signalCode).toBeNull();
    expect(existsSync(dir)).toBe(false);
  });

  it('leaves a folder alone while its owner runs, even one recorded by pid alone', () => {
    const running = sleeper();
    const { root, dir } = staleFolder({ owner: String(process.pid), children: [String(running.pid)] });
    expect(reapStaleStacks(root)).toBe(0);
    expect(existsSync(dir)).toBe(true);
    expect(running.signalCode).toBeNull();
  });

  it('treats an owner whose pid was reused as dead', async () => {
    const left = sleeper();
    // This very process, recorded with a start time it never had: the pid now names a stranger.
    const { root } = staleFolder({ owner: `${String(process.pid)} 1`, children: [`${String(left.pid)} ${processStartTime(left.pid) ?? ''}`] });
    expect(reapStaleStacks(root)).toBe(1);
    expect(await exited(left)).toBe('SIGKILL');
  });

  it('records each child with its start time', async () => {
    const stack = Stack.create();
    try {
      const child = sleeper();
      stack.track({ pid: child.pid, stop: () => Promise.resolve() } as never);
      expect(stackChildren(stack.dir)).toEqual([{ pid: child.pid, startTime: processStartTime(child.pid) }]);
    } finally {
      await stack.stop();
    }
  });
});

describe('Stack.stop', () => {
  it('runs afterStop clean-ups once every process has stopped, newest first, before the folder goes', async () => {
    const stack = Stack.create();
    const order: string[] = [];
    stack.track({ pid: sleeper().pid, stop: () => { order.push('process stopped'); return Promise.resolve(); } } as never);
    stack.onStop(() => { order.push('onStop'); });
    stack.afterStop(() => { order.push(`first afterStop, folder there: ${String(existsSync(stack.dir))}`); });
    stack.afterStop(() => { order.push('second afterStop'); });
    await stack.stop();
    expect(order).toEqual(['onStop', 'process stopped', 'second afterStop', 'first afterStop, folder there: true']);
    expect(existsSync(stack.dir)).toBe(false);
  });
});
