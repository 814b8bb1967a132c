/**
 * Everything the emulator knows about one bot: its identity, webhook, updates not yet
 * delivered, the chats it may write to, the messages in them, its open callback queries.
 */
import { randomInt } from 'node:crypto';
import type { BotUser, BusinessConnection, CallbackQuery, Chat, Message, Story, Update } from './wire.js';

export interface WebhookSettings {
  readonly url: string;
  readonly secretToken: string | undefined;
  readonly maxConnections: number;
  readonly allowedUpdates: readonly string[] | undefined;
}

/**
 * The bot's own standing in a group or channel, as getChatMember reports it. A chat the bot knows
 * without one (addChat) is one it was simply added to: it may write there as before.
 */
export interface ChatMembership {
  readonly status: 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';
  /** ChatMemberAdministrator.can_post_messages: channels only. */
  readonly canPostMessages?: boolean;
  /** The person who created the chat (getChatAdministrators lists them as its creator). */
  readonly owner?: { readonly id: number; readonly first_name: string; readonly username?: string };
}

export interface CallbackQueryState {
  readonly query: CallbackQuery;
  answer: { readonly text: string | undefined; readonly showAlert: boolean } | undefined;
}

/** A story the bot posted on a business account, with what it was posted with. */
export interface PostedStory {
  readonly story: Story;
  readonly businessConnectionId: string;
  readonly kind: 'photo' | 'video';
  readonly activePeriod: number;
  readonly caption: string | undefined;
  /** Bytes of the uploaded media, as the multipart body carried them. */
  readonly mediaSize: number;
}

export class BotState {
  webhook: WebhookSettings | undefined;
  /** Updates not yet delivered (webhook) or confirmed (getUpdates), oldest first. */
  readonly pending: Update[] = [];
  /** When each pending update was queued: Telegram keeps an update at most a day (DeliverySettings.maxAgeMs). */
  readonly queuedAt = new WeakMap<Update, number>();
  /** Updates given up on after failed deliveries (too many attempts or too old), oldest first. */
  readonly droppedUpdateIds: number[] = [];
  lastError: { readonly date: number; readonly message: string } | undefined;
  readonly chats = new Map<number, Chat>();
  readonly blockedBy = new Set<number>();
  /** The bot's membership per group or channel id (see ChatMembership). */
  readonly memberships = new Map<number, ChatMembership>();
  readonly messages = new Map<number, Message[]>();
  readonly callbackQueries = new Map<string, CallbackQueryState>();
  commands: unknown[] = [];
  /** Business accounts that connected the bot, by business_connection_id. */
  readonly businessConnections = new Map<string, BusinessConnection>();
  readonly stories: PostedStory[] = [];
  private nextUpdateId: number;
  private readonly nextMessageIds = new Map<number, number>();

  constructor(
    /** Changes when the owner revokes it with @BotFather (the old one then gets 401). */
    public token: string,
    readonly user: BotUser,
    /**
     * Every person who wrote to any bot of this emulator (shared by its bots): Telegram tells a
     * bot writing to a real person who never started it "bot can't initiate conversation", not
     * "chat not found".
     */
    readonly people: Set<number> = new Set(),
  ) {
    // Telegram's update ids start at an arbitrary number and then grow by one.
    this.nextUpdateId = randomInt(100_000, 900_000);
  }

  get id(): number {
    return this.user.id;
  }

  takeUpdateId(): number {
    return this.nextUpdateId++;
  }

  takeMessageId(chatId: number): number {
    const id = this.nextMessageIds.get(chatId) ?? 1;
    this.nextMessageIds.set(chatId, id + 1);
    return id;
  }

  knowChat(chat: Chat): void {
    this.chats.set(chat.id, { ...this.chats.get(chat.id), ...chat });
    if (chat.type === 'private') this.people.add(chat.id);
  }

  storeMessage(message: Message): void {
    const list = this.messages.get(message.chat.id) ?? [];
    list.push(message);
    this.messages.set(message.chat.id, list);
  }

  findMessage(chatId: number, messageId: number): Message | undefined {
    return this.messages.get(chatId)?.find((message) => message.message_id === messageId);
  }

  replaceMessage(updated: Message): void {
    const list = this.messages.get(updated.chat.id);
    const index = list?.findIndex((message) => message.message_id === updated.message_id) ?? -1;
    if (list !== undefined && index >= 0) list[index] = updated;
  }

  deleteMessage(chatId: number, messageId: number): boolean {
    const list = this.messages.get(chatId);
    const index = list?.findIndex((message) => message.message_id === messageId) ?? -1;
    if (list === undefined || index < 0) return false;
    list.splice(index, 1);
    return true;
  }
}
