/**
 * The attempts of one call: through the bot's circuit breaker, retrying what Telegram says to
 * retry (429 after `retry_after`), and what is worth retrying (5xx, timeouts, refused
 * connections) with jittered backoff; everything else, and a circuit that opened meanwhile, goes
 * straight to the caller.
 */
import type { Span } from '@opentelemetry/api';
import { backoffDelay, CircuitOpenError, sleep, type CircuitBreaker, type WaitLedger } from '@nova/resilience';
import { TelegramApiError, TelegramRateLimitError, TelegramTransportError } from './errors.js';
import type { TelegramLogger } from './logger.js';
import type { Pace } from './send-scheduler.js';
import type { RetrySettings } from './settings.js';

/** The callee's fault: counts against the circuit and is retried with backoff. */
export function isServerFailure(error: unknown): boolean {
  return error instanceof TelegramTransportError || (error instanceof TelegramApiError && error.isServerError);
}

export interface AttemptContext {
  readonly method: string;
  readonly botId: string;
  readonly breaker: CircuitBreaker;
  readonly retry: RetrySettings;
  readonly logger: TelegramLogger;
  readonly span: Span;
  readonly signal: AbortSignal | undefined;
  /** Waits for a bot-wide slot before a retry goes out. */
  readonly pace: Pace;
  /**
   * The caller's ledger (captured when it called): a 429's `retry_after` is a wait on Telegram's
   * limits, like the pacing (from one process pacing makes 429s impossible; they come when other
   * processes send to the same chat through the same bot). A 5xx's backoff is Telegram failing,
   * and stays in the caller's time.
   */
  readonly ledger?: WaitLedger | undefined;
}

export async function callWithRetries<T>(attempt: () => Promise<T>, context: AttemptContext): Promise<T> {
  let rateLimited = 0;
  let serverFailures = 0;
  for (let attempts = 1; ; attempts++) {
    context.span.setAttribute('telegram.attempts', attempts);
    try {
      return await context.breaker.run(attempt);
    } catch (error) {
      if (error instanceof CircuitOpenError) throw error;
      let delayMs: number;
      let reason: string;
      if (error instanceof TelegramRateLimitError) {
        if (rateLimited >= context.retry.maxRateLimitRetries || error.retryAfterSeconds > context.retry.maxRetryAfterSeconds) throw error;
        rateLimited++;
        delayMs = error.retryAfterSeconds * 1000;
        reason = 'rate_limited';
      } else if (isServerFailure(error) && serverFailures < context.retry.maxServerRetries) {
        delayMs = backoffDelay(serverFailures, context.retry.backoff);
        serverFailures++;
        reason = error instanceof TelegramTransportError ? error.failure : 'server_error';
      } else {
        throw error;
      }
      const message = (error as Error).message;
      context.span.addEvent('telegram.retry', { 'telegram.retry.reason': reason, 'telegram.retry.delay_ms': delayMs, 'telegram.attempt': attempts });
      context.logger.warn({ bot: context.botId, method: context.method, attempt: attempts, reason, delayMs, error: message }, 'telegram call failed; retrying');
      const waited = reason === 'rate_limited' ? context.ledger?.begin() : undefined;
      try {
        await sleep(delayMs, context.signal);
      } finally {
        waited?.();
      }
      await context.pace();
    }
  }
}
