/**
 * Groups and channels as a bot sees them: its standing (getChatMember), the administrators it
 * may list, and the refusals Telegram answers when the bot lost its rights or was removed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TelegramEmulator, type EmulatedBot } from './index.js';
import { rawCall } from './testing/index.js';

const owner = { id: 7001, first_name: 'Olga', username: 'olga' };
const news = { id: -1001234567890, type: 'channel' as const, title: 'News' };
const quiet = { id: -1001234567891, type: 'channel' as const, title: 'Quiet' };
const chatGroup = { id: -1001234567892, type: 'supergroup' as const, title: 'Chat' };

describe('TelegramEmulator: channels and groups', () => {
  let telegram: TelegramEmulator;
  let bot: EmulatedBot;

  beforeAll(async () => {
    telegram = await TelegramEmulator.start({ rateLimits: false });
    bot = telegram.createBot({ username: 'poster_bot' });
    telegram.joinChat(bot.id, news, { status: 'administrator', canPostMessages: true, owner });
    telegram.joinChat(bot.id, quiet, { status: 'administrator', canPostMessages: false });
    telegram.joinChat(bot.id, chatGroup, { status: 'member' });
  });
  afterAll(() => telegram.stop());

  it('reports the bot\'s own standing with the rights of ChatMemberAdministrator', async () => {
    const admin = await rawCall(telegram.apiRoot, bot.token, 'getChatMember', { chat_id: news.id, user_id: bot.id });
    expect(admin.body).toMatchObject({ ok: true, result: { status: 'administrator', user: { id: bot.id, is_bot: true }, can_post_messages: true, can_edit_messages: true, can_manage_chat: true } });
    const noPost = await rawCall(telegram.apiRoot, bot.token, 'getChatMember', { chat_id: quiet.id, user_id: bot.id });
    expect(noPost.body).toMatchObject({ ok: true, result: { status: 'administrator', can_post_messages: false } });
    const member = await rawCall(telegram.apiRoot, bot.token, 'getChatMember', { chat_id: chatGroup.id, user_id: bot.id });
    expect(member.body).toEqual({ ok: true, result: { status: 'member', user: expect.objectContaining({ id: bot.id }) } });
    const creator = await rawCall(telegram.apiRoot, bot.token, 'getChatMember', { chat_id: news.id, user_id: owner.id });
    expect(creator.body).toMatchObject({ ok: true, result: { status: 'creator', user: { id: owner.id, is_bot: false } } });
  });

  it('lists administrators: the creator and the bot', async () => {
    const admins = await rawCall(telegram.apiRoot, bot.token, 'getChatAdministrators', { chat_id: news.id });
    expect((admins.body['result'] as { status: string }[]).map((member) => member.status)).toEqual(['creator', 'administrator']);
  });

  it('answers 400 chat not found for a chat the bot was never added to', async () => {
    const answer = await rawCall(telegram.apiRoot, bot.token, 'getChatMember', { chat_id: -1009999, user_id: bot.id });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ ok: false, error_code: 400, description: 'Bad Request: chat not found' });
  });

  it('posts in a channel only as an administrator allowed to post', async () => {
    const posted = await rawCall(telegram.apiRoot, bot.token, 'sendMessage', { chat_id: news.id, text: 'hello', entities: [{ type: 'bold', offset: 0, length: 5 }] });
    expect(posted.body).toMatchObject({ ok: true, result: { chat: { id: news.id }, text: 'hello', entities: [{ type: 'bold' }] } });
    const refused = await rawCall(telegram.apiRoot, bot.token, 'sendPhoto', { chat_id: quiet.id, photo: 'https://example.com/a.jpg' });
    expect(refused.body).toEqual({ ok: false, error_code: 400, description: 'Bad Request: need administrator rights in the channel chat' });
    const tooLong = await rawCall(telegram.apiRoot, bot.token, 'sendMessage', { chat_id: news.id, text: 'x'.repeat(4097) });
    expect(tooLong.body).toEqual({ ok: false, error_code: 400, description: 'Bad Request: message is too long' });
  });

  it('answers 403 bot was kicked from the channel chat once the bot is removed, for every call there', async () => {
    const kicked = telegram.createBot({ username: 'kicked_bot' });
    telegram.joinChat(kicked.id, news, { status: 'administrator', canPostMessages: true });
    telegram.kickFromChat(kicked.id, news.id);
    for (const method of ['sendMessage', 'getChatMember']) {
      const answer = await rawCall(telegram.apiRoot, kicked.token, method, { chat_id: news.id, text: 'x', user_id: kicked.id });
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({ ok: false, error_code: 403, description: 'Forbidden: bot was kicked from the channel chat' });
    }
  });
});
