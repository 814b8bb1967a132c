/**
 * The posting entitlement as the payments context sells it: svc.payment.entitlement with kind
 * posting, over the bus (NATS in the publisher service, in-process in the monolith). Routed by
 * the owner's Telegram id, like the main bot's payment requests, so during the payments
 * context's canary a user's entitlement is answered by the side that holds their payments.
 */
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { Bus } from '@nova/bus';
import { PlanKind } from '@nova/contracts';
import { toDomainError } from '@nova/wiring';
import type { PostingEntitlement } from '../domain/index.js';

export class PaymentsPostingEntitlement implements PostingEntitlement {
  constructor(private readonly bus: Pick<Bus, 'request'>) {}

  async hasPostingSubscription(telegramId: bigint, at: Date): Promise<boolean> {
    try {
      const answer = await this.bus.request('svc.payment.entitlement', { telegramId, kind: PlanKind.POSTING }, { routingKey: telegramId });
      if (!answer.active) return false;
      // The payments context answers for its own "now"; a publication checked for a later
      // moment (a scheduled post) must still be inside the paid period at that moment.
      return answer.activeUntil === undefined || timestampDate(answer.activeUntil).getTime() > at.getTime();
    } catch (error) {
      // Unreachable payments is not "no subscription": the caller gets a retryable error.
      throw toDomainError(error);
    }
  }
}
