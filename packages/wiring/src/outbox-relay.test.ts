import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@nova/platform';
import { Writable } from 'node:stream';
import { OutboxRelay } from './outbox-relay.js';

function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({ write(chunk: Buffer, _e, done) { lines.push(...chunk.toString().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)); done(); } });
  return { logger: createLogger({ name: 'test', level: 'debug', destination }), lines };
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('OutboxRelay', () => {
  it('flushes at start and every interval, warns once per outage, and flushes once more when stopped', async () => {
    const { logger, lines } = recordingLogger();
    let calls = 0;
    let broken = false;
    const relay = new OutboxRelay({
      name: 'user',
      intervalMs: 20,
      logger,
      flush: () => {
        calls++;
        return broken ? Promise.reject(new Error('nats: timeout')) : Promise.resolve(1);
      },
    });
    relay.start();
    await until(() => calls >= 3);
    broken = true;
    const failingFrom = calls;
    await until(() => calls >= failingFrom + 3);
    broken = false;
    await until(() => lines.some((line) => line.msg === 'outbox relay recovered'));
    await relay.stop();
    const afterStop = calls;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(calls).toBe(afterStop);
    expect(lines.filter((line) => line.msg === 'outbox relay failed; events stay pending and are retried')).toHaveLength(1);
  });

  it('never runs two flushes at once', async () => {
    const { logger } = recordingLogger();
    let running = 0;
    let most = 0;
    const relay = new OutboxRelay({
      name: 'bot', intervalMs: 1, logger,
      flush: async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
        return 0;
      },
    });
    relay.start();
    await Promise.all([relay.flushNow(), relay.flushNow()]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await relay.stop();
    expect(most).toBe(1);
  });
});
