import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { TelegramEmulator, TELEGRAM_RATE_LIMITS, type EmulatedBot } from './index.js';
import { rawCall } from './testing/index.js';

const ann = { id: 7001, first_name: 'Ann' };
const bob = { id: 7002, first_name: 'Bob' };
const GROUP = -4001;

describe('rate limits: 429 Too Many Requests with retry_after, as Telegram documents them', () => {
  let telegram: TelegramEmulator;
  let bot: EmulatedBot;
  const send = (chatId: number, text = 'x') => rawCall(telegram.apiRoot, bot.token, 'sendMessage', { chat_id: chatId, text });

  beforeAll(async () => {
    telegram = await TelegramEmulator.start();
    bot = telegram.createBot({ username: 'limited_bot' });
    telegram.userSends(bot.token, { from: ann, text: 'hi' });
    telegram.userSends(bot.token, { from: bob, text: 'hi' });
    telegram.addChat(bot.token, { id: GROUP, type: 'group', title: 'g' });
  });
  afterAll(() => telegram.stop());
  beforeEach(() => { telegram.setRateLimits(TELEGRAM_RATE_LIMITS); });

  it('defaults to 1 per second per chat with a burst of 3, 20 per minute per group, 30 per second per bot', () => {
    expect(TELEGRAM_RATE_LIMITS).toEqual({ perChat: { burst: 3, intervalMs: 1_000 }, perGroup: { limit: 20, windowMs: 60_000 }, perBot: { limit: 30, windowMs: 1_000 } });
  });

  it('lets a chat burst, then answers 429 with retry_after; another chat is not affected; the refused message is not stored', async () => {
    for (let i = 0; i < 3; i++) expect((await send(ann.id)).status).toBe(200);
    const refused = await send(ann.id, 'over the limit');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    expect(telegram.messagesTo(ann.id).map((message) => message.text)).not.toContain('over the limit');
    expect((await send(bob.id)).status).toBe(200);
  });

  it('counts a group per minute (tightened here to 2 per minute)', async () => {
    telegram.setRateLimits({ perGroup: { limit: 2, windowMs: 60_000 } });
    expect((await send(GROUP)).status).toBe(200);
    expect((await send(GROUP)).status).toBe(200);
    const refused = await send(GROUP);
    expect(refused.status).toBe(429);
    const retryAfter = (refused.body['parameters'] as { retry_after: number }).retry_after;
    expect(retryAfter).toBeGreaterThan(55);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('counts the whole bot per second (tightened here to 4), across chats', async () => {
    telegram.setRateLimits({ perBot: { limit: 4, windowMs: 1_000 }, perChat: { burst: 10, intervalMs: 1_000 } });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await send(i % 2 === 0 ? ann.id : bob.id)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it('does not limit reading calls, and can be turned off', async () => {
    telegram.setRateLimits({ perBot: { limit: 1, windowMs: 60_000 } });
    await send(ann.id);
    for (let i = 0; i < 5; i++) expect((await rawCall(telegram.apiRoot, bot.token, 'getMe')).status).toBe(200);
    expect((await send(ann.id)).status).toBe(429);
    telegram.setRateLimits(false);
    for (let i = 0; i < 5; i++) expect((await send(ann.id)).status).toBe(200);
  });
});

describe('fault injection', () => {
  let telegram: TelegramEmulator;
  let bot: EmulatedBot;
  let other: EmulatedBot;

  beforeAll(async () => {
    telegram = await TelegramEmulator.start({ rateLimits: false });
    bot = telegram.createBot({ username: 'faulty_bot' });
    other = telegram.createBot({ username: 'healthy_bot' });
  });
  afterAll(() => telegram.stop());

  it('answers 500 with Telegram\'s JSON and 502 with a proxy\'s HTML page, for a number of calls, to that bot only', async () => {
    telegram.injectFault(bot.token, { status: 500, times: 1 });
    telegram.injectFault(bot.token, { status: 502, times: 1 });
    const first = await rawCall(telegram.apiRoot, bot.token, 'getMe');
    expect(first.status).toBe(500);
    expect(first.body).toEqual({ ok: false, error_code: 500, description: 'Internal Server Error' });
    expect((await rawCall(telegram.apiRoot, other.token, 'getMe')).status).toBe(200);
    const second = await rawCall(telegram.apiRoot, bot.token, 'getMe');
    expect(second.status).toBe(502);
    expect(second.contentType).toBe('text/html');
    expect(second.text).toContain('502 Bad Gateway');
    expect((await rawCall(telegram.apiRoot, bot.token, 'getMe')).status).toBe(200);
  });

  it('answers 429 with the given retry_after, only for the listed methods, until cleared', async () => {
    const clear = telegram.injectFault(bot.token, { retryAfter: 7, methods: ['sendMessage'] });
    expect((await rawCall(telegram.apiRoot, bot.token, 'sendMessage', { chat_id: 1, text: 'x' })).body).toEqual({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } });
    expect((await rawCall(telegram.apiRoot, bot.token, 'getMe')).status).toBe(200);
    clear();
    expect((await rawCall(telegram.apiRoot, bot.token, 'sendMessage', { chat_id: 1, text: 'x' })).body['description']).toBe('Bad Request: chat not found');
  });

  it('hangs without answering for a while (the client times out), then answers again', async () => {
    telegram.injectFault(bot.token, { hang: true, forMs: 300 });
    await expect(fetch(`${telegram.apiRoot}/bot${bot.token}/getMe`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect(telegram.calls().at(-1)).toEqual(expect.objectContaining({ method: 'getMe', status: 0, ok: false }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await rawCall(telegram.apiRoot, bot.token, 'getMe')).status).toBe(200);
  });

  it('posts a message at once and answers it late (a sender that dies meanwhile never hears of it)', async () => {
    telegram.injectFault(bot.token, { answerDelayMs: 400, times: 1, methods: ['sendMessage'] });
    telegram.addChat(bot.token, { id: 7003, type: 'private', first_name: 'Cid' });
    const answer = rawCall(telegram.apiRoot, bot.token, 'sendMessage', { chat_id: 7003, text: 'slow' });
    const posted = await telegram.waitForCall((call) => call.method === 'sendMessage' && call.params['text'] === 'slow');
    expect(posted).toEqual(expect.objectContaining({ ok: true, status: 200 }));
    expect(telegram.messagesTo(7003).map((message) => message.text)).toEqual(['slow']); // posted before the answer
    expect((await answer).status).toBe(200);
  });
});
