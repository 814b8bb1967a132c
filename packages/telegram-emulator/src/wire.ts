/**
 * The Bot API objects the emulator sends and stores, in Telegram's JSON shape (snake_case), as
 * far as the emulated methods use them.
 */
export interface User {
  readonly id: number;
  readonly is_bot: boolean;
  readonly first_name: string;
  readonly last_name?: string;
  readonly username?: string;
  readonly language_code?: string;
}

export interface BotUser extends User {
  readonly is_bot: true;
  readonly username: string;
  readonly can_join_groups: boolean;
  readonly can_read_all_group_messages: boolean;
  readonly supports_inline_queries: boolean;
  readonly can_connect_to_business: boolean;
  readonly has_main_web_app: boolean;
}

export interface Chat {
  readonly id: number;
  readonly type: 'private' | 'group' | 'supergroup' | 'channel';
  readonly title?: string;
  readonly username?: string;
  readonly first_name?: string;
  readonly last_name?: string;
}

export interface MessageEntity {
  readonly type: string;
  readonly offset: number;
  readonly length: number;
}

export interface PhotoSize {
  readonly file_id: string;
  readonly file_unique_id: string;
  readonly width: number;
  readonly height: number;
  readonly file_size?: number;
}

export interface Message {
  readonly message_id: number;
  readonly from?: User;
  readonly chat: Chat;
  readonly date: number;
  readonly edit_date?: number;
  readonly text?: string;
  readonly entities?: readonly MessageEntity[];
  readonly caption?: string;
  readonly caption_entities?: readonly MessageEntity[];
  readonly photo?: readonly PhotoSize[];
  readonly reply_markup?: unknown;
}

export interface CallbackQuery {
  readonly id: string;
  readonly from: User;
  readonly message?: Message;
  readonly chat_instance: string;
  readonly data?: string;
}

/** BusinessBotRights, as far as the emulated methods read them (stories). */
export interface BusinessBotRights {
  readonly can_manage_stories?: true;
}

/** A Telegram Business account's connection of a bot. */
export interface BusinessConnection {
  readonly id: string;
  readonly user: User;
  readonly user_chat_id: number;
  readonly date: number;
  readonly rights?: BusinessBotRights;
  readonly is_enabled: boolean;
}

/** What postStory answers: the story's chat (the business account's) and its id there. */
export interface Story {
  readonly chat: Chat;
  readonly id: number;
}

export interface Update {
  readonly update_id: number;
  readonly message?: Message;
  readonly callback_query?: CallbackQuery;
  readonly business_connection?: BusinessConnection;
}

export interface WebhookInfo {
  readonly url: string;
  readonly has_custom_certificate: boolean;
  readonly pending_update_count: number;
  readonly ip_address?: string;
  readonly last_error_date?: number;
  readonly last_error_message?: string;
  readonly max_connections?: number;
  readonly allowed_updates?: readonly string[];
}

/** Seconds since the epoch, Telegram's `date`. */
export function unixTime(ms: number = Date.now()): number {
  return Math.floor(ms / 1000);
}
