/**
 * The main bot's PaymentDesk over the bus (svc.payment.plans / create_invoice / list): on NATS in
 * the bot service, on the in-process bus in the monolith. Routed by the user's id, so a user's
 * payments stay on one side during the payments context's canary. Failures come back as domain
 * errors (the flow decides between "offer the other provider" and "retry the update").
 */
import type { Bus } from '@nova/bus';
import type { CreateInvoiceRequest, CreateInvoiceResponse, ListPaymentsRequest, ListPaymentsResponse, ListPlansRequest, ListPlansResponse } from '@nova/contracts';
import type { HandlerContext } from '@nova/domain';
import { toDomainError } from '@nova/wiring';
import type { PaymentDesk } from '../domain/index.js';

export class BusPaymentDesk implements PaymentDesk {
  constructor(private readonly bus: Pick<Bus, 'request'>) {}

  async plans(request: ListPlansRequest, _ctx: HandlerContext, asker?: bigint): Promise<ListPlansResponse> {
    try {
      return await this.bus.request('svc.payment.plans', request, asker === undefined ? {} : { routingKey: asker });
    } catch (error) {
      throw toDomainError(error);
    }
  }

  async create_invoice(request: CreateInvoiceRequest, _ctx: HandlerContext): Promise<CreateInvoiceResponse> {
    try {
      return await this.bus.request('svc.payment.create_invoice', request, { routingKey: request.telegramId });
    } catch (error) {
      throw toDomainError(error);
    }
  }

  async list(request: ListPaymentsRequest, _ctx: HandlerContext): Promise<ListPaymentsResponse> {
    try {
      return await this.bus.request('svc.payment.list', request, { routingKey: request.telegramId });
    } catch (error) {
      throw toDomainError(error);
    }
  }
}
