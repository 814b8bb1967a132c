import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import type { StartupProgress } from './lifecycle.js';
import { createLogger } from './logger.js';
import { describeFailure, STARTUP_RETRY_MAX_MS, startupRetryDelay, waitForDependency } from './startup-wait.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(...chunk.toString().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)); done(); } });
  return { logger: createLogger({ name: 'startup-wait', level: 'debug', destination }), lines };
}

function progress(abort = new AbortController()): StartupProgress & { reasons: (string | undefined)[]; abort: AbortController } {
  const reasons: (string | undefined)[] = [];
  return { signal: abort.signal, waiting: (reason) => { reasons.push(reason); }, reasons, abort };
}

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
}

describe('waitForDependency', () => {
  it('waits out failures, reporting the reason each time and logging it once per change, then returns the result', async () => {
    const { logger, lines } = capture();
    const startup = progress();
    let calls = 0;
    const result = await waitForDependency({
      dependency: 'PostgreSQL',
      address: 'db:5432',
      attempt: () => {
        calls++;
        if (calls <= 3) return Promise.reject(refused());
        return Promise.resolve('connected');
      },
      startup,
      logger,
    });
    expect(result).toBe('connected');
    expect(startup.reasons).toEqual([
      ...Array<string>(3).fill('waiting for PostgreSQL at db:5432: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5432'),
      undefined,
    ]);
    expect(lines.map((line) => line.msg)).toEqual(['waiting for PostgreSQL at db:5432: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5432', 'PostgreSQL reachable; starting']);
  });

  it('throws a failure that is not transient at once, and any failure at once without startup', async () => {
    const { logger } = capture();
    const wrongPassword = Object.assign(new Error('password authentication failed for user "nova"'), { code: '28P01' });
    let calls = 0;
    await expect(waitForDependency({
      dependency: 'PostgreSQL', address: 'db:5432', logger, startup: progress(),
      attempt: () => { calls++; return Promise.reject(calls === 1 ? refused() : wrongPassword); },
      transient: (error) => (error as { code?: string }).code === 'ECONNREFUSED',
    })).rejects.toBe(wrongPassword);
    expect(calls).toBe(2);
    await expect(waitForDependency({ dependency: 'NATS', address: 'nats:4222', logger, startup: undefined, attempt: () => Promise.reject(refused()) })).rejects.toThrow('ECONNREFUSED');
  });

  it('gives up when the process is stopped while it waits', async () => {
    const { logger } = capture();
    const startup = progress();
    const waiting = waitForDependency({ dependency: 'NATS', address: 'nats:4222', logger, startup, attempt: () => Promise.reject(refused()) });
    startup.abort.abort(new Error('SIGTERM'));
    await expect(waiting).rejects.toThrow('SIGTERM');
  });

  it('backs off from 250 ms, doubling, to 2 s', () => {
    expect([0, 1, 2, 3, 4, 50].map(startupRetryDelay)).toEqual([250, 500, 1_000, 2_000, 2_000, STARTUP_RETRY_MAX_MS]);
  });
});

describe('describeFailure', () => {
  it('names the code and the message, scrubs credentials, and reads an AggregateError through its first error', () => {
    expect(describeFailure(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe('57P03: the database system is starting up');
    expect(describeFailure(new Error('cannot reach postgresql://nova:hunter2@db:5432/nova'))).not.toContain('hunter2');
    expect(describeFailure(Object.assign(new AggregateError([refused()], ''), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5432');
    expect(describeFailure('x'.repeat(400))).toHaveLength(300);
  });
});
