/**
 * The bots context's TelegramGateway over @nova/telegram's clients (one per bot: paced to
 * Telegram's limits, 429 retry_after honoured, 5xx/timeouts retried, a circuit per bot). A 4xx
 * other than 429 is Telegram refusing for good (TelegramRejectedError); anything else the
 * client throws (429 after its retries, 5xx, timeouts, an open circuit) the domain takes as
 * transient and the update is retried.
 */
import { TelegramApiError, TelegramRateLimitError, type MethodParams, type TelegramClients } from '@nova/telegram';
import type { ReplyKeyboardMarkup, ReplyKeyboardRemove } from '@telegraf/types';
import { TelegramRejectedError, type OutgoingMessage, type TelegramBotInfo, type TelegramGateway, type WebhookSettings } from '../domain/index.js';

async function refusalsTyped<T>(method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TelegramApiError && !(error instanceof TelegramRateLimitError) && error.errorCode >= 400 && error.errorCode < 500) {
      throw new TelegramRejectedError(method, error.errorCode, error.description);
    }
    throw error;
  }
}

export class ClientTelegramGateway implements TelegramGateway {
  constructor(private readonly clients: TelegramClients) {}

  getMe(token: string): Promise<TelegramBotInfo> {
    return refusalsTyped('getMe', async () => {
      const me = await this.clients.forToken(token).getMe();
      return { id: BigInt(me.id), username: me.username, isBot: me.is_bot };
    });
  }

  setWebhook(token: string, settings: WebhookSettings): Promise<void> {
    return refusalsTyped('setWebhook', async () => {
      // The domain names update kinds as strings; Telegram's type lists them.
      const allowed = [...settings.allowedUpdates] as NonNullable<MethodParams<'setWebhook'>['allowed_updates']>;
      await this.clients.forToken(token).setWebhook({ url: settings.url, secret_token: settings.secretToken, max_connections: settings.maxConnections, allowed_updates: allowed });
    });
  }

  deleteWebhook(token: string): Promise<void> {
    return refusalsTyped('deleteWebhook', async () => {
      await this.clients.forToken(token).deleteWebhook({});
    });
  }

  sendMessage(token: string, message: OutgoingMessage): Promise<void> {
    return refusalsTyped('sendMessage', async () => {
      await this.clients.forToken(token).sendMessage({
        chat_id: Number(message.chatId),
        text: message.text,
        // The domain's markup is Telegram's JSON shape, only declared read-only.
        ...(message.replyMarkup === undefined ? {} : { reply_markup: message.replyMarkup as ReplyKeyboardMarkup | ReplyKeyboardRemove }),
      });
    });
  }
}
