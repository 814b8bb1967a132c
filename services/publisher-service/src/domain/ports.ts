import type { Locale } from '@nova/i18n';

/**
 * What the publisher context needs from outside, as interfaces the wiring fills in (Decided 1):
 * Telegram as the channel's bot sees it, the bots context's word on who owns a bot, and whether a
 * user may post (their subscription). Bots are named by id: tokens stay in the wiring, never in
 * the domain, its errors or its rows.
 */

/** Telegram's Chat.type of a chat a post can go to (private chats are not linkable). */
export type LinkableChatKind = 'channel' | 'group' | 'supergroup';

export interface TelegramChatInfo {
  readonly id: bigint;
  readonly kind: LinkableChatKind | 'private';
  readonly title: string;
}

/** The bot's ChatMember in a chat, as getChatMember answers it. */
export interface BotMembership {
  /** Telegram's status: creator, administrator, member, restricted, left, kicked. */
  readonly status: string;
  /** ChatMemberAdministrator.can_post_messages (channels only); undefined when Telegram does not say. */
  readonly canPostMessages: boolean | undefined;
}

/** A URL button under a post. */
export interface PostButton {
  readonly text: string;
  readonly url: string;
}

/** Telegram's MessageEntity as the Bot API takes it. */
export interface PostEntity {
  readonly type: string;
  readonly offset: number;
  readonly length: number;
  readonly url?: string;
  readonly language?: string;
  readonly custom_emoji_id?: string;
}

/** What one channel receives: sendMessage for text, sendPhoto (text as caption) with a photo. */
export interface OutgoingPost {
  readonly text: string;
  readonly entities: readonly PostEntity[];
  readonly photo: string | undefined;
  readonly buttons: readonly (readonly PostButton[])[];
}

export interface ChannelTelegram {
  getChat(botId: bigint, chatId: bigint): Promise<TelegramChatInfo>;
  /** The bot's own membership in the chat (getChatMember with the bot's id). */
  getBotMembership(botId: bigint, chatId: bigint): Promise<BotMembership>;
  /** Sends the post; answers Telegram's message_id. */
  sendPost(botId: bigint, chatId: bigint, post: OutgoingPost, options?: SendOptions): Promise<{ readonly messageId: bigint }>;
}

/**
 * Thrown by a ChannelTelegram when Telegram refused a call for good: a 4xx other than 429 (the
 * bot was kicked: 403; the chat is gone or the bot lost its rights: 400). The publisher fails
 * that channel and goes on; anything else thrown (429 after retries, 5xx, timeouts, an open
 * circuit) is transient and the channel is tried again later.
 */
export class ChannelRefusedError extends Error {
  override readonly name = 'ChannelRefusedError';
  constructor(
    readonly method: string,
    /** Telegram's error_code. */
    readonly errorCode: number,
    /** Telegram's description, e.g. "Forbidden: bot was kicked from the channel chat". */
    readonly description: string,
  ) {
    super(`Telegram refused ${method}: ${String(errorCode)} ${description}`);
  }
}

/**
 * Thrown by a ChannelTelegram for a transient failure after which the message surely was not
 * posted: Telegram answered with a failure (429 after retries, 5xx), or the call never left (an
 * open circuit, a full queue, the bot's budget held elsewhere, the caller's time up before its
 * turn). Any other error (a timeout) leaves it unknown whether Telegram posted, and the publisher
 * waits for the channel's lease to run out before trying again.
 *
 * `busy`: the bot had no room for it (a 429 caused by another process's sends, its queue full,
 * its send budget held by another replica, the request's time up while it waited its turn). That
 * is a wait, not a fault: the publication goes on later and nothing reports an error.
 */
