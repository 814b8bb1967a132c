import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { preciseNow, TelegramEmulator, type EmulatedBot } from './index.js';
import { rawCall } from './testing/index.js';

const ann = { id: 5001, first_name: 'Ann', username: 'ann' };
const bob = { id: 5002, first_name: 'Bob' };

describe('TelegramEmulator: the Bot API over HTTP', () => {
  let telegram: TelegramEmulator;
  let bot: EmulatedBot;

  beforeAll(async () => {
    telegram = await TelegramEmulator.start({ rateLimits: false });
    bot = telegram.createBot({ username: 'nova_test_bot', firstName: 'Nova' });
    telegram.userSends(bot.token, { from: ann, text: 'hi' });
    telegram.userSends(bot.token, { from: bob, text: 'hi' });
  });
  afterAll(() => telegram.stop());

  it('makes tokens shaped like BotFather\'s', () => {
    expect(bot.token).toMatch(/^\d+:AA[A-Za-z0-9_-]{33}$/u);
    expect(bot.token.split(':')[1]).toHaveLength(35);
    expect(Number(bot.token.split(':')[0])).toBe(bot.id);
  });

  it('answers getMe with the bot user, method names case-insensitive', async () => {
    const answer = await rawCall(telegram.apiRoot, bot.token, 'GETME');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ok: true, result: expect.objectContaining({ id: bot.id, is_bot: true, username: 'nova_test_bot', first_name: 'Nova' }) });
  });

  it('answers 401 Unauthorized to an unknown token and to a known id with a wrong secret', async () => {
    const unknown = await rawCall(telegram.apiRoot, '42:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'getMe');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
    const wrongSecret = await rawCall(telegram.apiRoot, `${String(bot.id)}:AAwrongwrongwrongwrongwrongwrongwro`, 'getMe');
    expect(wrongSecret.status).toBe(401);
  });

  it('revokes a token like @BotFather: the old one gets 401, the new one works for the same bot', async () => {
    const bot = telegram.createBot({ username: 'revoked_bot' });
    const renewed = telegram.revokeToken(bot.token);
    expect(renewed.id).toBe(bot.id);
    expect(renewed.token).not.toBe(bot.token);
    expect((await rawCall(telegram.apiRoot, bot.token, 'getMe')).body).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
    expect((await rawCall(telegram.apiRoot, renewed.token, 'getMe')).body).toMatchObject({ ok: true, result: { id: bot.id, username: 'revoked_bot' } });
  });

  it('answers 404 Not Found to an unknown method and an unknown path', async () => {
    const method = await rawCall(telegram.apiRoot, bot.token, 'sendTelepathy');
    expect(method.status).toBe(404);
    expect(method.body).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
    const path = await fetch(`${telegram.apiRoot}/nothing-here`);
    expect(path.status).toBe(404);
  });

  it.each(['json', 'form', 'multipart', 'query'] as const)('reads %s parameters, reply_markup included', async (encoding) => {
    const markup = { inline_keyboard: [[{ text: 'Add a bot', callback_data: 'add' }]] };
    const answer = await rawCall(telegram.apiRoot, bot.token, 'sendMessage', { chat_id: ann.id, text: `via ${encoding}`, reply_markup: markup }, encoding);
    expect(answer.status).toBe(200);
    expect(answer.body['result']).toEqual(expect.objectContaining({ text: `via ${encoding}`, chat: expect.objectContaining({ id: ann.id, type: 'private' }), reply_markup: markup, from: expect.objectContaining({ id: bot.id, is_bot: true }) }));
  });

  it('validates sendMessage like Telegram: empty text, unknown chat, too long, bad parse_mode, bad keyboard', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ chat_id: ann.id, text: '' }, 'Bad Request: message text is empty'],
      [{ chat_id: ann.id, text: '   ' }, 'Bad Request: message text is empty'],
      [{ chat_id: 777, text: 'hello' }, 'Bad Request: chat not found'],
      [{ text: 'hello' }, 'Bad Request: chat_id is empty'],
      [{ chat_id: ann.id, text: 'x'.repeat(4097) }, 'Bad Request: message is too long'],
      [{ chat_id: ann.id, text: 'hi', parse_mode: 'Markdown3' }, 'Bad Request: unsupported parse_mode'],
      [{ chat_id: ann.id, text: 'hi', reply_markup: { inline_keyboard: [{ text: 'flat' }] } }, 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'],
    ];
    for (const [params, description] of cases) {
      const answer = await rawCall(telegram.apiRoot, bot.token, 'sendMessage', params);
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 400, body: { ok: false, error_code: 400, description } });
    }
  });

  it('answers 403 when the user blocked the bot, and forgets it when unblocked', async () => {
    telegram.userBlocksBot(bot.token, bob.id);
    const blocked = await rawCall(telegram.apiRoot, bot.token, 'sendMessage', { chat_id: bob.id, text: 'hello' });
    expect(blocked.body).toEqual({ ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    telegram.userUnblocksBot(bot.token, bob.id);
    expect((await rawCall(telegram.apiRoot, bot.token, 'sendMessage', { chat_id: bob.id, text: 'hello' })).status).toBe(200);
  });

  it('answers 403 "bot can\'t initiate conversation" to a person who wrote to another bot but never to this one', async () => {
    const other = telegram.createBot({ username: 'nova_other_bot' });
    const answer = await rawCall(telegram.apiRoot, other.token, 'sendMessage', { chat_id: ann.id, text: 'hello' });
    expect(answer.body).toEqual({ ok: false, error_code: 403, description: 'Forbidden: bot can\'t initiate conversation with a user' });
    // Once she writes to it, it may answer her; a chat no one knows stays "not found".
    telegram.userSends(other.token, { from: ann, text: 'hi' });
    expect((await rawCall(telegram.apiRoot, other.token, 'sendMessage', { chat_id: ann.id, text: 'hello' })).status).toBe(200);
    expect((await rawCall(telegram.apiRoot, other.token, 'sendMessage', { chat_id: 778, text: 'hello' })).body['description']).toBe('Bad Request: chat not found');
  });

  it('edits a message the bot sent, refusing a missing one and an unchanged one', async () => {
    const sent = (await rawCall(telegram.apiRoot, bot.token, 'sendMessage', { chat_id: ann.id, text: 'draft' })).body['result'] as { message_id: number };
    const edited = await rawCall(telegram.apiRoot, bot.token, 'editMessageText', { chat_id: ann.id, message_id: sent.message_id, text: 'final' });
    expect(edited.body['result']).toEqual(expect.objectContaining({ message_id: sent.message_id, text: 'final', edit_date: expect.any(Number) }));
    const same = await rawCall(telegram.apiRoot, bot.token, 'editMessageText', { chat_id: ann.id, message_id: sent.message_id, text: 'final' });
    expect(same.body['description']).toMatch(/^Bad Request: message is not modified/u);
    const missing = await rawCall(telegram.apiRoot, bot.token, 'editMessageText', { chat_id: ann.id, message_id: 99_999, text: 'x' });
    expect(missing.body['description']).toBe('Bad Request: message to edit not found');
    expect(telegram.messagesTo(ann.id).find((message) => message.message_id === sent.message_id)?.text).toBe('final');
  });

  it('answers a callback query once, from a button press on a bot message', async () => {
    const sent = (await rawCall(telegram.apiRoot, bot.token, 'sendMessage', { chat_id: ann.id, text: 'menu', reply_markup: { inline_keyboard: [[{ text: 'List', callback_data: 'list' }]] } })).body['result'] as { message_id: number };
    const update = telegram.userClicks(bot.token, { from: ann, chatId: ann.id, messageId: sent.message_id, data: 'list' });
    const queryId = update.callback_query?.id ?? '';
    expect(update.callback_query).toEqual(expect.objectContaining({ data: 'list', from: expect.objectContaining({ id: ann.id }), message: expect.objectContaining({ message_id: sent.message_id }) }));
    expect((await rawCall(telegram.apiRoot, bot.token, 'answerCallbackQuery', { callback_query_id: queryId, text: 'Listed' })).body).toEqual({ ok: true, result: true });
    expect(telegram.callbackAnswer(bot.token, queryId)).toEqual({ text: 'Listed', showAlert: false });
    const again = await rawCall(telegram.apiRoot, bot.token, 'answerCallbackQuery', { callback_query_id: queryId });
    expect(again.body['description']).toBe('Bad Request: query is too old and response timeout expired or query ID is invalid');
    expect(() => telegram.userClicks(bot.token, { from: ann, chatId: ann.id, messageId: 12_345, data: 'x' })).toThrow(/sent no message/u);
  });

  it('sends photos by URL or file_id', async () => {
    const answer = await rawCall(telegram.apiRoot, bot.token, 'sendPhoto', { chat_id: ann.id, photo: 'https://example.org/cat.jpg', caption: 'cat' });
    expect(answer.body['result']).toEqual(expect.objectContaining({ caption: 'cat', photo: expect.arrayContaining([expect.objectContaining({ file_id: expect.any(String) })]) }));
    expect((await rawCall(telegram.apiRoot, bot.token, 'sendPhoto', { chat_id: ann.id })).body['description']).toBe('Bad Request: there is no photo in the request');
  });

  it('lets a bot write to a group it was added to, by id and by @username', async () => {
    telegram.addChat(bot.token, { id: -100123, type: 'supergroup', title: 'Nova fans', username: 'novafans' });
    expect((await rawCall(telegram.apiRoot, bot.token, 'sendMessage', { chat_id: -100123, text: 'hello group' })).status).toBe(200);
    expect((await rawCall(telegram.apiRoot, bot.token, 'sendMessage', { chat_id: '@novafans', text: 'hello again' })).status).toBe(200);
    expect(telegram.messagesTo(-100123).map((message) => message.text)).toEqual(['hello group', 'hello again']);
  });

  it('records every call with the bot id and never the token', async () => {
    const before = telegram.calls().length;
    await rawCall(telegram.apiRoot, bot.token, 'sendMessage', { chat_id: ann.id, text: 'recorded' });
    const calls = telegram.calls();
    expect(calls).toHaveLength(before + 1);
    expect(calls.at(-1)).toEqual(expect.objectContaining({ botId: bot.id, method: 'sendMessage', status: 200, ok: true, params: { chat_id: ann.id, text: 'recorded' }, via: 'http' }));
    expect(JSON.stringify(calls)).not.toContain(bot.token.split(':')[1]);
  });

  it("stamps each call's arrival on the sub-millisecond clock too (preciseAt), between the caller's own readings of it", async () => {
    const sentAfter = preciseNow();
    await rawCall(telegram.apiRoot, bot.token, 'sendMessage', { chat_id: ann.id, text: 'first' });
    await rawCall(telegram.apiRoot, bot.token, 'sendMessage', { chat_id: ann.id, text: 'second' });
    const answeredBy = preciseNow();
    const [first, second] = telegram.calls().slice(-2);
    if (first === undefined || second === undefined) throw new Error('two calls expected');
    for (const call of [first, second]) {
      expect(call.preciseAt).toBeGreaterThanOrEqual(sentAfter);
      expect(call.preciseAt).toBeLessThanOrEqual(answeredBy);
    }
    expect(second.preciseAt).toBeGreaterThan(first.preciseAt);
    // Finer than whole milliseconds (both readings landing on an exact millisecond: about one in a million squared).
    expect([first, second].some((call) => !Number.isInteger(call.preciseAt))).toBe(true);
  });

  it('waits for the next message to a chat and counts messages already sent', async () => {
    const next = telegram.nextMessageTo(bob.id, { timeoutMs: 5_000 });
    await rawCall(telegram.apiRoot, bot.token, 'sendMessage', { chat_id: bob.id, text: 'awaited' });
    expect((await next).text).toBe('awaited');
    const all = await telegram.waitForMessages(bob.id, 2, { timeoutMs: 1_000 });
    expect(all.map((message) => message.text)).toEqual(['hello', 'awaited']);
    await expect(telegram.nextMessageTo(bob.id, { timeoutMs: 50 })).rejects.toThrow(/no message to chat 5002 within 50 ms/u);
  });

  it('refuses a body over the limit with 413 and changes nothing', async () => {
    const small = await TelegramEmulator.start({ bodyLimitBytes: 1024 });
    try {
      const smallBot = small.createBot({ username: 'tiny_bot' });
      small.userSends(smallBot.token, { from: ann, text: 'hi' });
      const answer = await rawCall(small.apiRoot, smallBot.token, 'sendMessage', { chat_id: ann.id, text: 'x'.repeat(4000) });
      expect(answer.status).toBe(413);
      expect(small.messagesTo(ann.id)).toEqual([]);
    } finally {
      await small.stop();
    }
  });
});
