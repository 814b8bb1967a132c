/**
 * Bot tokens never leave the client: every failure kind is provoked, and every error (message,
 * stack, JSON, inspect), log line, span, metric and emulator record is scanned for the token.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { Registry } from 'prom-client';
import { createTelegraf, redactToken, TelegramClient, type TelegramClientOptions } from '@nova/telegram';
import { generateToken, TelegramEmulator } from '@nova/telegram-emulator';
import { capturingLogger, memoryTracing } from './support.js';

describe('tokens never appear in errors, logs, spans or metrics', () => {
  let telegram: TelegramEmulator;
  beforeAll(async () => { telegram = await TelegramEmulator.start({ rateLimits: { perChat: { burst: 1, intervalMs: 1_000 } } }); });
  afterAll(() => telegram.stop());

  it('holds for every failure kind', async () => {
    const bot = telegram.createBot({ username: 'secret_keeper_bot' });
    telegram.userSends(bot.token, { from: { id: 1, first_name: 'Ann' }, text: '/start' });
    const unknownToken = generateToken(424_242);
    const closed = await TelegramEmulator.start();
    const closedRoot = closed.apiRoot;
    await closed.stop();

    const logger = capturingLogger();
    const { provider, finishedSpans } = memoryTracing();
    const registry = new Registry();
    const base: Partial<TelegramClientOptions> = {
      apiRoot: telegram.apiRoot, registry, logger, tracer: provider.getTracer('test'), timeoutMs: 100,
      retry: { maxServerRetries: 1, maxRateLimitRetries: 0, backoff: { baseMs: 1, capMs: 5 } },
      circuit: { failureThreshold: 2, windowSize: 2, openMs: 60_000 },
    };
    const client = new TelegramClient({ ...base, token: bot.token });
    const errors: unknown[] = [];
    const attempt = async (call: () => Promise<unknown>): Promise<void> => { await call().catch((error: unknown) => { errors.push(error); }); };

    await attempt(() => new TelegramClient({ ...base, token: unknownToken }).getMe()); // 401
    await attempt(() => new TelegramClient({ ...base, token: bot.token, apiRoot: closedRoot }).getMe()); // connection refused
    await attempt(() => client.sendMessage({ chat_id: 1, text: '' })); // 400
    await attempt(() => client.sendMessage({ chat_id: 999, text: 'x' })); // 400 chat not found
    await attempt(() => client.callRaw('noSuchMethod')); // 404
    await attempt(async () => { await client.sendMessage({ chat_id: 1, text: 'a' }); await new TelegramClient({ ...base, token: bot.token, limits: false }).sendMessage({ chat_id: 1, text: 'b' }); }); // 429
    telegram.injectFault(bot.token, { hang: true, times: 2 });
    await attempt(() => client.getMe()); // timeouts, retried
    telegram.injectFault(bot.token, { status: 500 });
    await attempt(() => client.getMe()); // 500s: the circuit opens
    await attempt(() => client.getMe()); // CircuitOpenError
    const bot2 = createTelegraf(bot.token, new TelegramClient({ ...base, token: bot.token }));
    await attempt(() => bot2.handleUpdate({ update_id: 1, message: { message_id: 1, date: 0, chat: { id: 1, type: 'private', first_name: 'Ann' }, from: { id: 1, is_bot: false, first_name: 'Ann' }, text: 'x' } }));
    telegram.clearFaults(bot.token);
    expect(errors.length).toBeGreaterThanOrEqual(9);

    const artifacts = [
      ...errors.flatMap((error) => [String(error), (error as Error).stack ?? '', JSON.stringify(error), inspect(error, { showHidden: true, depth: 6 })]),
      ...logger.lines,
      JSON.stringify((await finishedSpans()).map((span) => ({ name: span.name, attributes: span.attributes, events: span.events, status: span.status }))),
      await registry.metrics(),
      inspect(client, { showHidden: true, depth: 6 }),
      JSON.stringify(client),
      inspect(bot2.telegram, { depth: 6 }),
      JSON.stringify(telegram.calls()),
    ].join('\n');
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const token of [bot.token, unknownToken]) {
      expect(artifacts).not.toContain(token.split(':')[1]);
    }
    expect(artifacts).toContain(`bot ${String(bot.id)}`); // errors still say which bot
  });

  it('redactToken is there for other code that handles tokens', () => {
    const token = generateToken(77);
    expect(redactToken(`/webhook/${token}`)).toBe('/webhook/77:***');
  });
});
