import { UnavailableError } from '@nova/domain';
import { TelegramRejectedError } from './telegram-gateway.js';
import { redactBotTokens } from './token.js';

/** Telegram did not answer usefully (5xx, timeout, 429 after retries, open circuit); try again later. */
export class TelegramUnavailableError extends UnavailableError {
  override readonly name = 'TelegramUnavailableError';
  constructor(method: string, reason: string) {
    super(`Telegram ${method} failed: ${reason}`, { method });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Runs one gateway call. A refusal (TelegramRejectedError) is returned to the caller to decide
 * on; anything else becomes a TelegramUnavailableError whose text has every token redacted. The
 * original error is not kept as `cause`: its text or stack may hold the token.
 */
export async function callTelegram<T>(method: string, token: string, call: () => Promise<T>): Promise<T | TelegramRejectedError> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TelegramRejectedError) {
      return new TelegramRejectedError(error.method, error.errorCode, redactBotTokens(error.description, token));
    }
    throw new TelegramUnavailableError(method, redactBotTokens(describe(error), token));
  }
}
