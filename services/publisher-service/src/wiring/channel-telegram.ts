/**
 * The publisher's ChannelTelegram over @nova/telegram's clients (one per bot: paced to
 * Telegram's limits, 429 retry_after honoured, 5xx/timeouts retried, a circuit per bot). A 4xx
 * other than 429 is Telegram refusing for good (ChannelRefusedError: the channel fails alone);
 * a failure Telegram answered, or a call that never left, is ChannelNotSentError; anything else
 * (a timeout) is left as it is: the message may have been posted. Tokens come from a
 * BotTokenSource and never appear in what is thrown.
 */
import type { TelegramClient, TelegramClients } from '@nova/telegram';
import { ChannelRefusedError, type BotMembership, type ChannelTelegram, type OutgoingPost, type TelegramChatInfo } from '../domain/index.js';
import { publisherTelegramError } from './telegram-failures.js';

/** A child bot's token by its id; undefined when the bots context does not know the bot (any more). */
export interface BotTokenSource {
  tokenFor(botId: bigint): Promise<string | undefined>;
}

const REMOVED_BOT = 'the bot was removed from Nova';

export class ClientChannelTelegram implements ChannelTelegram {
  constructor(
    private readonly clients: TelegramClients,
    private readonly tokens: BotTokenSource,
  ) {}

  getChat(botId: bigint, chatId: bigint): Promise<TelegramChatInfo> {
    return this.call(botId, 'getChat', async (client) => {
      const chat = await client.getChat({ chat_id: Number(chatId) });
      const title = 'title' in chat && typeof chat.title === 'string' ? chat.title : '';
      return { id: BigInt(chat.id), kind: chat.type, title };
    });
  }

  getBotMembership(botId: bigint, chatId: bigint): Promise<BotMembership> {
    return this.call(botId, 'getChatMember', async (client) => {
      const member = await client.getChatMember({ chat_id: Number(chatId), user_id: Number(botId) });
      return { status: member.status, canPostMessages: 'can_post_messages' in member ? member.can_post_messages : undefined };
    });
  }

  sendPost(botId: bigint, chatId: bigint, post: OutgoingPost): Promise<{ readonly messageId: bigint }> {
    const markup = post.buttons.length === 0 ? {} : { reply_markup: { inline_keyboard: post.buttons.map((row) => row.map((button) => ({ text: button.text, url: button.url }))) } };
    // The domain's entities are Telegram's JSON shape, only declared read-only.
    const entities = post.entities as Parameters<TelegramClient['sendMessage']>[0]['entities'];
    if (post.photo === undefined) {
      return this.call(botId, 'sendMessage', async (client) => {
        const message = await client.sendMessage({ chat_id: Number(chatId), text: post.text, ...(post.entities.length === 0 ? {} : { entities }), ...markup });
        return { messageId: BigInt(message.message_id) };
      });
    }
    const photo = post.photo;
    return this.call(botId, 'sendPhoto', async (client) => {
      const message = await client.sendPhoto({
        chat_id: Number(chatId),
        photo,
        ...(post.text === '' ? {} : { caption: post.text }),
        ...(post.entities.length === 0 ? {} : { caption_entities: entities }),
        ...markup,
      });
      return { messageId: BigInt(message.message_id) };
    });
  }

  private async call<T>(botId: bigint, method: string, run: (client: TelegramClient) => Promise<T>): Promise<T> {
    const token = await this.tokens.tokenFor(botId);
    if (token === undefined) throw new ChannelRefusedError(method, 0, REMOVED_BOT);
    try {
      return await run(this.clients.forToken(token));
    } catch (error) {
      throw publisherTelegramError(method, `bot ${botId.toString()}`, error);
    }
  }
}
