/**
 * The publisher's per-bot send leases (one sender per bot across replicas) on the test bed's real
 * NATS KV: a bot's budget is with one replica at a time; the next one starts sending a window
 * after the last one gave it back (or, when that one died, after its lease ran out); a replica
 * that cannot have it in time fails the message as not sent. Each test uses bot ids of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { BotSendLeases, SendBudgetUnavailableError, openSendLeasesBucket } from '@nova/publisher-service/wiring';
import { component } from '@nova/testbed';
import { randomInt } from 'node:crypto';
import { until } from '../bus/support/nats.js';

const WINDOW_MS = 1_000;
let nc: NatsConnection;
let kv: KV;
const opened: BotSendLeases[] = [];
const connections: NatsConnection[] = [];

function leases(holder: string, options: { ttlMs?: number; maxWaitMs?: number; bucket?: KV } = {}): BotSendLeases {
  const made = new BotSendLeases(options.bucket ?? kv, { holder, windowMs: WINDOW_MS, idleReleaseMs: 100, pollMs: 20, ttlMs: options.ttlMs ?? 3_000, ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }) });
  opened.push(made);
  return made;
}

const botId = (): string => String(randomInt(1_000_000, 2_000_000_000));

beforeAll(async () => {
  nc = await connect({ servers: component('nats').url });
  kv = await openSendLeasesBucket(nc);
});

afterAll(async () => {
  for (const made of opened) await made.close();
  for (const connection of connections) await connection.close().catch(() => undefined);
  await nc.close();
});

describe('per-bot send leases on NATS KV', () => {
  it('lend a bot\'s budget to one replica at a time, and the next starts a window after the last one ended', async () => {
    const bot = botId();
    const [a, b] = [leases('replica-a'), leases('replica-b')];
    const leaveA = await a.gate(bot).enter();
    expect(a.holds(bot)).toBe(true);
    let bEnteredAt: number | undefined;
    const bEntering = b.gate(bot).enter().then((leave) => { bEnteredAt = Date.now(); return leave; });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bEnteredAt).toBeUndefined(); // a still sends for the bot
    const aEndedAt = Date.now();
    leaveA(); // a's last answer: after idleReleaseMs it gives the lease back
    (await bEntering)();
    expect(a.holds(bot)).toBe(false);
    expect(b.holds(bot)).toBe(true);
    // a's messages count in Telegram's window for a window after its last answer.
    expect((bEnteredAt ?? 0) - aEndedAt).toBeGreaterThanOrEqual(WINDOW_MS);
  });

  it('keep another replica out while the holder renews, and let it in a window after a dead holder\'s lease ran out', async () => {
    const bot = botId();
    const dying = await connect({ servers: component('nats').url });
    connections.push(dying);
    const a = leases('replica-dying', { ttlMs: 1_500, bucket: await openSendLeasesBucket(dying) });
    await a.gate(bot).enter(); // never left: a message in flight when the process died
    await new Promise((resolve) => setTimeout(resolve, 1_600)); // renewed past its first TTL
    const b = leases('replica-survivor');
    const refused = await b.gate(bot).enter(AbortSignal.timeout(300)).catch((error: unknown) => error);
    expect((refused as Error).name).toBe('TimeoutError');

    await dying.close(); // kill -9 of a's process: no renewal, no release
    const entry = await kv.get(`bot.${bot}`);
    const lastUntil = (JSON.parse(entry?.string() ?? '{}') as { until: number }).until;
    await b.gate(bot).enter();
    expect(Date.now()).toBeGreaterThanOrEqual(lastUntil + WINDOW_MS);
    expect(b.holds(bot)).toBe(true);
  });

  it('fail a message as not sent when the budget stays elsewhere longer than the wait allowed', async () => {
    const bot = botId();
    await leases('replica-busy').gate(bot).enter();
    const impatient = leases('replica-impatient', { maxWaitMs: 200 });
    await expect(impatient.gate(bot).enter()).rejects.toThrow(SendBudgetUnavailableError);
    await expect(impatient.gate(bot).enter()).rejects.toThrow(/its send budget stayed with replica-busy for \d+ ms; not sent/);
  });

  it('give every lease back at a graceful stop', async () => {
    const bot = botId();
    const a = leases('replica-stopping');
    const leave = await a.gate(bot).enter();
    leave();
    await a.close();
    await until('the lease is given back', async () => {
      const entry = await kv.get(`bot.${bot}`);
      return (JSON.parse(entry?.string() ?? '{}') as { until?: number }).until !== undefined && (JSON.parse(entry?.string() ?? '{}') as { until: number }).until <= Date.now();
    });
  });
});
