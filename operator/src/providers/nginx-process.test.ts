import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { childrenOf } from './nginx-process.js';

describe('childrenOf', () => {
  it('finds the processes a parent started, which is how a reload is confirmed', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = child.pid;
      expect(pid).toBeDefined();
      expect(await childrenOf(process.pid)).toContain(pid);
      expect(await childrenOf(2 ** 22 + 1)).toEqual(new Set());
    } finally {
      child.kill('SIGKILL');
    }
  });
});
