/**
 * The publisher's ChannelTelegram over @nova/telegram's clients (one per bot: paced to
 * Telegram's limits, 429 retry_after honoured, 5xx/timeouts retried, a circuit per bot). A 4xx
 * other than 429 is Telegram refusing for good (ChannelRefusedError: the channel fails alone);
 * a failure Telegram answered, or a call that never left, is ChannelNotSentError; anything else
 * (a timeout) is left as it is: the message may have been posted. Tokens come from a
 * BotTokenSource and never appear in what is thrown.
 */
import type { CallOptions, TelegramClient, TelegramClients } from '@nova/telegram';
import { ChannelRefusedError, type BotMembership, type BusinessConnectionInfo, type ChannelTelegram, type OutgoingPost, type OutgoingStory, type SendOptions, type StoryTelegram, type TelegramChatInfo } from '../domain/index.js';
import { HttpStoryMedia, type StoryMediaSource } from './story-media.js';
import { publisherTelegramError } from './telegram-failures.js';

/** A child bot's token by its id; undefined when the bots context does not know the bot (any more). */
export interface BotTokenSource {
  tokenFor(botId: bigint): Promise<string | undefined>;
}

const REMOVED_BOT = 'the bot was removed from Nova';

/** BusinessConnection as the Bot API answers it (telegraf's types predate Bot API 9). */
interface BusinessConnectionJson {
  readonly id: string;
  readonly user: { readonly id: number };
  readonly user_chat_id: number;
  readonly date: number;
  readonly rights?: { readonly can_manage_stories?: boolean };
  readonly is_enabled: boolean;
}

/** The multipart part a story's media is uploaded under (content points at it with attach://). */
const STORY_MEDIA_PART = 'story_media';

export class ClientChannelTelegram implements ChannelTelegram, StoryTelegram {
  constructor(
    private readonly clients: TelegramClients,
    private readonly tokens: BotTokenSource,
    private readonly media: StoryMediaSource = new HttpStoryMedia(),
  ) {}

  getBusinessConnection(botId: bigint, connectionId: string): Promise<BusinessConnectionInfo> {
    return this.call(botId, 'getBusinessConnection', async (client) => {
      const connection = (await client.callRaw('getBusinessConnection', { business_connection_id: connectionId })) as BusinessConnectionJson;
      return {
        id: connection.id,
        userTelegramId: BigInt(connection.user.id),
        userChatId: BigInt(connection.user_chat_id),
        canManageStories: connection.rights?.can_manage_stories === true,
        isEnabled: connection.is_enabled,
        date: new Date(connection.date * 1000),
      };
    });
  }

  /** Downloads the media, then postStory with it uploaded as a new file (multipart, attach://). */
  async postStory(botId: bigint, connectionId: string, story: OutgoingStory): Promise<{ readonly chatId: bigint; readonly storyId: bigint }> {
    const bytes = await this.media.fetchMedia(story.mediaUrl, story.kind);
    return this.call(botId, 'postStory', async (client) => {
      const posted = (await client.callRaw('postStory', {
        business_connection_id: connectionId,
        content: { type: story.kind, [story.kind]: `attach://${STORY_MEDIA_PART}` },
        active_period: story.activePeriod,
        ...(story.caption === '' ? {} : { caption: story.caption }),
        [STORY_MEDIA_PART]: { source: bytes, filename: story.kind === 'photo' ? 'story.jpg' : 'story.mp4' },
      })) as { readonly chat: { readonly id: number }; readonly id: number };
      return { chatId: BigInt(posted.chat.id), storyId: BigInt(posted.id) };
    });
  }

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

  sendPost(botId: bigint, chatId: bigint, post: OutgoingPost, options: SendOptions = {}): Promise<{ readonly messageId: bigint }> {
    // startBy: a send still waiting for its turn when the caller's time is up is not sent (TelegramSendNotStartedError).
    const call: CallOptions = options.startBy === undefined ? {} : { startBy: options.startBy };
    const markup = post.buttons.length === 0 ? {} : { reply_markup: { inline_keyboard: post.buttons.map((row) => row.map((button) => ({ text: button.text, url: button.url }))) } };
    // The domain's entities are Telegram's JSON shape, only declared read-only.
    const entities = post.entities as Parameters<TelegramClient['sendMessage']>[0]['entities'];
    if (post.photo === undefined) {
      return this.call(botId, 'sendMessage', async (client) => {
        const message = await client.sendMessage({ chat_id: Number(chatId), text: post.text, ...(post.entities.length === 0 ? {} : { entities }), ...markup }, call);
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
      }, call);
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
