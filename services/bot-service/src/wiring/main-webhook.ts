/**
 * Points the main bot's webhook at `<NOVA_PUBLIC_URL>/webhook/main` with NOVA_WEBHOOK_SECRET as
 * its secret_token, at start and until Telegram accepts it. It runs in the background: Telegram
 * keeps a webhook across restarts, so a process that cannot reach Telegram right now can still
 * do its work; a refusal (a wrong token or URL) is logged as an error and not retried.
 */
import type { Logger } from '@nova/platform';
import { backoffDelay, sleep } from '@nova/resilience';
import { TelegramApiError, TelegramRateLimitError, type TelegramClient } from '@nova/telegram';

export interface MainWebhookOptions {
  readonly client: TelegramClient;
  readonly publicUrl: string;
  readonly secret: string;
  /** setWebhook's max_connections (BotContextOptions.webhookMaxConnections). */
  readonly maxConnections: number;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

export function mainWebhookUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/webhook/main`;
}

/** Resolves once the webhook is set, refused, or the process is stopping. */
export async function setMainWebhook(options: MainWebhookOptions): Promise<void> {
  const url = mainWebhookUrl(options.publicUrl);
  // A function, not the property: the compiler would take `aborted` as fixed inside the loop.
  const stopping = (): boolean => options.signal.aborted;
  for (let attempt = 0; !stopping(); attempt++) {
    try {
      await options.client.setWebhook({ url, secret_token: options.secret, max_connections: options.maxConnections, allowed_updates: ['message'] }, { signal: options.signal });
      options.logger.info({ bot: options.client.botId, url, maxConnections: options.maxConnections }, 'main bot webhook set');
      return;
    } catch (error) {
      if (stopping()) return;
      if (error instanceof TelegramApiError && !(error instanceof TelegramRateLimitError) && error.errorCode < 500) {
        options.logger.error({ bot: options.client.botId, url, err: error }, 'Telegram refused the main bot\'s webhook; fix the configuration');
        return;
      }
      const delayMs = backoffDelay(attempt, { baseMs: 1_000, capMs: 60_000 });
      options.logger.warn({ bot: options.client.botId, err: error, retryInMs: delayMs }, 'could not set the main bot\'s webhook; retrying');
      await sleep(delayMs, options.signal).catch(() => undefined);
    }
  }
}
