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

  it('posts to where `delivery.route` maps the bot\'s own webhook URL (an ingress the test plays), which the bot still sees as set', async () => {
    const routed = await TelegramEmulator.start({ delivery: { route: (url) => url.replace('https://bot.example.com', receiver.url) } });
    try {
      const routedBot = routed.createBot({ username: 'routed_bot' });
      expect((await rawCall(routed.apiRoot, routedBot.token, 'setWebhook', { url: 'https://bot.example.com/webhook/main', secret_token: SECRET })).status).toBe(200);
      const update = routed.userSends(routedBot.token, { from: ann, text: 'through the ingress' });
      await routed.waitForDelivery(routedBot.token, update.update_id);
      expect(receiver.received.map((delivered) => ({ secret: delivered.headers['x-telegram-bot-api-secret-token'], id: (delivered.body as Update).update_id })))
        .toEqual([{ secret: SECRET, id: update.update_id }]);
      expect(routed.webhookInfo(routedBot.token).url).toBe('https://bot.example.com/webhook/main');
    } finally {
      await routed.stop();
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

  it('delivers with the secret header, one chat\'s updates one at a time, in order, retrying each until a 2xx', async () => {
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

describe('webhooks: parallel delivery up to max_connections, and giving up', () => {
  let telegram: TelegramEmulator;
  let bot: EmulatedBot;
  let receiver: Receiver;
  /** Deliveries held by the receiver, per chat: release(chat) answers them (200) from then on. */
  let held: Map<number, () => void>;
  let inFlight: number;
  let maxInFlight: number;

  const people = (count: number, firstId = 7001) => Array.from({ length: count }, (_, index) => ({ id: firstId + index, first_name: `P${String(index)}` }));
  const chatOf = (delivered: { body: unknown }) => (delivered.body as Update).message?.chat.id ?? 0;
  const setWebhook = (params: Record<string, unknown>) => rawCall(telegram.apiRoot, bot.token, 'setWebhook', params);
  const webhookInfo = async () => (await rawCall(telegram.apiRoot, bot.token, 'getWebhookInfo')).body['result'] as Record<string, unknown>;
  let release: (chatId: number) => void = () => undefined;

  /** The receiver holds each delivery of a chat until that chat is released, counting deliveries in flight at once. */
  function holdUntilReleased(): void {
    const gates = new Map<number, Promise<void>>();
    const gateOf = (chat: number): Promise<void> => {
      const gate = gates.get(chat) ?? new Promise<void>((resolve) => { held.set(chat, resolve); });
      gates.set(chat, gate);
      return gate;
    };
    release = (chat) => { void gateOf(chat); held.get(chat)?.(); };
    receiver.answer = async (delivered) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await gateOf(chatOf(delivered));
      inFlight--;
      return 200;
    };
  }

  beforeEach(async () => {
    inFlight = 0;
    maxInFlight = 0;
    receiver = await startReceiver();
  });
  afterEach(async () => {
    for (const open of held.values()) open();
    await telegram.stop();
    await receiver.close();
  });

  async function startWith(delivery: Parameters<typeof TelegramEmulator.start>[0] = {}): Promise<void> {
    telegram = await TelegramEmulator.start({ delivery: { backoff: { baseMs: 20, capMs: 100 } }, ...delivery });
    bot = telegram.createBot({ username: 'parallel_bot' });
    held = new Map();
  }

  it('keeps at most max_connections deliveries in flight, one per chat, each chat in order; chats finish out of update_id order', async () => {
    await startWith();
    holdUntilReleased();
    await setWebhook({ url: receiver.url, max_connections: 3 });
    expect((await webhookInfo())['max_connections']).toBe(3);
    const chats = people(6);
    const sent = chats.flatMap((person) => [1, 2].map((n) => telegram.userSends(bot.token, { from: person, text: `${person.first_name} ${String(n)}` })));

    await until(() => receiver.received.length === 3);
    expect(telegram.deliveryState(bot.token)).toEqual(expect.objectContaining({ maxConnections: 3, inFlight: 3, pendingUpdateCount: 12 }));
    // The last of the three chats in flight finishes first: its second message goes before the others' firsts.
    const [first, second, third] = receiver.received.map(chatOf);
    release(third ?? 0);
    await until(() => telegram.deliveries(bot.id).filter((attempt) => attempt.delivered).length === 2);
    for (const person of chats) release(person.id);
    await telegram.waitForDelivery(bot.token, sent.at(-1)?.update_id ?? 0);
    await until(() => telegram.deliveries(bot.id).filter((attempt) => attempt.delivered).length === 12);

    expect(maxInFlight).toBe(3);
    expect(telegram.deliveryState(bot.token).maxInFlightSeen).toBe(3);
    const deliveredIds = telegram.deliveries(bot.id).filter((attempt) => attempt.delivered).map((attempt) => attempt.updateId);
    expect(deliveredIds.slice(0, 2)).toEqual(sent.filter((update) => update.message?.chat.id === third).map((update) => update.update_id));
    expect([first, second]).not.toContain(third);
    for (const person of chats) {
      const ids = receiver.received.filter((delivered) => chatOf(delivered) === person.id).map((delivered) => (delivered.body as Update).update_id);
      expect(ids).toEqual(sent.filter((update) => update.message?.chat.id === person.id).map((update) => update.update_id));
    }
    await until(() => telegram.webhookInfo(bot.token).pending_update_count === 0);
  });

  it('delivers to 40 connections at once when setWebhook names no max_connections, and clamps it into 1-100 as the Bot API server does', async () => {
    await startWith();
    holdUntilReleased();
    await setWebhook({ url: receiver.url, max_connections: 0 });
    expect((await webhookInfo())['max_connections']).toBe(1);
    await setWebhook({ url: receiver.url, max_connections: 500 });
    expect((await webhookInfo())['max_connections']).toBe(100);
    await setWebhook({ url: receiver.url });
    expect((await webhookInfo())['max_connections']).toBe(40);

    const chats = people(45);
    const sent = chats.map((person) => telegram.userSends(bot.token, { from: person, text: 'hi' }));
    expect(telegram.deliveryState(bot.token).inFlight).toBe(40);
    await until(() => receiver.received.length === 40);
    for (const person of chats) release(person.id);
    await until(() => telegram.deliveries(bot.id).filter((attempt) => attempt.delivered).length === sent.length);
    expect(maxInFlight).toBe(40);
    expect(telegram.deliveryState(bot.token).maxInFlightSeen).toBe(40);
  });

  it('counts every update not yet acknowledged in pending_update_count, those in flight included', async () => {
    await startWith();
    holdUntilReleased();
    await setWebhook({ url: receiver.url, max_connections: 10 });
    const chats = people(5);
    for (const person of chats) telegram.userSends(bot.token, { from: person, text: 'one' });
    telegram.userSends(bot.token, { from: chats[0] ?? ann, text: 'two' }); // waits behind the first chat's
    await until(() => receiver.received.length === 5);
    expect((await webhookInfo())['pending_update_count']).toBe(6);
    let left = 6;
    for (const person of chats.slice(1)) {
      release(person.id);
      left--;
      await until(() => telegram.webhookInfo(bot.token).pending_update_count === left);
    }
    expect((await webhookInfo())['pending_update_count']).toBe(2);
    release(chats[0]?.id ?? 0);
    await until(() => telegram.webhookInfo(bot.token).pending_update_count === 0);
    expect((await webhookInfo())['pending_update_count']).toBe(0);
    expect(receiver.received).toHaveLength(6);
  });

  it('drops an update after maxAttempts failures, counts it, shows the error, and moves its chat on', async () => {
    await startWith({ delivery: { backoff: { baseMs: 10, capMs: 20 }, maxAttempts: 3 } });
    const [broken, fine] = people(2);
    receiver.answer = (delivered) => ((delivered.body as Update).message?.text === 'poison' ? 502 : 200);
    await setWebhook({ url: receiver.url });
    const poison = telegram.userSends(bot.token, { from: broken ?? ann, text: 'poison' });
    const after = telegram.userSends(bot.token, { from: broken ?? ann, text: 'after' });
    const other = telegram.userSends(bot.token, { from: fine ?? ann, text: 'other' });
    await telegram.waitForDelivery(bot.token, after.update_id);
    await telegram.waitForDelivery(bot.token, other.update_id);

    const attempts = telegram.deliveries(bot.id).filter((attempt) => attempt.updateId === poison.update_id);
    expect(attempts.map((attempt) => [attempt.attempt, attempt.delivered, attempt.status, attempt.dropped])).toEqual([[1, false, 502, undefined], [2, false, 502, undefined], [3, false, 502, 'attempts']]);
    expect(telegram.deliveryState(bot.token)).toEqual(expect.objectContaining({ droppedUpdateCount: 1, droppedUpdateIds: [poison.update_id] }));
    const control = await fetch(`${telegram.apiRoot}/_emulator/bots/${String(bot.id)}/delivery`);
    expect(await control.json()).toEqual(expect.objectContaining({ droppedUpdateCount: 1, droppedUpdateIds: [poison.update_id], maxConnections: 40 }));
    await until(() => telegram.webhookInfo(bot.token).pending_update_count === 0);
    expect(await webhookInfo()).toEqual(expect.objectContaining({ pending_update_count: 0, last_error_message: 'Wrong response from the webhook: 502 Bad Gateway', last_error_date: expect.any(Number) }));
    expect(receiver.received.filter((delivered) => (delivered.body as Update).update_id === after.update_id)).toHaveLength(1);
  });

  it('drops an update once it would be retried later than maxAgeMs after it was queued (24 h on Telegram)', async () => {
    await startWith({ delivery: { backoff: { baseMs: 40, capMs: 80 }, maxAgeMs: 300 } });
    receiver.answer = () => 500;
    await setWebhook({ url: receiver.url });
    const queuedAt = Date.now();
    const update = telegram.userSends(bot.token, { from: ann, text: 'never answered' });
    await until(() => telegram.deliveryState(bot.token).droppedUpdateCount === 1);
    const droppedWithin = Date.now() - queuedAt;
    const attempts = telegram.deliveries(bot.id).filter((attempt) => attempt.updateId === update.update_id);
    const last = attempts.at(-1);
    expect(last?.dropped).toBe('age');
    expect(attempts.length).toBeGreaterThan(1);
    expect(attempts.slice(0, -1).every((attempt) => attempt.dropped === undefined && !attempt.delivered)).toBe(true);
    // Given up on only when its next try would be past the age: never before 300 ms minus the longest pause.
    expect(droppedWithin).toBeGreaterThanOrEqual(300 - 80);
    expect(telegram.webhookInfo(bot.token).pending_update_count).toBe(0);
    expect(telegram.deliveryState(bot.token).droppedUpdateIds).toEqual([update.update_id]);
  });
});

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
