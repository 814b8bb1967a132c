/**
 * ClientChannelTelegram against the Telegram emulator through the real client: Telegram's
 * refusals are ChannelRefusedError (the channel fails alone), failures Telegram answered are
 * ChannelNotSentError (retry later, nothing was posted), a bot Nova no longer knows is refused,
 * and nothing thrown holds the token.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TelegramClients } from '@nova/telegram';
import { TelegramEmulator, type EmulatedBot } from '@nova/telegram-emulator';
import { Registry } from 'prom-client';
import { ChannelNotSentError, ChannelRefusedError } from '../domain/index.js';
import { ClientChannelTelegram } from './channel-telegram.js';

const channel = { id: -1005550001, type: 'channel' as const, title: 'Wiring news' };
let telegram: TelegramEmulator;
let bot: EmulatedBot;
let clients: TelegramClients;
let gateway: ClientChannelTelegram;
const post = { text: 'Hi', entities: [], photo: undefined, buttons: [] };

beforeAll(async () => {
  telegram = await TelegramEmulator.start({ rateLimits: false });
  bot = telegram.createBot({ username: 'wiring_poster_bot' });
  telegram.joinChat(bot.id, channel, { status: 'administrator', canPostMessages: true });
  clients = new TelegramClients({ apiRoot: telegram.apiRoot, registry: new Registry(), limits: false, retry: { maxServerRetries: 0, maxRateLimitRetries: 0 } });
  gateway = new ClientChannelTelegram(clients, { tokenFor: (botId) => Promise.resolve(botId === BigInt(bot.id) ? bot.token : undefined) });
});

afterAll(async () => {
  clients.close();
  await telegram.stop();
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected a failure');
}

describe('ClientChannelTelegram', () => {
  it('reads the chat and the bot\'s rights, and posts text and photos with buttons', async () => {
    expect(await gateway.getChat(BigInt(bot.id), BigInt(channel.id))).toEqual({ id: BigInt(channel.id), kind: 'channel', title: 'Wiring news' });
    expect(await gateway.getBotMembership(BigInt(bot.id), BigInt(channel.id))).toEqual({ status: 'administrator', canPostMessages: true });
    const buttons = [[{ text: 'Open', url: 'https://example.com' }]];
    const sent = await gateway.sendPost(BigInt(bot.id), BigInt(channel.id), { ...post, entities: [{ type: 'italic', offset: 0, length: 2 }], buttons });
    expect(telegram.messagesTo(channel.id).at(-1)).toMatchObject({ message_id: Number(sent.messageId), text: 'Hi', entities: [{ type: 'italic' }], reply_markup: { inline_keyboard: buttons } });
    await gateway.sendPost(BigInt(bot.id), BigInt(channel.id), { ...post, text: 'Caption', photo: 'https://example.com/p.jpg' });
    expect(telegram.calls((call) => call.method === 'sendPhoto').at(-1)?.params).toMatchObject({ chat_id: channel.id, photo: 'https://example.com/p.jpg', caption: 'Caption' });
  });

  it('types Telegram\'s refusals, its transient failures and an unknown bot; never leaks the token', async () => {
    const missing = await failure(gateway.sendPost(BigInt(bot.id), -1009n, post));
    expect(missing).toBeInstanceOf(ChannelRefusedError);
    expect(missing).toMatchObject({ errorCode: 400, description: 'Bad Request: chat not found' });
    const tooLong = await failure(gateway.sendPost(BigInt(bot.id), BigInt(channel.id), { ...post, text: 'x'.repeat(4097) }));
    expect(tooLong).toMatchObject({ errorCode: 400, description: 'Bad Request: message is too long' });

    telegram.injectFault(bot.id, { status: 502, times: 1 });
    const badGateway = await failure(gateway.sendPost(BigInt(bot.id), BigInt(channel.id), post));
    expect(badGateway).toBeInstanceOf(ChannelNotSentError);
    telegram.injectFault(bot.id, { retryAfter: 3, times: 1 });
    const tooMany = await failure(gateway.sendPost(BigInt(bot.id), BigInt(channel.id), post));
    expect(tooMany).toBeInstanceOf(ChannelNotSentError);
    expect((tooMany.cause as { retryAfterSeconds?: number }).retryAfterSeconds).toBe(3);

    const removed = await failure(gateway.sendPost(4242n, BigInt(channel.id), post));
    expect(removed).toMatchObject({ name: 'ChannelRefusedError', errorCode: 0, description: 'the bot was removed from Nova' });

    telegram.kickFromChat(bot.id, channel.id);
    const kicked = await failure(gateway.sendPost(BigInt(bot.id), BigInt(channel.id), post));
    expect(kicked).toMatchObject({ errorCode: 403, description: 'Forbidden: bot was kicked from the channel chat' });
    const secret = bot.token.split(':')[1] ?? '';
    for (const error of [missing, tooLong, badGateway, tooMany, removed, kicked]) expect(`${error.message} ${String(error.stack)} ${String((error.cause as Error | undefined)?.message)}`).not.toContain(secret);
  });
});
