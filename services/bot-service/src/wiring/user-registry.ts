/**
 * The bots context's UserRegistry over the bus (svc.user.upsert): on NATS in the bot service, on
 * the in-process bus in the monolith. Failures come back as domain errors, so the domain's
 * isRetryable decides between "retry the update" and "answer without registering".
 */
import type { Bus } from '@nova/bus';
import type { UpsertUserRequest, UpsertUserResponse } from '@nova/contracts';
import type { HandlerContext } from '@nova/domain';
import { toDomainError } from '@nova/wiring';
import type { UserRegistry } from '../domain/index.js';

export class BusUserRegistry implements UserRegistry {
  constructor(
    private readonly bus: Pick<Bus, 'request'>,
    private readonly timeoutMs?: number,
  ) {}

  async upsert(request: UpsertUserRequest, _ctx: HandlerContext): Promise<UpsertUserResponse> {
    try {
      return await this.bus.request('svc.user.upsert', request, { routingKey: request.telegramId, ...(this.timeoutMs === undefined ? {} : { timeoutMs: this.timeoutMs }) });
    } catch (error) {
      throw toDomainError(error);
    }
  }
}
