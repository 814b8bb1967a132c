/**
 * The posting and stories entitlements as the payments context sells them: svc.payment.entitlement
 * with kind posting (or stories), over the bus (NATS in the publisher service, in-process in the monolith). Routed by
 * the owner's Telegram id, like the main bot's payment requests, so during the payments
 * context's canary a user's entitlement is answered by the side that holds their payments.
 */
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { Bus } from '@nova/bus';
import { PlanKind } from '@nova/contracts';
import { toDomainError } from '@nova/wiring';
import type { PostingEntitlement, StoriesEntitlement } from '../domain/index.js';

export class PaymentsPostingEntitlement implements PostingEntitlement {
  constructor(private readonly bus: Pick<Bus, 'request'>) {}

  hasPostingSubscription(telegramId: bigint, at: Date): Promise<boolean> {
    return activeAt(this.bus, telegramId, PlanKind.POSTING, at);
  }
}

/** The same question for stories: svc.payment.entitlement with kind stories. */
export class PaymentsStoriesEntitlement implements StoriesEntitlement {
  constructor(private readonly bus: Pick<Bus, 'request'>) {}

  hasStoriesSubscription(telegramId: bigint, at: Date): Promise<boolean> {
    return activeAt(this.bus, telegramId, PlanKind.STORIES, at);
  }
}

async function activeAt(bus: Pick<Bus, 'request'>, telegramId: bigint, kind: PlanKind, at: Date): Promise<boolean> {
  try {
    const answer = await bus.request('svc.payment.entitlement', { telegramId, kind }, { routingKey: telegramId });
    if (!answer.active) return false;
    // The payments context answers for its own "now"; a publication checked for a later
    // moment (a scheduled post) must still be inside the paid period at that moment.
    return answer.activeUntil === undefined || timestampDate(answer.activeUntil).getTime() > at.getTime();
  } catch (error) {
    // Unreachable payments is not "no subscription": the caller gets a retryable error.
    throw toDomainError(error);
  }
}
