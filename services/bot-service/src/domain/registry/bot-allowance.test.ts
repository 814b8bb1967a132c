import { describe, expect, it } from '@jest/globals';
import type { BotDatabase } from '../database.js';
import { BotLimitReachedError, FREE_CHILD_BOTS, SUBSCRIBED_CHILD_BOTS, requireBotAllowance, type BotsEntitlement } from './bot-allowance.js';

/** A database that only counts: the owner has `connected` bots. */
function owning(connected: number): BotDatabase {
  return { bot: { count: () => Promise.resolve(connected) } } as unknown as BotDatabase;
}

function entitlement(answer: boolean | Error): BotsEntitlement & { asked: number } {
  return {
    asked: 0,
    hasBotsSubscription() {
      this.asked++;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
}

async function refusal(promise: Promise<void>): Promise<BotLimitReachedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BotLimitReachedError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('requireBotAllowance', () => {
  it('lets an owner under the free allowance add without asking the payments context', async () => {
    const payments = entitlement(new Error('payments unreachable'));
    await requireBotAllowance(owning(FREE_CHILD_BOTS - 1), payments, 1n);
    expect(payments.asked).toBe(0);
  });

  it('refuses the bot past the free allowance without a bots subscription', async () => {
    const error = await refusal(requireBotAllowance(owning(FREE_CHILD_BOTS), entitlement(false), 1n));
    expect(error).toMatchObject({ limit: FREE_CHILD_BOTS, subscribed: false, details: { subscription: 'none' } });
  });

  it('allows up to the subscribed allowance with a bots subscription, then refuses', async () => {
    await requireBotAllowance(owning(FREE_CHILD_BOTS), entitlement(true), 1n);
    await requireBotAllowance(owning(SUBSCRIBED_CHILD_BOTS - 1), entitlement(true), 1n);
    const error = await refusal(requireBotAllowance(owning(SUBSCRIBED_CHILD_BOTS), entitlement(true), 1n));
    expect(error).toMatchObject({ limit: SUBSCRIBED_CHILD_BOTS, subscribed: true });
  });

  it('passes on a payments context that cannot answer (the update is retried), never refusing for it', async () => {
    await expect(requireBotAllowance(owning(FREE_CHILD_BOTS), entitlement(new Error('payments unreachable')), 1n)).rejects.toThrow('payments unreachable');
  });
});
