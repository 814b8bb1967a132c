import { describe, expect, it } from '@jest/globals';
import { KeyedSerial } from './keyed-serial.js';

/** A task that finishes when the test says so, recording when it started. */
function gate(log: string[], name: string): { task: () => Promise<string>; open: () => void; fail: (error: Error) => void } {
  let open: () => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const done = new Promise<string>((resolve, reject) => {
    open = () => { resolve(name); };
    fail = reject;
  });
  return { task: () => { log.push(`start ${name}`); return done; }, open, fail };
}

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const settled = (): Promise<void> => new Promise((resolve) => { setImmediate(resolve); });

describe('KeyedSerial', () => {
  it('runs one key\'s tasks one at a time, in order, and other keys beside them', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const a1 = gate(log, 'a1');
    const a2 = gate(log, 'a2');
    const b1 = gate(log, 'b1');
    const results = [serial.run('a', a1.task), serial.run('a', a2.task), serial.run('b', b1.task)];
    await settled();
    expect(log).toEqual(['start a1', 'start b1']);
    a1.open();
    await settled();
    expect(log).toEqual(['start a1', 'start b1', 'start a2']);
    a2.open();
    b1.open();
    expect(await Promise.all(results)).toEqual(['a1', 'a2', 'b1']);
    await settled();
    expect(serial.size).toBe(0);
  });

  it('goes on after a failed task, whose caller alone gets its error', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const first = gate(log, 'first');
    const second = gate(log, 'second');
    const failed = serial.run('k', first.task);
    const next = serial.run('k', second.task);
    first.fail(new Error('row locked too long'));
    await expect(failed).rejects.toThrow('row locked too long');
    second.open();
    expect(await next).toBe('second');
  });

  it('runs one key\'s tasks in order, one at a time, other keys meanwhile, and past a failure', async () => {
    const queue = new KeyedSerial();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const task = (key: string, n: number, ms: number, fail = false) => queue.run(key, async () => {
      running++;
      most = Math.max(most, running);
      log.push(`${key}${String(n)} start`);
      await tick(ms);
      log.push(`${key}${String(n)} end`);
      running--;
      if (fail) throw new Error(`${key}${String(n)} failed`);
      return n;
    });
    const results = await Promise.allSettled([task('a', 1, 30, true), task('a', 2, 1), task('b', 1, 5), task('a', 3, 1)]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    const of = (key: string) => log.filter((line) => line.startsWith(key));
    expect(of('a')).toEqual(['a1 start', 'a1 end', 'a2 start', 'a2 end', 'a3 start', 'a3 end']);
    expect(log.indexOf('b1 end')).toBeLessThan(log.indexOf('a1 end'));
    expect(most).toBe(2);
    await tick(1);
    expect(queue.size).toBe(0);
  });
});
