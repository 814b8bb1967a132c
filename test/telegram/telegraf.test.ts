/**
 * telegraf on the Telegram client: updates delivered by the emulator's webhook are handed to
 * bot.handleUpdate (in Nova they come from JetStream), and every call the handlers make goes
 * through the client, so ctx.reply is paced and retried like a direct call.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { Registry } from 'prom-client';
import type { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { createTelegraf, TelegramApiError, TelegramClient, TelegramClients } from '@nova/telegram';
import { TelegramEmulator, type EmulatedBot } from '@nova/telegram-emulator';
import { startReceiver, type Receiver } from '@nova/telegram-emulator/testing';
import { memoryTracing } from './support.js';

const ann = { id: 9001, first_name: 'Ann' };
const SECRET = 'main-bot_secret';

describe('createTelegraf: telegraf whose calls all go through the client', () => {
  let telegram: TelegramEmulator;
  let receiver: Receiver;
  beforeAll(async () => {
    telegram = await TelegramEmulator.start({ delivery: { backoff: { baseMs: 20, capMs: 50 } } });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await telegram.stop();
    await receiver.close();
  });

  /** The receiver checks the secret and hands each update to the bot, answering 2xx only after it was handled. */
  function serve(bot: Telegraf, failFirst = 0): void {
    let failures = 0;
    receiver.answer = async (delivered) => {
      if (delivered.headers['x-telegram-bot-api-secret-token'] !== SECRET) return 401;
      if (failures < failFirst) {
        failures++;
        return 503;
      }
      await bot.handleUpdate(delivered.body as Update);
      return 200;
    };
  }

  async function setUp(username: string, client?: (token: string) => TelegramClient | TelegramClients): Promise<{ emulated: EmulatedBot; bot: Telegraf; clients: TelegramClients }> {
    const emulated = telegram.createBot({ username });
    const clients = new TelegramClients({ apiRoot: telegram.apiRoot, registry: new Registry() });
    const bot = createTelegraf(emulated.token, client?.(emulated.token) ?? clients);
    await bot.telegram.setWebhook(receiver.url, { secret_token: SECRET });
    return { emulated, bot, clients };
  }

  it('answers /start through the client, webhook reply off, after the delivery was retried until a 2xx', async () => {
    const { provider, finishedSpans } = memoryTracing();
    const { emulated, bot } = await setUp('telegraf_start_bot', (token) => new TelegramClient({ token, apiRoot: telegram.apiRoot, registry: new Registry(), tracer: provider.getTracer('test') }));
    bot.start((ctx) => ctx.reply(`Welcome, ${ctx.from.first_name}!`));
    serve(bot, 2);
    const reply = telegram.nextMessageTo(ann.id);
    const update = telegram.userSends(emulated.token, { from: ann, text: '/start' });
    expect((await reply).text).toBe('Welcome, Ann!');

    const delivery = await telegram.waitForDelivery(emulated.token, update.update_id);
    expect(delivery.attempt).toBe(3);
    const calls = telegram.calls((call) => call.botId === emulated.id);
    expect(calls.map((call) => [call.method, call.via])).toEqual([['setWebhook', 'http'], ['getMe', 'http'], ['sendMessage', 'http']]);
    expect((await finishedSpans()).map((span) => span.name)).toEqual(['telegram.setWebhook', 'telegram.getMe', 'telegram.sendMessage']);
  });

  it('ctx.reply is paced per chat and waits out a 429 like a direct call', async () => {
    const { emulated, bot } = await setUp('telegraf_paced_bot');
    bot.command('flood', async (ctx) => {
      for (let i = 1; i <= 5; i++) await ctx.reply(`reply ${String(i)}`);
    });
    serve(bot);
    telegram.injectFault(emulated.token, { retryAfter: 1, times: 1, methods: ['sendMessage'] });
    const update = telegram.userSends(emulated.token, { from: ann, text: '/flood' });
    await telegram.waitForDelivery(emulated.token, update.update_id, { timeoutMs: 20_000 });

    const sends = telegram.calls((call) => call.botId === emulated.id && call.method === 'sendMessage');
    expect(sends.map((call) => call.status)).toEqual([429, 200, 200, 200, 200, 200]);
    expect((sends[1]?.at ?? 0) - (sends[0]?.at ?? 0)).toBeGreaterThanOrEqual(990); // retry_after honoured
    expect(telegram.messagesTo(ann.id, { botId: emulated.id }).map((message) => message.text)).toEqual([1, 2, 3, 4, 5].map((n) => `reply ${String(n)}`));
    // The 429 arrived at the chat's first message; the bucket keeps its pace of one a second after the burst of 3.
    expect((sends[5]?.at ?? 0) - (sends[4]?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('a failing call rejects handleUpdate with the typed error (the consumer can redeliver) and leaves process.exitCode alone', async () => {
    const { bot } = await setUp('telegraf_failing_bot');
    bot.on('message', (ctx) => ctx.reply(''));
    telegram.userSends(telegram.createBot({ username: 'telegraf_other_bot' }).token, { from: ann, text: 'hi' });
    const exitCode = process.exitCode;
    const error = await bot.handleUpdate({ update_id: 1, message: { message_id: 1, date: 0, chat: { id: ann.id, type: 'private', first_name: 'Ann' }, from: { id: ann.id, is_bot: false, first_name: 'Ann' }, text: 'hi' } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TelegramApiError);
    // Ann wrote to another bot, never to this one: Telegram's 403.
    expect(error).toEqual(expect.objectContaining({ errorCode: 403, description: 'Forbidden: bot can\'t initiate conversation with a user' }));
    expect(process.exitCode).toBe(exitCode);
  });

  it('keeps the token out of JSON and inspect() of bot.telegram, and refuses a client of another bot', async () => {
    const { emulated, bot } = await setUp('telegraf_secret_bot');
    const secret = emulated.token.split(':')[1] ?? '';
    expect(JSON.stringify(bot.telegram)).not.toContain(secret);
    expect(inspect(bot.telegram, { depth: 4 })).not.toContain(secret);
    const other = telegram.createBot({ username: 'telegraf_other_bot' });
    const otherClient = new TelegramClient({ token: other.token, apiRoot: telegram.apiRoot, registry: new Registry() });
    expect(() => createTelegraf(emulated.token, otherClient)).toThrow(`createTelegraf: the client is bot ${String(other.id)}'s, the token is bot ${String(emulated.id)}'s`);
  });
});
