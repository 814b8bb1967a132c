/**
 * An announcement's recipients, asked of the users context over the bus (svc.user.list_recipients;
 * never its tables, Decided 7). The request carries no chat: during stage 2's canary either side
 * answers, and both read the same users.
 */
import type { Bus } from '@nova/bus';
import { toDomainError } from '@nova/wiring';
import type { AnnouncementRecipients } from '../domain/index.js';

export class BusUserRecipients implements AnnouncementRecipients {
  constructor(private readonly bus: Pick<Bus, 'request'>, private readonly timeoutMs = 15_000) {}

  async page(afterTelegramId: bigint, limit: number): Promise<{ readonly telegramIds: readonly bigint[]; readonly done: boolean }> {
    try {
      const answer = await this.bus.request('svc.user.list_recipients', { afterTelegramId, limit }, { timeoutMs: this.timeoutMs });
      return { telegramIds: answer.telegramIds, done: answer.done };
    } catch (error) {
      throw toDomainError(error);
    }
  }
}
