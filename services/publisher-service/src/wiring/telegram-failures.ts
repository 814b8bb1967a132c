/**
 * What a Telegram client failure means to the publisher: a 4xx other than 429 is Telegram
 * refusing for good (ChannelRefusedError); a failure Telegram answered (429 after the client's
 * retries, 5xx) or a call that never left (open circuit, full queue, the bot's send lease held
 * elsewhere for too long, the caller's time up before its turn) surely posted nothing
 * (ChannelNotSentError, `busy` when the bot only had no room for it); anything else (a timeout)
 * leaves it unknown (UnavailableError: the caller waits for its lease). `who` names the bot by
 * id, never by token.
 */
import { UnavailableError } from '@nova/domain';
import { CircuitOpenError, TelegramApiError, TelegramQueueFullError, TelegramRateLimitError, TelegramSendNotStartedError } from '@nova/telegram';
import { ChannelNotSentError, ChannelRefusedError } from '../domain/index.js';
import { SendBudgetUnavailableError } from './bot-send-leases.js';

export function publisherTelegramError(method: string, who: string, error: unknown): Error {
  if (error instanceof TelegramApiError && !(error instanceof TelegramRateLimitError) && error.errorCode >= 400 && error.errorCode < 500) {
    return new ChannelRefusedError(method, error.errorCode, error.description);
  }
  // The bot had no room for it: a wait, not a fault (a 429 that outlasted the client's retries
  // comes from another process's sends, since this one paces to Telegram's limits).
  if (error instanceof TelegramRateLimitError || error instanceof TelegramQueueFullError || error instanceof SendBudgetUnavailableError || error instanceof TelegramSendNotStartedError) {
    const retryAfter = error instanceof TelegramRateLimitError ? { retryAfterMs: error.retryAfterSeconds * 1_000 } : {};
    return new ChannelNotSentError(`Telegram ${method} for ${who} not sent: ${error.message}`, { cause: error, busy: true, ...retryAfter });
  }
  if (error instanceof TelegramApiError || error instanceof CircuitOpenError) {
    return new ChannelNotSentError(`Telegram ${method} for ${who} failed: ${error.message}`, { cause: error });
  }
  return new UnavailableError(`Telegram ${method} for ${who} did not answer`, { bot: who }, { cause: error });
}
