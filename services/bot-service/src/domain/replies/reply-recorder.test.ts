import { describe, expect, it } from '@jest/globals';
import { Context } from 'telegraf';
import { bold } from 'telegraf/format';
import type { Update, UserFromGetMe } from 'telegraf/types';
import { cancelOnly, menu } from '../main-bot/texts.js';

const MENU = menu('en');
const CANCEL_ONLY = cancelOnly('en');
import { rawUpdate } from '../updates/sample-updates.js';
import { ReplyRecorder, UnrecordableCallError, say } from './reply-recorder.js';

const botInfo: UserFromGetMe = {
  id: 9,
  is_bot: true,
  first_name: 'Hello',
  username: 'hello_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
};
const chat = { id: 42, type: 'private', first_name: 'Анна' } as const;
const now = new Date(1_700_000_000_000);

function contextFor(update: Update): { ctx: Context; recorder: ReplyRecorder } {
  const recorder = ReplyRecorder.answering(update, now);
  return { ctx: new Context(update, recorder.telegram, botInfo), recorder };
}

const privateMessage = (): Update => rawUpdate({ message: { message_id: 3, date: 1, chat, from: { id: 42, is_bot: false, first_name: 'Анна' }, text: 'hi' } }).raw;

describe('ReplyRecorder', () => {
  it('turns ctx.reply and say() into replies for the outbox, and answers with an unsent message', async () => {
    const { ctx, recorder } = contextFor(privateMessage());
    const message = await ctx.reply('first');
    await say(ctx, { chatId: 42n, text: 'second', replyMarkup: MENU });
    await say(ctx, { chatId: 42n, text: 'third', replyMarkup: { remove_keyboard: true } });
    expect(recorder.replies).toEqual([
      { chatId: 42n, text: 'first' },
      { chatId: 42n, text: 'second', replyMarkup: MENU },
      { chatId: 42n, text: 'third', replyMarkup: { remove_keyboard: true } },
    ]);
    expect(message).toEqual({ message_id: 0, date: 1_700_000_000, chat, text: 'first' });
    // The keyboards are stored as the Bot API takes them: the same JSON the gateway sent before telegraf.
    expect(JSON.parse(JSON.stringify(recorder.replies[1]?.replyMarkup))).toEqual(JSON.parse(JSON.stringify(MENU)));
  });

  it('refuses what the outbox cannot hold, recording nothing', async () => {
    const { ctx, recorder } = contextFor(privateMessage());
    const refusals: [() => Promise<unknown>, RegExp][] = [
      [() => ctx.telegram.setWebhook('https://example.com/hook'), /setWebhook into the reply outbox: the outbox holds messages only/],
      [() => ctx.replyWithHTML('<b>bold</b>'), /not parse_mode/],
      [() => ctx.telegram.sendMessage(43, 'elsewhere'), /a reply goes to the chat of the update it answers/],
      [() => ctx.reply('inline', { reply_markup: { inline_keyboard: [[{ text: 'go', callback_data: 'go' }]] } }), /reply_markup must be a reply keyboard/],
      [() => ctx.reply('pay', { reply_markup: { keyboard: [[{ text: 'pay', request_contact: true }]] } }), /reply_markup must be a reply keyboard/],
      [() => ctx.reply(bold('formatted')), /not entities/],
      [() => ctx.telegram.sendPhoto(42, 'file-id'), /sendPhoto/],
    ];
    for (const [call, reason] of refusals) {
      const error = await call().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UnrecordableCallError);
      expect(String(error)).toMatch(reason);
    }
    expect(recorder.replies).toEqual([]);
    await say(ctx, { chatId: 42n, text: 'a keyboard of its own', replyMarkup: CANCEL_ONLY });
    expect(recorder.replies).toHaveLength(1);
  });

  it('has no one to answer for an update without a message', async () => {
    const { ctx, recorder } = contextFor(rawUpdate({ callback_query: { id: '1', chat_instance: 'x', from: { id: 42, is_bot: false, first_name: 'Анна' } } }).raw);
    await expect(ctx.telegram.sendMessage(42, 'hi')).rejects.toBeInstanceOf(UnrecordableCallError);
    expect(recorder.replies).toEqual([]);
  });
});
