/**
 * The domain's TelegramGateway over the Bot API's HTTP interface, for tests against the
 * emulator. The services will back the gateway with packages/telegram's client (rate limits,
 * retry_after, circuit breaker); this adapter only maps the HTTP answers the same way: a 4xx
 * other than 429 is a TelegramRejectedError, anything else a transient failure. Its errors never
 * contain the request URL, which holds the token.
 */
import {
  TelegramRejectedError,
  type OutgoingMessage,
  type TelegramBotInfo,
  type TelegramGateway,
  type WebhookSettings,
} from '@nova/bot-service/domain';

export class TelegramHttpError extends Error {
  override readonly name = 'TelegramHttpError';
}

interface ApiAnswer {
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error_code?: number;
  readonly description?: string;
}

export class HttpTelegramGateway implements TelegramGateway {
  constructor(private readonly apiRoot: string) {}

  async getMe(token: string): Promise<TelegramBotInfo> {
    const result = (await this.call(token, 'getMe', {})) as { id: number; username: string; is_bot: boolean };
    return { id: BigInt(result.id), username: result.username, isBot: result.is_bot };
  }

  async setWebhook(token: string, settings: WebhookSettings): Promise<void> {
    await this.call(token, 'setWebhook', { url: settings.url, secret_token: settings.secretToken, allowed_updates: settings.allowedUpdates });
  }

  async deleteWebhook(token: string): Promise<void> {
    await this.call(token, 'deleteWebhook', {});
  }

  async sendMessage(token: string, message: OutgoingMessage): Promise<void> {
    await this.call(token, 'sendMessage', {
      chat_id: Number(message.chatId),
      text: message.text,
      ...(message.replyMarkup === undefined ? {} : { reply_markup: message.replyMarkup }),
    });
  }

  private async call(token: string, method: string, params: Record<string, unknown>): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.apiRoot}/bot${token}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params),
        signal: AbortSignal.timeout(5_000),
      });
    } catch (error) {
      throw new TelegramHttpError(`${method}: no answer (${error instanceof Error ? error.name : 'error'})`);
    }
    const answer = (await response.json().catch(() => ({ ok: false }))) as ApiAnswer;
    if (answer.ok) return answer.result;
    const code = answer.error_code ?? response.status;
    const description = answer.description ?? response.statusText;
    if (code >= 400 && code < 500 && code !== 429) throw new TelegramRejectedError(method, code, description);
    throw new TelegramHttpError(`${method}: ${code} ${description}`);
  }
}
