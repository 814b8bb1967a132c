/**
 * Typed errors of the Telegram client. None of them carries the bot token: they name the bot by
 * its id (the number before ':').
 */

/** Telegram's answer `{ ok: false, error_code, description, parameters }` to a call. */
export interface TelegramErrorEnvelope {
  readonly error_code: number;
  readonly description: string;
  readonly parameters?: { readonly retry_after?: number; readonly migrate_to_chat_id?: number };
}

/**
 * Telegram refused the call: 400 (bad request), 401 (token revoked), 403 (bot blocked, kicked),
 * 404 (no such method), 409, 429 (see TelegramRateLimitError) or a 5xx that reached us.
 * 4xx are the caller's problem and are never retried.
 */
export class TelegramApiError extends Error {
  override readonly name: string = 'TelegramApiError';
  /** Telegram's `error_code` (also the HTTP status). */
  readonly errorCode: number;
  /** Telegram's `description`, e.g. "Bad Request: chat not found". */
  readonly description: string;
  /** Set when a group was upgraded to a supergroup: send to this chat id instead. */
  readonly migrateToChatId: number | undefined;

  constructor(
    readonly method: string,
    readonly botId: string,
    envelope: TelegramErrorEnvelope,
  ) {
    super(`telegram ${method} (bot ${botId}) failed: ${String(envelope.error_code)} ${envelope.description}`);
    this.errorCode = envelope.error_code;
    this.description = envelope.description;
    this.migrateToChatId = envelope.parameters?.migrate_to_chat_id;
  }

  /** 5xx: Telegram's side failed; worth retrying and counted against the bot's circuit. */
  get isServerError(): boolean {
    return this.errorCode >= 500;
  }
}

/** 429 Too Many Requests, after the client's own retries (if any) were used up. */
export class TelegramRateLimitError extends TelegramApiError {
  override readonly name = 'TelegramRateLimitError';
  /** Seconds Telegram asked to wait (`parameters.retry_after`). */
  readonly retryAfterSeconds: number;

  constructor(method: string, botId: string, envelope: TelegramErrorEnvelope) {
    super(method, botId, envelope);
    this.retryAfterSeconds = envelope.parameters?.retry_after ?? 1;
  }
}

export type TransportFailure = 'timeout' | 'connection' | 'bad-response';

/** The call never got a Telegram answer: timed out, could not connect, or the answer was not the Bot API's JSON. */
export class TelegramTransportError extends Error {
  override readonly name = 'TelegramTransportError';
  constructor(
    readonly method: string,
    readonly botId: string,
    readonly failure: TransportFailure,
    /** What happened, already free of tokens. */
    readonly detail: string,
  ) {
    super(`telegram ${method} (bot ${botId}): ${failure}: ${detail}`);
  }
}

/** The send queue of a chat or of the whole bot is full: the call was refused without being sent. */
export class TelegramQueueFullError extends Error {
  override readonly name = 'TelegramQueueFullError';
  constructor(
    readonly method: string,
    readonly botId: string,
    /** `chat <id>` or `bot` */
    readonly queue: string,
    readonly capacity: number,
  ) {
    super(`telegram ${method} (bot ${botId}): the ${queue} send queue is full (${String(capacity)} waiting); not sent`);
  }
}

/**
 * The call's `startBy` signal ended while it still waited for its turn (its chat's, group's or
 * bot's limits, the bot's shared budget): it was never sent. (An attempt that went out is never
 * cut short by `startBy`; a retry's wait is not either.)
 */
export class TelegramSendNotStartedError extends Error {
  override readonly name = 'TelegramSendNotStartedError';
  constructor(
    readonly method: string,
    readonly botId: string,
  ) {
    super(`telegram ${method} (bot ${botId}): its caller stopped waiting before its turn came; not sent`);
  }
}

/** The client was closed; calls still queued were not sent. */
export class TelegramClientClosedError extends Error {
  override readonly name = 'TelegramClientClosedError';
  constructor(
    readonly method: string,
    readonly botId: string,
  ) {
    super(`telegram ${method} (bot ${botId}): the client is closed; not sent`);
  }
}

/** A string that is not a bot token was given as one. The value is never repeated. */
export class InvalidBotTokenError extends Error {
  override readonly name = 'InvalidBotTokenError';
  constructor() {
    super('not a Telegram bot token (expected <bot id>:<secret>)');
  }
}

/** A file to upload in a form the client does not send (only Buffer/Uint8Array contents are). */
export class UnsupportedInputFileError extends Error {
  override readonly name = 'UnsupportedInputFileError';
  constructor(
    readonly method: string,
    readonly field: string,
  ) {
    super(`telegram ${method}: field "${field}" is a file given by path, stream or URL to download; pass its bytes ({ source: Buffer }) or a URL/file_id string`);
  }
}
