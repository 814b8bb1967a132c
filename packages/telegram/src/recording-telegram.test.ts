import { describe, expect, it } from '@jest/globals';
import { Composer, Context } from 'telegraf';
import { message } from 'telegraf/filters';
import type { Update, UserFromGetMe } from 'telegraf/types';
import { RecordingTelegram, routeUpdate } from './recording-telegram.js';

const botInfo: UserFromGetMe = {
  id: 77,
  is_bot: true,
  first_name: 'Recorder',
  username: 'recorder_bot',
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
};

function textUpdate(text: string, entities = text.startsWith('/') ? [{ type: 'bot_command' as const, offset: 0, length: text.split(' ')[0]?.length ?? 0 }] : undefined): Update {
  return {
    update_id: 1,
    message: {
      message_id: 5,
      date: 1_700_000_000,
      chat: { id: 42, type: 'private', first_name: 'Ann' },
      from: { id: 42, is_bot: false, first_name: 'Ann' },
      text,
      ...(entities === undefined ? {} : { entities }),
    },
  };
}

interface Recorded {
  readonly method: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

function recorder(): { calls: Recorded[]; telegram: RecordingTelegram } {
  const calls: Recorded[] = [];
  const telegram = new RecordingTelegram((method, payload) => {
    calls.push({ method, payload });
    return { message_id: calls.length, recorded: true };
  });
  return { calls, telegram };
}

describe('RecordingTelegram', () => {
  it('hands ctx.reply and ctx.telegram calls to the recorder and returns what it returns', async () => {
    const { calls, telegram } = recorder();
    const ctx = new Context(textUpdate('hello'), telegram, botInfo);
    await expect(ctx.reply('first', { reply_markup: { remove_keyboard: true } })).resolves.toEqual({ message_id: 1, recorded: true });
    await expect(ctx.telegram.sendMessage(43, 'second')).resolves.toEqual({ message_id: 2, recorded: true });
    await ctx.telegram.setWebhook('https://example.com/hook');
    expect(calls).toEqual([
      { method: 'sendMessage', payload: { chat_id: 42, message_thread_id: undefined, text: 'first', reply_markup: { remove_keyboard: true } } },
      { method: 'sendMessage', payload: { chat_id: 43, text: 'second' } },
      { method: 'setWebhook', payload: { url: 'https://example.com/hook' } },
    ]);
  });

  it('rejects the call with whatever the recorder throws', async () => {
    class Refused extends Error {}
    const telegram = new RecordingTelegram(() => {
      throw new Refused('not recordable');
    });
    await expect(new Context(textUpdate('hi'), telegram, botInfo).reply('x')).rejects.toBeInstanceOf(Refused);
  });

  it('holds no token: it cannot reach the Bot API', () => {
    const { telegram } = recorder();
    expect(telegram.token).toBe('');
  });
});

describe('routeUpdate', () => {
  const router = new Composer<Context>();
  router.start(async (ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    await ctx.reply(`start ${ctx.payload}`);
  });
  router.command('fail', () => {
    throw new RangeError('handler failed');
  });
  router.hears('menu', (ctx) => ctx.reply('menu'));
  router.on(message('text'), (ctx) => ctx.reply(`text: ${ctx.message.text}`));

  async function route(update: Update): Promise<Recorded[]> {
    const { calls, telegram } = recorder();
    await routeUpdate(router, new Context(update, telegram, botInfo));
    return calls;
  }

  it('routes one update through telegraf and resolves once its handlers are done', async () => {
    expect((await route(textUpdate('/start ref'))).map((call) => call.payload.text)).toEqual(['start ref']);
    expect((await route(textUpdate('menu'))).map((call) => call.payload.text)).toEqual(['menu']);
    // Without a bot_command entity, telegraf does not take "/start" for a command (Telegram always marks commands).
    expect((await route(textUpdate('/start', []))).map((call) => call.payload.text)).toEqual(['text: /start']);
    // Addressed to another bot: not this bot's command.
    expect((await route(textUpdate('/start@other_bot'))).map((call) => call.payload.text)).toEqual(['text: /start@other_bot']);
    expect((await route(textUpdate('/start@Recorder_Bot'))).map((call) => call.payload.text)).toEqual(['start ']);
  });

  it('rejects with the error a handler threw, instead of printing it', async () => {
    await expect(route(textUpdate('/fail'))).rejects.toThrow(new RangeError('handler failed'));
  });
});
