import { describe, expect, it } from '@jest/globals';
import { PerKeyQueue } from './per-key-queue.js';

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('PerKeyQueue', () => {
  it('runs one key\'s tasks in order, one at a time, other keys meanwhile, and past a failure', async () => {
    const queue = new PerKeyQueue();
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
