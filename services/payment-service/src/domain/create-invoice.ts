import { create } from '@bufbuild/protobuf';
import { CreateInvoiceResponseSchema, type CreateInvoiceRequest, type CreateInvoiceResponse } from '@nova/contracts';
import { effectKey, FailedPreconditionError, NotFoundError, telegramId, text, throwIfAborted, UnavailableError, type Clock, type HandlerContext } from '@nova/domain';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Invoice as InvoiceRow } from '../generated/prisma/client.js';
import type { PaymentDatabase } from './database.js';
import { invoiceMessage } from './mapping.js';
import { providerName, type ProviderName } from './names.js';
import type { PaymentProviders } from './providers.js';
import { planName } from './texts.js';

/** How long a user has to pay; the provider expires the invoice after it. */
export const INVOICE_TTL_SECONDS = 3_600;

/** A row without the provider's answer after this long belongs to a request that died; longer than any provider timeout. */
export const ABANDONED_AFTER_MS = 60_000;

export interface CreateInvoiceDeps {
  readonly db: PaymentDatabase;
  readonly providers: PaymentProviders;
  readonly clock: Clock;
}

/** The provider could not create the invoice now; the caller may offer the other provider. */
export class ProviderUnavailableError extends UnavailableError {
  override readonly name = 'ProviderUnavailableError';
}

/**
 * Records the invoice (pending) before asking the provider, so a crash in between leaves a row a
 * reconciler can find, then asks the provider and stores its id and payment link, whether or not
 * the caller still waits. With an
 * effect key, a repeated request returns the first invoice and asks the provider nothing.
 */
export function createInvoiceHandler(deps: CreateInvoiceDeps) {
  return async (request: CreateInvoiceRequest, ctx: HandlerContext): Promise<CreateInvoiceResponse> => {
    const user = telegramId(request.telegramId, 'telegram_id');
    const planId = text(request.planId, 'plan_id', { max: 64, required: true, pattern: /^[a-z0-9-]+$/, patternHint: 'a plan id' }) ?? '';
    const provider = providerName(request.provider, 'provider');
    const key = effectKey(request.effectKey);
    const gateway = deps.providers[provider];
    if (gateway === undefined) throw new FailedPreconditionError(`payments with ${provider} are not configured`, { provider });

    if (key !== undefined) {
      const earlier = await deps.db.invoice.findUnique({ where: { effectKey: key } });
      if (earlier !== null) return answerRepeat(deps, earlier, provider, ctx);
    }
    const plan = await deps.db.plan.findFirst({ where: { id: planId, active: true } });
    if (plan === null) throw new NotFoundError(`no plan ${planId} on offer`, { plan_id: planId });

    // A caller already gone leaves nothing behind. Once the row is recorded the request goes on
    // without the caller: a row left pending would make every retry of the key wait for it.
    throwIfAborted(ctx, `creating an invoice for ${planId} at ${provider}`);
    const now = deps.clock();
    const [row] = await deps.db.invoice.createManyAndReturn({
      data: [{
        id: randomUUID(), telegramId: user, planId: plan.id, provider, amountMinor: plan.priceMinor, currency: plan.currency, status: 'pending',
        createdAt: now, expiresAt: new Date(now.getTime() + INVOICE_TTL_SECONDS * 1000), effectKey: key ?? null,
      }],
      skipDuplicates: true,
    });
    // Another request with the same key inserted first (ON CONFLICT DO NOTHING): it asks the provider.
    if (row === undefined) return answerRepeat(deps, await deps.db.invoice.findUniqueOrThrow({ where: { effectKey: key ?? '' } }), provider, ctx);

    let created;
    try {
      // Not the caller's signal: the provider's answer is stored even if the caller stopped
      // waiting, so its retry answers the link (the provider call has its own timeout).
      created = await gateway.createInvoice({ invoiceId: row.id, amountMinor: row.amountMinor, currency: row.currency, description: planName(plan, request.language), expiresInSeconds: INVOICE_TTL_SECONDS });
    } catch (error) {
      await deps.db.invoice.updateMany({ where: { id: row.id, status: 'pending', providerInvoiceId: null }, data: { status: 'canceled' } });
      throw unavailable(provider, row.id, error);
    }
    const stored = await deps.db.invoice.update({ where: { id: row.id }, data: { providerInvoiceId: created.providerInvoiceId, payUrl: created.payUrl } });
    return answer(stored);
  };
}

/** How often a repeated request re-reads an invoice the first request is still creating. */
const REPEAT_POLL_MS = 50;

/**
 * The answer to a repeated effect key. The first request may still be at the provider (a retry
 * that overtook a slow call): its row has no link yet, and answering it would hand the user an
 * invoice without a way to pay. So the repeat waits for the first request's outcome, as long as
 * its caller waits, and answers what the first one answered: the link, or "unavailable".
 */
async function answerRepeat(deps: CreateInvoiceDeps, earlier: InvoiceRow, provider: ProviderName, ctx: HandlerContext): Promise<CreateInvoiceResponse> {
  let row = earlier;
  for (;;) {
    if (row.providerInvoiceId !== null) return answer(row);
    if (row.status !== 'pending') throw unavailable(provider, row.id, new Error(`the first request for this key ended ${row.status}`));
    if (deps.clock().getTime() - row.createdAt.getTime() > ABANDONED_AFTER_MS) {
      // The first request died between recording the row and storing the provider's answer.
      throw unavailable(provider, row.id, new Error('the first request for this key never finished'));
    }
    throwIfAborted(ctx, `waiting for invoice ${row.id} that an earlier request is creating`);
    await sleep(REPEAT_POLL_MS, undefined, ctx.signal === undefined ? undefined : { signal: ctx.signal }).catch(() => undefined);
    row = await deps.db.invoice.findUniqueOrThrow({ where: { id: row.id } });
  }
}

function answer(row: InvoiceRow): CreateInvoiceResponse {
  return create(CreateInvoiceResponseSchema, { invoice: invoiceMessage(row) });
}

function unavailable(provider: ProviderName, invoiceId: string, cause: unknown): ProviderUnavailableError {
  // The cause stays in the process (logs, scrubbed); the caller learns which provider failed.
  return new ProviderUnavailableError(`${provider} cannot create invoices right now; try the other provider or later`, { provider, invoice_id: invoiceId }, { cause });
}
