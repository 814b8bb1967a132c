/**
 * A handler's duration without Telegram's pacing, on real NATS JetStream and the Bot API
 * emulator over loopback HTTP: a handler that sends five messages to one chat waits for the
 * chat's turn (a burst of 3, then one a second), and the bus records that wait in
 * nova_bus_message_outside_wait_seconds instead of nova_bus_message_duration_seconds (the
 * operator's analysis judges the latter). A request's handler reports its wait with its answer,
 * so the caller's own time leaves it out too.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { connectJetStreamBus, type NovaBus } from '@nova/bus';
import type { Metrics } from '@nova/platform';
import { timeOwnWork } from '@nova/resilience';
import { TelegramClient } from '@nova/telegram';
import { TelegramEmulator, type EmulatedBot } from '@nova/telegram-emulator';
import { memoryLogger, startPrivateNats, testMetrics, until, type PrivateNats } from './support/nats.js';

const ann = { id: 8101, first_name: 'Ann' };
/** Five to one chat: three go out at once (Telegram's burst), the 4th and 5th wait about a second each. */
const MESSAGES = 5;
/** The least the 4th and 5th can wait together: the bucket gives a token a second, counted from answers. */
const LEAST_WAIT_SECONDS = 1.9;

let nats: PrivateNats;
let telegram: TelegramEmulator;
let caller: NovaBus;
let handler: NovaBus;
const callerMetrics = testMetrics('target');
const handlerMetrics = testMetrics('target');

beforeAll(async () => {
  nats = await startPrivateNats();
  telegram = await TelegramEmulator.start();
  caller = await connectJetStreamBus({ servers: [nats.info.url], name: 'caller', metrics: callerMetrics, logger: memoryLogger('caller').logger, requestTimeoutMs: 30_000 });
  handler = await connectJetStreamBus({ servers: [nats.info.url], name: 'handler', metrics: handlerMetrics, logger: memoryLogger('handler').logger, ensureStreams: false });
});

afterAll(async () => {
  await caller.close();
  await handler.close();
  await telegram.stop();
  await nats.stop();
});

let bots = 0;
/** A bot whose chat with Ann exists, and a client that keeps Telegram's limits (the default). */
function botAndClient(): { bot: EmulatedBot; client: TelegramClient } {
  const bot = telegram.createBot({ username: `outside_wait_${String(++bots)}_bot` });
  telegram.userSends(bot.token, { from: ann, text: '/start' });
  return { bot, client: new TelegramClient({ token: bot.token, apiRoot: telegram.apiRoot, registry: new Registry() }) };
}

/** Sends MESSAGES to Ann, one after another as a handler answering a burst would; answers the handler's wall time in seconds. */
async function answerAnn(client: TelegramClient, label: string): Promise<number> {
  const started = performance.now();
  for (let n = 1; n <= MESSAGES; n++) await client.sendMessage({ chat_id: ann.id, text: `${label} ${String(n)}` });
  return (performance.now() - started) / 1000;
}

/** A histogram's `_sum` and `_count` for one context, read from the exposition text. */
async function series(metrics: Metrics, name: string, context: string): Promise<{ sum: number; count: number }> {
  const text = await metrics.text();
  const read = (suffix: string): number => {
    const match = new RegExp(`^${name}_${suffix}\\{namespace="test",side="target",context="${context}"\\} (\\S+)$`, 'm').exec(text);
    return match === null ? Number.NaN : Number(match[1]);
  };
  return { sum: read('sum'), count: read('count') };
}

describe('a handler paced by Telegram', () => {
  it('is recorded for its own time, its wait for the chat\'s turn in a histogram of its own', async () => {
    const { bot, client } = botAndClient();
    let wallSeconds = 0;
    const binding = await handler.consumeUpdates({
      name: 'paced-updates', context: 'bot', botIds: [bot.id],
      handle: async () => { wallSeconds = await answerAnn(client, 'update'); },
    });
    await caller.publishUpdate({ botId: BigInt(bot.id), chatId: BigInt(ann.id), updateId: 1n, kind: 'message' });
    await until('the update handled', async () => (await series(handlerMetrics, 'nova_bus_message_duration_seconds', 'bot')).count === 1, 30_000);
    await binding.stop();

    const own = await series(handlerMetrics, 'nova_bus_message_duration_seconds', 'bot');
    const waited = await series(handlerMetrics, 'nova_bus_message_outside_wait_seconds', 'bot');
    expect(waited.count).toBe(1);
    expect(waited.sum).toBeGreaterThanOrEqual(LEAST_WAIT_SECONDS);
    // The two add up to the handler's whole time (the bus's clock starts a moment before the
    // handler's and stops a moment after): nothing is dropped, only moved to the other histogram.
    expect(own.sum + waited.sum).toBeGreaterThanOrEqual(wallSeconds - 0.001);
    expect(own.sum + waited.sum).toBeLessThan(wallSeconds + 0.5);
    expect(telegram.calls((call) => call.botId === bot.id && call.method === 'sendMessage' && call.status === 200)).toHaveLength(MESSAGES);
  });

  it('answers a request with its wait, and the caller\'s own time leaves it out too', async () => {
    const { client } = botAndClient();
    const binding = await handler.serve('user', {
      'svc.user.get': async (request) => {
        await answerAnn(client, 'request');
        return { user: { telegramId: request.telegramId, firstName: 'Ann' } };
      },
    });
    const timed = await timeOwnWork(() => caller.request('svc.user.get', { telegramId: BigInt(ann.id) }, { routingKey: BigInt(ann.id) }));
    await binding.stop();

    expect(timed.value.user?.firstName).toBe('Ann');
    const served = await series(handlerMetrics, 'nova_bus_message_outside_wait_seconds', 'user');
    expect(served.count).toBe(1);
    expect(served.sum).toBeGreaterThanOrEqual(LEAST_WAIT_SECONDS);
    // The answer's header carries the handler's wait (to a tenth of a millisecond).
    expect(timed.waitedSeconds).toBeCloseTo(served.sum, 3);
  });

  it('records no wait for a handler that sent nothing', async () => {
    const binding = await handler.serve('user', { 'svc.user.get': (request) => Promise.resolve({ user: { telegramId: request.telegramId, firstName: 'Bob' } }) });
    const before = await series(handlerMetrics, 'nova_bus_message_outside_wait_seconds', 'user');
    const timed = await timeOwnWork(() => caller.request('svc.user.get', { telegramId: 5n }));
    await binding.stop();
    const after = await series(handlerMetrics, 'nova_bus_message_outside_wait_seconds', 'user');
    expect(timed.waitedSeconds).toBe(0);
    // The series exists and counted this request (a missing series reads NaN, and NaN + 1 is NaN).
    expect(after.count).toBeGreaterThanOrEqual(1);
    expect(after.count).toBe(before.count + 1);
    expect(after.sum).toBe(before.sum);
  });
});
