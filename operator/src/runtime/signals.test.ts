/**
 * The operator's signal handling in a real child process (a signal and an exit cannot be played
 * inside jest's own): the built signals.js (npm test builds first), a server left open as a stuck
 * shutdown leaves a connection or a timer, and SIGTERM.
 */
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';

const SIGNALS = new URL('../../dist/runtime/signals.js', import.meta.url).href;
const LOG = new URL('../../dist/runtime/log.js', import.meta.url).href;

interface Exit { code: number | null; stderr: string; afterSignalMs: number }

/** Starts a process whose shutdown is `shutdownBody`, sends SIGTERM once it listens, and answers how it ended. */
function runWithShutdown(shutdownBody: string, deadlineMs: number): Promise<Exit> {
  const script = `
    import { createServer } from 'node:net';
    import { shutdownOnSignals } from ${JSON.stringify(SIGNALS)};
    import { jsonLogger } from ${JSON.stringify(LOG)};
    const server = createServer().listen(0, '127.0.0.1', () => { process.stdout.write('listening\\n'); });
    shutdownOnSignals(async () => { ${shutdownBody} }, jsonLogger({ component: 'signals-test' }, 'info'), { deadlineMs: ${String(deadlineMs)} });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return new Promise((resolve, reject) => {
    let signalledAt = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      if (signalledAt === 0 && chunk.toString().includes('listening')) {
        signalledAt = Date.now();
        child.kill('SIGTERM');
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => { resolve({ code, stderr, afterSignalMs: signalledAt === 0 ? -1 : Date.now() - signalledAt }); });
  });
}

describe('shutdownOnSignals', () => {
  it('exits 0 once the shutdown closed what held the process open, without waiting for the deadline', async () => {
    const exit = await runWithShutdown('await new Promise((resolve) => server.close(resolve));', 60_000);
    expect(exit.code).toBe(0);
    expect(exit.afterSignalMs).toBeLessThan(30_000);
    expect(exit.stderr).toContain('"msg":"shutting down"');
    expect(exit.stderr).not.toContain('deadline passed');
  });

  it('exits 1 at the deadline when something still holds the process open, and names what', async () => {
    // The shutdown finishes but leaves the server listening, as a watch left connected did.
    const exit = await runWithShutdown('', 300);
    expect(exit.code).toBe(1);
    expect(exit.afterSignalMs).toBeGreaterThanOrEqual(300);
    const line = exit.stderr.split('\n').find((l) => l.includes('shutdown deadline passed'));
    expect(line).toBeDefined();
    expect(JSON.parse(line ?? '{}')).toMatchObject({ level: 'error', deadlineMs: 300, lingering: expect.stringContaining('TCPServerWrap') });
  });
});
