/**
 * The services' TelegramGateway against the Telegram emulator through the real client: what
 * Telegram refuses for good is a TelegramRejectedError (the domain does not retry it); a server
 * failure is anything else (the domain retries the update); nothing it throws holds the token.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TelegramClients } from '@nova/telegram';
import { TelegramEmulator, type EmulatedBot } from '@nova/telegram-emulator';
import { Registry } from 'prom-client';
import { TelegramRejectedError } from '../domain/index.js';
import { ClientTelegramGateway } from './telegram-gateway.js';

let telegram: TelegramEmulator;
let bot: EmulatedBot;
let gateway: ClientTelegramGateway;

beforeAll(async () => {
  telegram = await TelegramEmulator.start();
  bot = telegram.createBot({ username: 'gateway_test_bot' });
  telegram.userSends(bot.token, { from: { id: 42, first_name: 'Ann' }, text: 'hi' });
  gateway = new ClientTelegramGateway(new TelegramClients({ apiRoot: telegram.apiRoot, registry: new Registry(), retry: { maxServerRetries: 0, maxRateLimitRetries: 0 } }));
});

afterAll(() => telegram.stop());

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected a failure');
}

describe('ClientTelegramGateway', () => {
  it('makes the four calls the bots context needs, with Telegram\'s parameters', async () => {
    expect(await gateway.getMe(bot.token)).toEqual({ id: BigInt(bot.id), username: 'gateway_test_bot', isBot: true });
    await gateway.setWebhook(bot.token, { url: 'https://bot.example.com/webhook/bot/1', secretToken: 'per-bot-secret', allowedUpdates: ['message'], maxConnections: 7 });
    expect(telegram.botState(bot.id).webhook).toMatchObject({ url: 'https://bot.example.com/webhook/bot/1', secretToken: 'per-bot-secret', allowedUpdates: ['message'], maxConnections: 7 });
    await gateway.sendMessage(bot.token, { chatId: 42n, text: 'Hello', replyMarkup: { keyboard: [[{ text: 'A' }]], resize_keyboard: true } });
    expect(telegram.calls((call) => call.method === 'sendMessage').at(-1)?.params).toMatchObject({ chat_id: 42, text: 'Hello', reply_markup: { keyboard: [[{ text: 'A' }]], resize_keyboard: true } });
    await gateway.deleteWebhook(bot.token);
    expect(telegram.botState(bot.id).webhook).toBeUndefined();
  });

  it('turns Telegram\'s refusals into TelegramRejectedError and leaves server failures and 429s transient', async () => {
    const unknown = `${String(bot.id)}:${'B'.repeat(35)}`;
    const unauthorized = await failure(gateway.getMe(unknown));
    expect(unauthorized).toBeInstanceOf(TelegramRejectedError);
    expect(unauthorized).toMatchObject({ method: 'getMe', errorCode: 401, description: 'Unauthorized' });
    telegram.userBlocksBot(bot.id, 42);
    expect(await failure(gateway.sendMessage(bot.token, { chatId: 42n, text: 'x' }))).toMatchObject({ errorCode: 403, description: 'Forbidden: bot was blocked by the user' });
    telegram.userUnblocksBot(bot.id, 42);
    expect(await failure(gateway.sendMessage(bot.token, { chatId: 777n, text: 'x' }))).toMatchObject({ errorCode: 400 });

    telegram.injectFault(bot.id, { status: 502, times: 1 });
    const serverError = await failure(gateway.sendMessage(bot.token, { chatId: 42n, text: 'x' }));
    expect(serverError).not.toBeInstanceOf(TelegramRejectedError);
    telegram.injectFault(bot.id, { retryAfter: 1, times: 1 });
    const tooMany = await failure(gateway.sendMessage(bot.token, { chatId: 42n, text: 'x' }));
    expect(tooMany).not.toBeInstanceOf(TelegramRejectedError);
    for (const error of [unauthorized, serverError, tooMany]) expect(`${error.message} ${String(error.stack)}`).not.toContain(bot.token.split(':')[1]);
  });
});
