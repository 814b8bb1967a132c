/**
 * An announcement's recipients, with the language each reads, asked of the users context over the
 * bus (svc.user.list_recipients; never its tables, Decided 7). The request carries no chat: during stage 2's canary either side
 * answers, and both read the same users.
 */
import type { Bus } from '@nova/bus';
import { parseLocale } from '@nova/i18n';
import { toDomainError } from '@nova/wiring';
import type { AnnouncementRecipient, AnnouncementRecipients } from '../domain/index.js';

export class BusUserRecipients implements AnnouncementRecipients {
  constructor(private readonly bus: Pick<Bus, 'request'>, private readonly timeoutMs = 15_000) {}

  async page(afterTelegramId: bigint, limit: number): Promise<{ readonly recipients: readonly AnnouncementRecipient[]; readonly done: boolean }> {
    try {
      const answer = await this.bus.request('svc.user.list_recipients', { afterTelegramId, limit }, { timeoutMs: this.timeoutMs });
      // A users context older than `recipients` (a rollout under way) lists ids only: their language unknown, they get the text.
      const recipients = answer.recipients.length === answer.telegramIds.length
        ? answer.recipients.map((recipient) => ({ telegramId: recipient.telegramId, locale: parseLocale(recipient.language) }))
        : answer.telegramIds.map((telegramId) => ({ telegramId, locale: undefined }));
      return { recipients, done: answer.done };
    } catch (error) {
      throw toDomainError(error);
    }
  }
}
