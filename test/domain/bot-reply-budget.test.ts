/**
 * The bot service's reply budget (each bot's Telegram budget shared by its replicas) on the test
 * bed's real NATS KV: a replica alone sends at once and at the whole budget; a newcomer sends only
 * once every replica has acknowledged it (at once when they were idle); together they never exceed
 * the limit in any window, through a join while the first is busy; a replica that leaves or dies gives its share back only a
 * window after its last sends could have counted. Each test uses a bucket of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { openReplySendersBucket, ReplyBudget } from '@nova/bot-service/wiring';
import { Metrics } from '@nova/platform';
import { component } from '@nova/testbed';
import { randomUUID } from 'node:crypto';
import { until } from '../bus/support/nats.js';

const WINDOW_MS = 1_000;
const LIMIT = 10;
const BOT = '7000001';
let nc: NatsConnection;
const opened: ReplyBudget[] = [];
const connections: NatsConnection[] = [];

async function bucket(connection: NatsConnection = nc): Promise<{ kv: KV; name: string }> {
  const name = `test_reply_senders_${randomUUID().slice(0, 8)}`;
  return { kv: await openReplySendersBucket(connection, { name }), name };
}

async function joined(kv: KV, holder: string, ttlMs = 3_000, metrics?: Metrics): Promise<ReplyBudget> {
  const budget = new ReplyBudget(kv, { holder, perBotLimit: LIMIT, windowMs: WINDOW_MS, ttlMs, ...(metrics === undefined ? {} : { metrics }) });
  opened.push(budget);
  await budget.start();
  return budget;
}

/** Sends `count` messages for the bot as fast as the budget lets, each answered at once; the instants each was out. */
async function sendFlatOut(budget: ReplyBudget, count: number, sent: number[]): Promise<void> {
  for (let n = 0; n < count; n += 1) {
    const leave = await budget.gate(BOT).enter(AbortSignal.timeout(30_000));
    sent.push(Date.now());
    leave();
  }
}

/** The most sends that fall within one window (strictly less than WINDOW_MS apart). */
function busiestWindow(instants: readonly number[]): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last += 1) {
    while ((sorted[last] ?? 0) - (sorted[first] ?? 0) >= WINDOW_MS) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

async function gaugeValue(metrics: Metrics, name: string): Promise<number | undefined> {
  return (await metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value;
}

beforeAll(async () => {
  nc = await connect({ servers: component('nats').url });
});

afterAll(async () => {
  for (const budget of opened) await budget.close();
  for (const connection of connections) await connection.close().catch(() => undefined);
  await nc.close();
});

describe('the bot service\'s reply budget on NATS KV', () => {
  it('lets a replica alone send at once, at the whole budget', async () => {
    const { kv } = await bucket();
    const alone = await joined(kv, 'replica-alone');
    (await alone.gate(BOT).enter(AbortSignal.timeout(10_000)))();
    expect(alone.senders()).toBe(1);
    expect(alone.share()).toBe(LIMIT);
  });

  it('halves the first replica\'s share when a second joins, and lets the second send once acknowledged: at once when the first was not busy', async () => {
    const { kv } = await bucket();
    const first = await joined(kv, 'replica-first');
    const metrics = new Metrics({ namespace: 'test', side: 'target', defaults: false });
    const second = await joined(kv, 'replica-second', 3_000, metrics);
    expect(await gaugeValue(metrics, 'nova_reply_budget_share')).toBe(0); // nothing goes out before the first acknowledged it
    (await second.gate(BOT).enter(AbortSignal.timeout(10_000)))();
    expect(first.senders()).toBe(2);
    expect(first.share()).toBe(LIMIT / 2);
    // The first's acknowledgement: it counts the second, and nothing it sent before is over its new share.
    const acknowledgement = JSON.parse((await kv.get('replica-first'))?.string() ?? '{}') as { sees: string[]; settled: boolean; pacingFor: number };
    expect(acknowledgement).toMatchObject({ sees: ['replica-second'], settled: true, pacingFor: 2 });
    expect(second.senders()).toBe(2);
    expect(second.share()).toBe(LIMIT / 2);
    expect(await gaugeValue(metrics, 'nova_reply_budget_senders')).toBe(2);
    expect(await gaugeValue(metrics, 'nova_reply_budget_share')).toBe(LIMIT / 2);
  });

  it('never lets two replicas send more than the limit in one window, through the second one\'s join', async () => {
    const { kv } = await bucket();
    const sent: number[] = [];
    const first = await joined(kv, 'replica-busy');
    const firstSends = sendFlatOut(first, 25, sent);
    // The second joins while the first's window is full of sends at the whole budget.
    await until('the first replica has sent a full window', () => sent.length >= LIMIT);
    const second = await joined(kv, 'replica-joining');
    await Promise.all([firstSends, sendFlatOut(second, 15, sent)]);
    expect(sent).toHaveLength(40);
    expect(busiestWindow(sent)).toBeLessThanOrEqual(LIMIT);
  });

  it('gives a leaving replica\'s share back to the others a window after they saw it leave', async () => {
    const { kv } = await bucket();
    const staying = await joined(kv, 'replica-staying');
    const leaving = await joined(kv, 'replica-leaving');
    await until('both pace for two', () => staying.senders() === 2 && leaving.senders() === 2);
    const leftAt = Date.now();
    await leaving.close();
    await until('the staying replica paces alone', () => staying.senders() === 1);
    expect(Date.now() - leftAt).toBeGreaterThanOrEqual(WINDOW_MS);
    expect(staying.share()).toBe(LIMIT);
  });

  it('counts a replica that died until its record ran out and a window more', async () => {
    const dying = await connect({ servers: component('nats').url });
    connections.push(dying);
    const { kv, name } = await bucket();
    const survivor = await joined(kv, 'replica-survivor');
    await joined(await openReplySendersBucket(dying, { name }), 'replica-dying', 1_500);
    await until('the survivor paces for two', () => survivor.senders() === 2);
    await dying.close(); // kill -9 of its process: no renewal, no leave
    const last = await kv.get('replica-dying');
    const lastUntil = (JSON.parse(last?.string() ?? '{}') as { until: number }).until;
    await until('the survivor paces alone', () => survivor.senders() === 1);
    expect(Date.now()).toBeGreaterThanOrEqual(lastUntil + WINDOW_MS);
  });

  it('holds a newcomer back until a dead replica that never acknowledged it has counted out', async () => {
    const dying = await connect({ servers: component('nats').url });
    connections.push(dying);
    const { kv, name } = await bucket();
    await joined(await openReplySendersBucket(dying, { name }), 'replica-crashed', 1_500);
    await dying.close(); // its record says it paces alone: its last window may hold the whole budget
    const last = await kv.get('replica-crashed');
    const lastUntil = (JSON.parse(last?.string() ?? '{}') as { until: number }).until;
    const newcomer = await joined(kv, 'replica-replacement');
    (await newcomer.gate(BOT).enter(AbortSignal.timeout(10_000)))();
    expect(Date.now()).toBeGreaterThanOrEqual(lastUntil + WINDOW_MS);
    expect(newcomer.share()).toBe(LIMIT);
  });
});
