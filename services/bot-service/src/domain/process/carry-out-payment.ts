import { create } from '@bufbuild/protobuf';
import { CreateInvoiceRequestSchema, ErrorCode, ListPaymentsRequestSchema, ListPlansRequestSchema, PaymentProvider } from '@nova/contracts';
import { DomainError, type HandlerContext } from '@nova/domain';
import type { Locale } from '@nova/i18n';
import type { PaymentIntent, PaymentOutcome } from '../main-bot/payments.js';
import type { UpdateProcessingDeps } from './deps.js';

const PROVIDER_ENUM = { cryptobot: PaymentProvider.CRYPTOBOT, platega: PaymentProvider.PLATEGA } as const;

/** The error's code, whether thrown here (the monolith's handlers) or rebuilt from a reply (RemoteDomainError). */
function code(error: unknown): ErrorCode | undefined {
  return error instanceof DomainError ? error.code : undefined;
}

/**
 * Asks the payments context what the main bot decided. The invoice is created under the update's
 * msgID, so a redelivered /buy answers the same payment link and creates nothing new. A provider
 * that cannot take payments becomes an outcome (the bot offers the other one); a payments context
 * that cannot be reached is thrown, so the update is retried.
 */
export async function carryOutPayment(deps: UpdateProcessingDeps, intent: PaymentIntent, owner: bigint, effectKey: string, ctx: HandlerContext, locale: Locale): Promise<PaymentOutcome> {
  const desk = deps.payments;
  if (desk === undefined) return { ok: false, failure: 'unavailable' };
  switch (intent.kind) {
    case 'offer':
      return { ok: true, kind: 'offer', plans: (await desk.plans(create(ListPlansRequestSchema, {}), ctx, owner)).plans };
    case 'billing': {
      const answer = await desk.list(create(ListPaymentsRequestSchema, { telegramId: owner }), ctx);
      return { ok: true, kind: 'billing', invoices: answer.invoices, subscriptions: answer.subscriptions };
    }
    case 'buy': {
      try {
        const [{ invoice }, { plans }] = await Promise.all([
          // In the buyer's language: the provider's payment page shows the plan's name in it.
          desk.create_invoice(create(CreateInvoiceRequestSchema, { telegramId: owner, planId: intent.planId, provider: PROVIDER_ENUM[intent.provider], effectKey, language: locale }), ctx),
          desk.plans(create(ListPlansRequestSchema, {}), ctx, owner),
        ]);
        if (invoice === undefined) return { ok: false, failure: 'unavailable' };
        return { ok: true, kind: 'invoice', invoice, plan: plans.find((plan) => plan.id === intent.planId) };
      } catch (error) {
        if (code(error) === ErrorCode.NOT_FOUND) return { ok: false, failure: 'unknown_plan' };
        // The payments context names the provider that failed (ProviderUnavailableError) or is not configured here.
        const namesProvider = error instanceof DomainError && error.details.provider !== undefined;
        if ((code(error) === ErrorCode.UNAVAILABLE && namesProvider) || code(error) === ErrorCode.FAILED_PRECONDITION) return { ok: false, failure: 'provider_unavailable', provider: intent.provider };
        throw error;
      }
    }
  }
}