export class ChannelNotSentError extends Error {
  override readonly name = 'ChannelNotSentError';
  readonly busy: boolean;
  /** Telegram's `retry_after` of a 429, in ms: nothing goes to the bot again before it has passed. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options?: ErrorOptions & { readonly busy?: boolean; readonly retryAfterMs?: number }) {
    super(message, options);
    this.busy = options?.busy ?? false;
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** A send the caller stopped waiting for before its turn came (SendOptions.startBy): surely not sent. */
export interface SendOptions {
  /**
   * Aborts the send while it waits for its turn (the bot's and the chat's limits, the bot's
   * budget), never once it went out: then the ChannelTelegram throws a busy ChannelNotSentError.
   */
  readonly startBy?: AbortSignal;
}

/** Who owns a child bot (the bots context, over the bus); undefined for a bot it does not know. */
export interface BotOwnership {
  ownerOf(botId: bigint): Promise<bigint | undefined>;
}

/**
 * Whether a user may post at a time. The wiring answers from publisher_service.posting_grants (an
 * administrator's explicit grant, svc.publisher.grant_posting) and, failing that, from the
 * payments context (svc.payment.entitlement, kind posting). Throws a retryable error when it
 * cannot tell (the payments context unreachable): a refusal must mean "not entitled".
 */
export interface PostingEntitlement {
  hasPostingSubscription(telegramId: bigint, at: Date): Promise<boolean>;
}

/**
 * The owner's report after a publication, sent by the main bot to the owner's private chat. Throws
 * like a ChannelTelegram: ChannelRefusedError when Telegram refused for good (the owner blocked
 * the main bot), ChannelNotSentError when surely not sent.
 */
export interface OwnerNotifier {
  sendReport(ownerTelegramId: bigint, text: string, options?: SendOptions): Promise<void>;
}

/**
 * The language a person reads (the users context: their /language choice, else their Telegram
 * app's language_code). Throws a retryable error when it cannot tell; English for a user it never saw.
 */
export interface RecipientLocales {
  localeOf(telegramId: bigint): Promise<Locale>;
}

/**
 * Told of a send Telegram took whose record then failed (the database refused or was gone): its
 * lease runs out and it goes out again, a double no one can prevent (Telegram has no
 * idempotency key). Counted, so a double is always one that was told of.
 */
export type UnrecordedSend = (kind: UnrecordedKind, error: unknown) => void;

/** What a possibly doubled send was: a post's channel, an owner's report, an announcement's recipient. */
export type UnrecordedKind = 'channel' | 'report' | 'announcement';

/**
 * Until when a send claimed under a lease may start: the first half of the lease. A send that
 * waited longer (a busy bot, its budget held by another replica) is not sent; otherwise it could
 * go out after its lease ran out and beside the copy of the sender that took the row up.
 */
export function leaseStartBy(sendLeaseMs: number, signal?: AbortSignal): AbortSignal {
  const half = AbortSignal.timeout(Math.max(1, Math.floor(sendLeaseMs / 2)));
  return signal === undefined ? half : AbortSignal.any([signal, half]);
}

/** A child bot's business connection as Telegram reports it (BusinessConnection). */
export interface BusinessConnectionInfo {
  readonly id: string;
  readonly userTelegramId: bigint;
  readonly userChatId: bigint;
  /** BusinessBotRights.can_manage_stories. */
  readonly canManageStories: boolean;
  readonly isEnabled: boolean;
  readonly date: Date;
}

/** What postStory takes: the media (downloaded from its URL and uploaded by the wiring), how long it stays, its caption. */
export interface OutgoingStory {
  readonly kind: 'photo' | 'video';
  readonly mediaUrl: string;
  /** Seconds: 21600, 43200, 86400 or 172800. */
  readonly activePeriod: number;
  readonly caption: string;
}

/**
 * Telegram Business as the publisher uses it. Throws like a ChannelTelegram: ChannelRefusedError
 * when Telegram refused for good (an unknown connection, a missing right) or the media could not
 * be had (error code 0), ChannelNotSentError when surely not posted, anything else when unknown.
 */
export interface StoryTelegram {
  getBusinessConnection(botId: bigint, connectionId: string): Promise<BusinessConnectionInfo>;
  /** Posts the story; answers Telegram's Story (its chat and id). */
  postStory(botId: bigint, connectionId: string, story: OutgoingStory): Promise<{ readonly chatId: bigint; readonly storyId: bigint }>;
}

/**
 * Whether a user may post stories at a time: an administrator's grant, or a `stories`
 * subscription from the payments context (the wiring). Throws a retryable error when it cannot tell.
 */
export interface StoriesEntitlement {
  hasStoriesSubscription(telegramId: bigint, at: Date): Promise<boolean>;
}

/**
 * How long before a row's lease ends its failing "sent" record stops being retried: after the
 * lease another pipeline (another replica, a redelivered publication) may claim the row, and it
 * must find it settled or not be racing a record still being tried.
 */
export const RECORD_MARGIN_MS = 2_000;

/** The last moment a record of a send under this lease is tried: RECORD_MARGIN_MS before it ends, at most `retryMs` from now. */
export function recordDeadline(leaseUntil: Date, retryMs: number, now = Date.now()): number {
  return Math.min(leaseUntil.getTime() - RECORD_MARGIN_MS, now + retryMs);
}

/** A failing record is retried at most this long by default (as the bot service's MARK_SENT_RETRY_MS). */
export const RECORD_RETRY_MS = 30_000;
