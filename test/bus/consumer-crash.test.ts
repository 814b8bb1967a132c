/**
 * A consumer process SIGKILLed mid-stream loses nothing: the restarted process gets what the
 * dead one held (after the ack wait) and everything after it, each chat still in order.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { connectJetStreamBus, type NovaBus } from '@nova/bus';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLogger, startPrivateNats, testMetrics, until, type PrivateNats } from './support/nats.js';
import { runFixture, type Child } from './support/processes.js';

const BOT = 7001n;
const CHATS = 10;
const PER_CHAT = 20;
let nats: PrivateNats;
let publisher: NovaBus;
let dir: string;
const children: Child[] = [];

beforeAll(async () => {
  nats = await startPrivateNats();
  publisher = await connectJetStreamBus({ servers: [nats.info.url], name: 'publisher', metrics: testMetrics(), logger: memoryLogger('publisher').logger });
  dir = mkdtempSync(join(tmpdir(), 'nova-bus-crash-'));
});

afterAll(async () => {
  for (const child of children) child.process.kill('SIGKILL');
  await publisher.close();
  await nats.stop();
  rmSync(dir, { recursive: true, force: true });
});

function effects(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

it('loses no update when the consumer is killed mid-stream, and keeps each chat in order', async () => {
  const path = join(dir, 'effects.txt');
  const env = { NOVA_NATS_URL: nats.info.url, NOVA_HTTP_ADDRESS: '127.0.0.1:0', FIXTURE_EFFECTS: path, FIXTURE_HANDLER_MS: '5', FIXTURE_BOT_ID: String(BOT) };
  for (let i = 0; i < PER_CHAT; i++) {
    for (let chat = 1; chat <= CHATS; chat++) {
      await publisher.publishUpdate({ botId: BOT, chatId: BigInt(chat), updateId: BigInt(chat * 1000 + i), kind: 'message' });
    }
  }
  const first = runFixture('test/bus/fixtures/update-consumer.ts', env);
  children.push(first);
  await until('the first consumer handled some updates', () => effects(path).length >= 40, 60_000);
  first.process.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');
  const beforeRestart = effects(path).length;
  expect(beforeRestart).toBeLessThan(CHATS * PER_CHAT);

  const second = runFixture('test/bus/fixtures/update-consumer.ts', env);
  children.push(second);
  const expected = new Set<string>();
  for (let chat = 1; chat <= CHATS; chat++) for (let i = 0; i < PER_CHAT; i++) expected.add(`${String(chat)} ${String(chat * 1000 + i)}`);
  await until('every update handled', () => new Set(effects(path)).size === expected.size, 90_000);
  second.process.kill('SIGTERM');
  expect((await second.exited).code).toBe(0);

  const lines = effects(path);
  expect(new Set(lines)).toEqual(expected);
  // A kill between the effect and the ack redelivers at most the message each partition held.
  expect(lines.length - expected.size).toBeLessThanOrEqual(16);
  // Per chat, updates were first handled in publish order.
  const seen = new Set<string>();
  const firstSeen = new Map<string, number[]>();
  for (const line of lines) {
    if (seen.has(line)) continue;
    seen.add(line);
    const [chat, update] = line.split(' ') as [string, string];
    firstSeen.set(chat, [...(firstSeen.get(chat) ?? []), Number(update)]);
  }
  for (const [chat, updates] of firstSeen) {
    expect({ chat, updates }).toEqual({ chat, updates: [...updates].sort((a, b) => a - b) });
  }
});
