/**
 * The `bots` entitlement as the payments context sells it: svc.payment.entitlement with kind
 * bots, over the bus (NATS in the bot service, in-process in the monolith), routed by the user's
 * id like the main bot's other payment requests. An unreachable payments context is a retryable
 * error (the update is redelivered), never "not subscribed".
 */
import type { Bus } from '@nova/bus';
import { PlanKind } from '@nova/contracts';
import { toDomainError } from '@nova/wiring';
import type { BotsEntitlement } from '../domain/index.js';

export class PaymentsBotsEntitlement implements BotsEntitlement {
  constructor(private readonly bus: Pick<Bus, 'request'>) {}

  async hasBotsSubscription(telegramId: bigint): Promise<boolean> {
    try {
      const answer = await this.bus.request('svc.payment.entitlement', { telegramId, kind: PlanKind.BOTS }, { routingKey: telegramId });
      return answer.active;
    } catch (error) {
      throw toDomainError(error);
    }
  }
}
