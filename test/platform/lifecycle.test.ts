/**
 * runService in a real process: SIGTERM lets the message in flight finish and be acked, then the
 * process exits 0; a second signal exits 1 at once; a bad environment exits 78 naming the
 * variable, without echoing a secret.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { connectJetStreamBus, type NovaBus } from '@nova/bus';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLogger, startPrivateNats, testMetrics, until, type PrivateNats } from '../bus/support/nats.js';
import { runFixture } from '../bus/support/processes.js';

const FIXTURE = 'test/bus/fixtures/update-consumer.ts';
let nats: PrivateNats;
let publisher: NovaBus;
let dir: string;

beforeAll(async () => {
  nats = await startPrivateNats();
  publisher = await connectJetStreamBus({ servers: [nats.info.url], name: 'publisher', metrics: testMetrics(), logger: memoryLogger('publisher').logger });
  dir = mkdtempSync(join(tmpdir(), 'nova-lifecycle-'));
});

afterAll(async () => {
  await publisher.close();
  await nats.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function ackPending(prefix: string): Promise<{ pending: number; ackPending: number }> {
  const nc = await connect({ servers: nats.info.url });
  try {
    const jsm = await jetstreamManager(nc);
    let pending = 0;
    let ackPending = 0;
    for await (const info of jsm.consumers.list('TELEGRAM')) {
      if (!info.name.startsWith(prefix)) continue;
      pending += info.num_pending;
      ackPending += info.num_ack_pending;
    }
    return { pending, ackPending };
  } finally {
    await nc.close();
  }
}

it('on SIGTERM turns not-ready, finishes and acks the message in flight, and exits 0', async () => {
  const effects = join(dir, 'graceful.txt');
  const child = runFixture(FIXTURE, { NOVA_NATS_URL: nats.info.url, NOVA_HTTP_ADDRESS: '127.0.0.1:0', FIXTURE_EFFECTS: effects, FIXTURE_HANDLER_MS: '1500', FIXTURE_BOT_ID: '6001', NOVA_SHUTDOWN_TIMEOUT: '20s' });
  await until('started', () => child.output().includes('"msg":"started"'), 30_000);
  const port = /"address":"127\.0\.0\.1:(\d+)"/.exec(child.output())?.[1];
  const ready = await fetch(`http://127.0.0.1:${port ?? ''}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ ready: true, checks: { bus: true } });
  await publisher.publishUpdate({ botId: 6001n, chatId: 3n, updateId: 77n, kind: 'message' });
  await until('the handler started', () => child.output().includes('handling 3 77'));
  child.process.kill('SIGTERM');
  expect(await child.exited).toEqual({ code: 0, signal: null });
  expect(child.output()).toContain('handled 3 77');
  expect(readFileSync(effects, 'utf8')).toBe('3 77\n');
  expect(await ackPending('fixture-updates-p')).toEqual({ pending: 0, ackPending: 0 });
  const lines = child.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string });
  expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
});

it('exits 1 at once on a second signal during the drain', async () => {
  const child = runFixture(FIXTURE, { NOVA_NATS_URL: nats.info.url, NOVA_HTTP_ADDRESS: '127.0.0.1:0', FIXTURE_EFFECTS: join(dir, 'forced.txt'), FIXTURE_HANDLER_MS: '60000', FIXTURE_BOT_ID: '6002', NOVA_SHUTDOWN_TIMEOUT: '60s' });
  await until('started', () => child.output().includes('"msg":"started"'), 30_000);
  await publisher.publishUpdate({ botId: 6002n, chatId: 3n, updateId: 78n, kind: 'message' });
  await until('the handler started', () => child.output().includes('handling 3 78'));
  child.process.kill('SIGTERM');
  await until('draining', () => child.output().includes('"msg":"shutting down"'));
  child.process.kill('SIGINT');
  expect((await child.exited).code).toBe(1);
  expect(child.output()).toContain('second signal during shutdown');
});

it('exits 1 when the drain outlives NOVA_SHUTDOWN_TIMEOUT', async () => {
  const child = runFixture(FIXTURE, { NOVA_NATS_URL: nats.info.url, NOVA_HTTP_ADDRESS: '127.0.0.1:0', FIXTURE_EFFECTS: join(dir, 'deadline.txt'), FIXTURE_HANDLER_MS: '60000', FIXTURE_BOT_ID: '6003', NOVA_SHUTDOWN_TIMEOUT: '500ms' });
  await until('started', () => child.output().includes('"msg":"started"'), 30_000);
  await publisher.publishUpdate({ botId: 6003n, chatId: 3n, updateId: 79n, kind: 'message' });
  await until('the handler started', () => child.output().includes('handling 3 79'));
  child.process.kill('SIGTERM');
  expect((await child.exited).code).toBe(1);
  expect(child.output()).toContain('shutdown deadline passed');
});

it('refuses a bad environment with one line per variable, exit 78, no secret echoed', async () => {
  const child = runFixture(FIXTURE, { NOVA_NATS_URL: 'http://nats:4222', NOVA_SHUTDOWN_TIMEOUT: 'soon', NOVA_HTTP_ADDRESS: 'hunter22-password-like' });
  expect((await child.exited).code).toBe(78);
  const lines = child.output().trim().split('\n');
  expect(lines).toEqual([
    'update-consumer: invalid configuration: NOVA_HTTP_ADDRESS: must be host:port, e.g. 0.0.0.0:8101',
    'update-consumer: invalid configuration: NOVA_SHUTDOWN_TIMEOUT: must be a duration like 500ms, 10s or 1m30s',
    'update-consumer: invalid configuration: NOVA_NATS_URL: must be comma-separated NATS URLs, e.g. nats://nats:4222',
  ]);
  expect(child.output()).not.toContain('hunter22');
});
