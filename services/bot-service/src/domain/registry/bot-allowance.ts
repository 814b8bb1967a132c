/**
 * How many child bots one owner may connect: FREE_CHILD_BOTS without a subscription, and
 * SUBSCRIBED_CHILD_BOTS with an active `bots` subscription (sold by the payments context). The
 * subscription is asked about only when the free allowance is used up, so the common case costs
 * no request and does not depend on the payments context being reachable.
 *
 * The count and the insert are not one transaction: two adds by the same owner at once could
 * both pass. They cannot race in practice: adds come only from the owner's private chat with the
 * main bot, whose updates are processed one after another (Decided 3).
 */
import { FailedPreconditionError } from '@nova/domain';
import type { BotDatabase } from '../database.js';

export const FREE_CHILD_BOTS = 3;
export const SUBSCRIBED_CHILD_BOTS = 20;

/** Whether a user holds an active `bots` subscription now (svc.payment.entitlement, kind bots). */
export interface BotsEntitlement {
  hasBotsSubscription(telegramId: bigint): Promise<boolean>;
}

/** The owner already has as many bots as their plan allows. */
export class BotLimitReachedError extends FailedPreconditionError {
  override readonly name = 'BotLimitReachedError';
  constructor(
    readonly limit: number,
    /** Whether the limit is the subscribed one (no more to buy). */
    readonly subscribed: boolean,
  ) {
    super(`the owner already has ${String(limit)} child bots, the most ${subscribed ? 'a bots subscription' : 'the free plan'} allows`, {
      limit: String(limit),
      subscription: subscribed ? 'bots' : 'none',
    });
  }
}

/** The allowance for an owner who has `connected` bots now, asking the entitlement only when it matters. */
export async function requireBotAllowance(db: BotDatabase, entitlement: BotsEntitlement, owner: bigint): Promise<void> {
  const connected = await db.bot.count({ where: { ownerTelegramId: owner } });
  if (connected < FREE_CHILD_BOTS) return;
  const subscribed = await entitlement.hasBotsSubscription(owner);
  if (!subscribed) throw new BotLimitReachedError(FREE_CHILD_BOTS, false);
  if (connected >= SUBSCRIBED_CHILD_BOTS) throw new BotLimitReachedError(SUBSCRIBED_CHILD_BOTS, true);
}
