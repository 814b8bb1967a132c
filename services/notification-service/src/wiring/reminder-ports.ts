/**
 * The reminders' ports on the fleet: the payments context's svc.payment.expiring, and the main
 * bot (NOVA_MAIN_BOT_TOKEN) writing to the user's private chat.
 */
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { Bus } from '@nova/bus';
import { PlanKind } from '@nova/contracts';
import { TelegramApiError, TelegramRateLimitError, type TelegramClients } from '@nova/telegram';
import type { EndingSubscription, EndingSubscriptions, ReminderSender } from '../domain/index.js';

const KIND_NAMES: Partial<Record<PlanKind, string>> = { [PlanKind.BOTS]: 'bots', [PlanKind.STORIES]: 'stories', [PlanKind.POSTING]: 'posting' };

export function paymentEndingSubscriptions(bus: Pick<Bus, 'request'>): EndingSubscriptions {
  return {
    async list(from, before) {
      const answer = await bus.request('svc.payment.expiring', { endsFrom: timestampFromDate(from), endsBefore: timestampFromDate(before), limit: 0 }, { timeoutMs: 30_000 });
      return answer.subscriptions.flatMap((s): EndingSubscription[] => (s.endsAt === undefined ? [] : [{ id: s.id, telegramId: s.telegramId, kind: KIND_NAMES[s.kind] ?? 'unknown', endsAt: timestampDate(s.endsAt) }]));
    },
  };
}

export class MainBotReminderSender implements ReminderSender {
  constructor(
    private readonly clients: TelegramClients,
    /** NOVA_MAIN_BOT_TOKEN; kept here, never logged. */
    private readonly mainBotToken: string,
  ) {}

  async send(telegramId: bigint, text: string): Promise<'sent' | 'refused'> {
    try {
      await this.clients.forToken(this.mainBotToken).sendMessage({ chat_id: Number(telegramId), text });
      return 'sent';
    } catch (error) {
      // A 4xx other than 429 is Telegram refusing for good (the user blocked the bot): not retried.
      if (error instanceof TelegramApiError && !(error instanceof TelegramRateLimitError) && error.errorCode >= 400 && error.errorCode < 500) return 'refused';
      throw error;
    }
  }
}
