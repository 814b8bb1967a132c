import { describe, expect, it } from '@jest/globals';
import { freePort } from '@nova/testbed';
import { createLogger } from '@nova/platform';
import { Writable } from 'node:stream';
import { prepareDatabase } from './database.js';

describe('prepareDatabase', () => {
  it('with a start to report to, waits while nothing listens, naming host:port and never the password, until the process stops', async () => {
    const port = await freePort();
    const lines: string[] = [];
    const logger = createLogger({ name: 'test', level: 'debug', destination: new Writable({ write(chunk: Buffer, _e, done) { lines.push(chunk.toString()); done(); } }) });
    const abort = new AbortController();
    const reasons: (string | undefined)[] = [];
    const waiting = prepareDatabase(`postgresql://nova:hunter2@127.0.0.1:${String(port)}/nova`, [], {
      logger,
      startup: {
        signal: abort.signal,
        waiting: (reason) => {
          reasons.push(reason);
          // Stopped while it waits (SIGTERM): the wait gives up on the abort.
          if (reasons.length === 2) abort.abort(new Error('stopping'));
        },
      },
    });
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(reasons).toHaveLength(2);
    for (const reason of reasons) expect(reason).toMatch(new RegExp(`^waiting for PostgreSQL at 127\\.0\\.0\\.1:${String(port)}: ECONNREFUSED`, 'u'));
    expect(lines.join('')).not.toContain('hunter2');
  });

  it('without one (tools, tests), fails at the first refusal', async () => {
    const port = await freePort();
    const logger = createLogger({ name: 'test', level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });
    await expect(prepareDatabase(`postgresql://nova@127.0.0.1:${String(port)}/nova`, [], { logger })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
