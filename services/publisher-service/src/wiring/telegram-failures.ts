/**
 * What a Telegram client failure means to the publisher: a 4xx other than 429 is Telegram
 * refusing for good (ChannelRefusedError); a failure Telegram answered (429 after the client's
 * retries, 5xx) or a call that never left (open circuit, full queue, the bot's send lease held
 * elsewhere for too long) surely posted nothing
 * (ChannelNotSentError); anything else (a timeout) leaves it unknown (UnavailableError: the
 * caller waits for its lease). `who` names the bot by id, never by token.
 */
import { UnavailableError } from '@nova/domain';
import { CircuitOpenError, TelegramApiError, TelegramQueueFullError, TelegramRateLimitError } from '@nova/telegram';
import { ChannelNotSentError, ChannelRefusedError } from '../domain/index.js';
import { SendBudgetUnavailableError } from './bot-send-leases.js';

export function publisherTelegramError(method: string, who: string, error: unknown): Error {
  if (error instanceof TelegramApiError && !(error instanceof TelegramRateLimitError) && error.errorCode >= 400 && error.errorCode < 500) {
    return new ChannelRefusedError(method, error.errorCode, error.description);
  }
  if (error instanceof TelegramApiError || error instanceof CircuitOpenError || error instanceof TelegramQueueFullError || error instanceof SendBudgetUnavailableError) {
    return new ChannelNotSentError(`Telegram ${method} for ${who} failed: ${error.message}`, { cause: error });
  }
  return new UnavailableError(`Telegram ${method} for ${who} did not answer`, { bot: who }, { cause: error });
}
