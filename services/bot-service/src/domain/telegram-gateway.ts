/**
 * The Telegram calls the bots context makes, as an interface the flow layer injects: in the
 * services it is backed by packages/telegram's rate-limited client with its circuit breaker, and
 * in tests by the same client against the Telegram emulator. Tokens pass in; they must never
 * come back out in an error message.
 */

/** What getMe says about a bot. */
export interface TelegramBotInfo {
  readonly id: bigint;
  readonly username: string;
  readonly isBot: boolean;
}

export interface WebhookSettings {
  /** HTTPS URL Telegram posts updates to. */
  readonly url: string;
  /** Echoed by Telegram in X-Telegram-Bot-Api-Secret-Token on every delivery. */
  readonly secretToken: string;
  readonly allowedUpdates: readonly string[];
  /** Updates Telegram delivers at once (1-100; a chat's one at a time either way). */
  readonly maxConnections: number;
}

/** Telegram's reply_markup objects the bots context sends (a reply keyboard, or its removal). */
export type ReplyMarkup =
  | { readonly keyboard: readonly (readonly { readonly text: string }[])[]; readonly resize_keyboard?: boolean; readonly is_persistent?: boolean }
  | { readonly remove_keyboard: true };

export interface OutgoingMessage {
  readonly chatId: bigint;
  /** Plain text (no parse_mode), 1-4096 characters. */
  readonly text: string;
  readonly replyMarkup?: ReplyMarkup;
}

export interface TelegramGateway {
  getMe(token: string): Promise<TelegramBotInfo>;
  setWebhook(token: string, settings: WebhookSettings): Promise<void>;
  deleteWebhook(token: string): Promise<void>;
  sendMessage(token: string, message: OutgoingMessage): Promise<void>;
}

/**
 * Thrown by a gateway when Telegram refused a call for good: a 4xx other than 429 (an invalid
 * or revoked token is 401, a user who blocked the bot 403, a bad request 400). The domain takes
 * anything else a gateway throws (429 after retries, 5xx, timeouts, an open circuit) as transient.
 */
export class TelegramRejectedError extends Error {
  override readonly name = 'TelegramRejectedError';
  constructor(
    readonly method: string,
    /** Telegram's error_code. */
    readonly errorCode: number,
    /** Telegram's description, e.g. "Unauthorized" or "Forbidden: bot was blocked by the user". */
    readonly description: string,
  ) {
    super(`Telegram refused ${method}: ${errorCode} ${description}`);
  }
}
