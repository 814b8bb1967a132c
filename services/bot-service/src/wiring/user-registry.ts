/**
 * The bots context's UserRegistry over the bus (svc.user.upsert, get, set_language): on NATS in the bot service, on
 * the in-process bus in the monolith. Failures come back as domain errors, so the domain's
 * isRetryable decides between "retry the update" and "answer without registering".
 */
import type { Bus } from '@nova/bus';
import type { GetUserRequest, GetUserResponse, SetUserLanguageRequest, SetUserLanguageResponse, UpsertUserRequest, UpsertUserResponse } from '@nova/contracts';
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
      return await this.bus.request('svc.user.upsert', request, this.options(request.telegramId));
    } catch (error) {
      throw toDomainError(error);
    }
  }

  async get(request: GetUserRequest, _ctx: HandlerContext): Promise<GetUserResponse> {
    try {
      return await this.bus.request('svc.user.get', request, this.options(request.telegramId));
    } catch (error) {
      throw toDomainError(error);
    }
  }

  async setLanguage(request: SetUserLanguageRequest, _ctx: HandlerContext): Promise<SetUserLanguageResponse> {
    try {
      return await this.bus.request('svc.user.set_language', request, this.options(request.telegramId));
    } catch (error) {
      throw toDomainError(error);
    }
  }

  /** Routed by the person (stage 2 moves the users context chat by chat; a private chat's id is the user's). */
  private options(telegramId: bigint): { routingKey: bigint; timeoutMs?: number } {
    return { routingKey: telegramId, ...(this.timeoutMs === undefined ? {} : { timeoutMs: this.timeoutMs }) };
  }
}
