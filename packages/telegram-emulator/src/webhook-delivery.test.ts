import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { TelegramEmulator, type EmulatedBot } from './index.js';
import { rawCall, startReceiver, type Receiver } from './testing/index.js';
import type { Update } from './wire.js';

const ann = { id: 6001, first_name: 'Ann' };
const SECRET = 'per-bot_secret-42';

describe('webhooks: setWebhook and delivery, Telegram\'s way', () => {
  let telegram: TelegramEmulator;
  let bot: EmulatedBot;
  let receiver: Receiver;

  beforeEach(async () => {
    telegram = await TelegramEmulator.start({ delivery: { backoff: { baseMs: 20, capMs: 100 } } });
    bot = telegram.createBot({ username: 'hook_bot' });
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await telegram.stop();
    await receiver.close();
  });

  const setWebhook = (params: Record<string, unknown>) => rawCall(telegram.apiRoot, bot.token, 'setWebhook', params);

  it('validates secret_token (1-256 of A-Za-z0-9_-) and the URL, and changes nothing when refusing', async () => {
    expect((await setWebhook({ url: receiver.url, secret_token: 'has space' })).body).toEqual({ ok: false, error_code: 400, description: 'Bad Request: secret token contains unallowed characters' });
    expect((await setWebhook({ url: receiver.url, secret_token: `${bot.id}:colon` })).body['description']).toBe('Bad Request: secret token contains unallowed characters');
    expect((await setWebhook({ url: receiver.url, secret_token: 'a'.repeat(257) })).body['description']).toBe('Bad Request: secret token is too long');
    expect((await setWebhook({ url: 'not a url' })).body['description']).toBe('Bad Request: invalid webhook URL specified');
    expect(telegram.webhookInfo(bot.token).url).toBe('');
    expect((await setWebhook({ url: receiver.url, secret_token: 'a'.repeat(256) })).body).toEqual({ ok: true, result: true, description: 'Webhook was set' });
    expect((await setWebhook({ url: receiver.url, secret_token: 'a'.repeat(256) })).body['description']).toBe('Webhook is already set');
  });

  it('refuses http:// webhooks when it requires HTTPS, as Telegram does', async () => {
    const strict = await TelegramEmulator.start({ requireHttps: true });
    try {
      const strictBot = strict.createBot({ username: 'strict_bot' });
      expect((await rawCall(strict.apiRoot, strictBot.token, 'setWebhook', { url: receiver.url })).body['description']).toBe('Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
      expect((await rawCall(strict.apiRoot, strictBot.token, 'setWebhook', { url: 'https://bot.example.com:9999/hook' })).body['description']).toBe('Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443');
      expect((await rawCall(strict.apiRoot, strictBot.token, 'setWebhook', { url: 'https://bot.example.com/hook' })).status).toBe(200);
    } finally {
      await strict.stop();
    }
  });

  it('builds real Updates: update_id growing by one per bot, /commands marked as bot_command entities', () => {
    const first = telegram.userSends(bot.token, { from: ann, text: '/start' });
    const second = telegram.userSends(bot.token, { from: ann, text: 'hello /help@hook_bot now' });
    expect(second.update_id).toBe(first.update_id + 1);
    expect(first.message).toEqual(expect.objectContaining({
      text: '/start',
      entities: [{ type: 'bot_command', offset: 0, length: 6 }],
      chat: { id: ann.id, type: 'private', first_name: 'Ann' },
      from: { ...ann, is_bot: false },
      date: expect.any(Number),
    }));
    expect(second.message?.entities).toEqual([{ type: 'bot_command', offset: 6, length: 14 }]);
    expect(second.message?.message_id).toBe((first.message?.message_id ?? 0) + 1);
  });

  it('delivers with the secret header, one at a time, in order, retrying each until a 2xx', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    receiver.answer = async (_delivered, index) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return index < 3 ? 500 : 200; // the first update fails three times
    };
    await setWebhook({ url: receiver.url, secret_token: SECRET });
    const updates = [1, 2, 3].map((n) => telegram.userSends(bot.token, { from: ann, text: `message ${String(n)}` }));
    await telegram.waitForDelivery(bot.token, updates[2]?.update_id ?? 0);

    const deliveredIds = receiver.received.map((delivered) => (delivered.body as Update).update_id);
    const [u1, u2, u3] = updates.map((update) => update.update_id);
    expect(deliveredIds).toEqual([u1, u1, u1, u1, u2, u3]);
    expect(maxInFlight).toBe(1);
    for (const delivered of receiver.received) {
      expect(delivered.headers['x-telegram-bot-api-secret-token']).toBe(SECRET);
      expect(delivered.headers['content-type']).toBe('application/json');
    }
    const attempts = telegram.deliveries(bot.id).filter((attempt) => attempt.updateId === u1);
    expect(attempts.map((attempt) => [attempt.attempt, attempt.delivered, attempt.status])).toEqual([[1, false, 500], [2, false, 500], [3, false, 500], [4, true, 200]]);
    const info = (await rawCall(telegram.apiRoot, bot.token, 'getWebhookInfo')).body['result'];
    expect(info).toEqual(expect.objectContaining({ url: receiver.url, pending_update_count: 0, last_error_message: 'Wrong response from the webhook: 500 Internal Server Error', last_error_date: expect.any(Number) }));
  });

  it('keeps updates pending while the receiver is down, shows it in getWebhookInfo, and delivers once it is back', async () => {
    const down = await startReceiver();
    const url = down.url;
    await down.close(); // connection refused from now on
    await setWebhook({ url });
    telegram.userSends(bot.token, { from: ann, text: 'one' });
    telegram.userSends(bot.token, { from: ann, text: 'two' });
    await until(() => (telegram.webhookInfo(bot.token).last_error_message ?? '') !== '');
    const info = (await rawCall(telegram.apiRoot, bot.token, 'getWebhookInfo')).body['result'];
    expect(info).toEqual(expect.objectContaining({ pending_update_count: 2, last_error_message: 'Connection refused' }));
    await setWebhook({ url: receiver.url });
    await until(() => receiver.received.length === 2);
    expect(receiver.received.map((delivered) => (delivered.body as Update).message?.text)).toEqual(['one', 'two']);
    // The count drops when the emulator reads the delivery's answer, a moment after the receiver
    // recorded the update: wait for that state rather than read it at once.
    await until(() => telegram.webhookInfo(bot.token).pending_update_count === 0);
  });

  it('executes a method the receiver answers with (a webhook reply)', async () => {
    receiver.answer = (delivered) => ({ status: 200, json: { method: 'sendMessage', chat_id: (delivered.body as Update).message?.chat.id, text: 'webhook reply' } });
    await setWebhook({ url: receiver.url });
    const reply = telegram.nextMessageTo(ann.id);
    telegram.userSends(bot.token, { from: ann, text: '/start' });
    expect((await reply).text).toBe('webhook reply');
    expect(telegram.calls((call) => call.method === 'sendMessage').at(-1)?.via).toBe('webhook-reply');
  });

  it('serves getUpdates without a webhook (409 with one), confirming by offset', async () => {
    const first = telegram.userSends(bot.token, { from: ann, text: 'a' });
    telegram.userSends(bot.token, { from: ann, text: 'b' });
    const all = (await rawCall(telegram.apiRoot, bot.token, 'getUpdates')).body['result'] as Update[];
    expect(all.map((update) => update.message?.text)).toEqual(['a', 'b']);
    const rest = (await rawCall(telegram.apiRoot, bot.token, 'getUpdates', { offset: first.update_id + 1 })).body['result'] as Update[];
    expect(rest.map((update) => update.message?.text)).toEqual(['b']);
    await setWebhook({ url: receiver.url });
    expect((await rawCall(telegram.apiRoot, bot.token, 'getUpdates')).body).toEqual({
      ok: false, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    });
    expect((await rawCall(telegram.apiRoot, bot.token, 'deleteWebhook', { drop_pending_updates: true })).body).toEqual({ ok: true, result: true, description: 'Webhook was deleted' });
  });
});

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
