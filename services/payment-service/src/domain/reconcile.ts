/**
 * No payment is lost when a callback is: the reconciler asks each provider about invoices still
 * pending here (CryptoBot getInvoices, Platega GET /transaction/<id>) and applies what it learns
 * exactly as a callback would (applyProviderReport), so a payment seen by both the reconciler
 * and a late callback still activates once. Invoices younger than `minAgeMs` are left to their
 * callback; those whose time ran out long ago are not asked about any more.
 */
import type { Clock, EventPublisher } from '@nova/domain';
import type { PaymentDatabase } from './database.js';
import { PROVIDERS, type ProviderName } from './names.js';
import { applyProviderReport, type ReportResult } from './provider-report.js';
import type { PaymentProviders } from './providers.js';

/** How long past its expiry an invoice is still reconciled (and stays pending: expire_due waits as long). */
export const RECONCILE_GRACE_MS = 86_400_000;

export interface ReconcileDeps {
  readonly db: PaymentDatabase;
  readonly publisher: EventPublisher;
  readonly providers: PaymentProviders;
  readonly clock: Clock;
  /** As ReportDeps.flushOutbox. */
  readonly flushOutbox?: () => Promise<unknown>;
}

export interface ReconcileOptions {
  /** Leave younger invoices to their callback. Default 60 s. */
  readonly minAgeMs?: number;
  /** Stop asking about invoices this long past their expiry (a payment cannot arrive any more). Default RECONCILE_GRACE_MS. */
  readonly graceMs?: number;
  /** Invoices per provider per pass. Default 100 (CryptoBot's getInvoices takes up to 1000 ids). */
  readonly limit?: number;
  readonly signal?: AbortSignal;
}

export interface ReconcileSummary {
  readonly asked: number;
  readonly results: readonly ReportResult[];
  /** Providers that could not be asked this time (down, circuit open); the next pass asks again. */
  readonly failed: readonly { readonly provider: ProviderName; readonly error: unknown }[];
}

export async function reconcilePending(deps: ReconcileDeps, options: ReconcileOptions = {}): Promise<ReconcileSummary> {
  const now = deps.clock().getTime();
  const results: ReportResult[] = [];
  const failed: { provider: ProviderName; error: unknown }[] = [];
  let asked = 0;
  for (const provider of PROVIDERS) {
    const gateway = deps.providers[provider];
    if (gateway === undefined) continue;
    const pending = await deps.db.invoice.findMany({
      where: {
        provider, status: 'pending', providerInvoiceId: { not: null },
        createdAt: { lte: new Date(now - (options.minAgeMs ?? 60_000)) },
        expiresAt: { gt: new Date(now - (options.graceMs ?? RECONCILE_GRACE_MS)) },
      },
      orderBy: { createdAt: 'asc' },
      take: options.limit ?? 100,
      select: { providerInvoiceId: true },
    });
    const ids = pending.flatMap((row) => (row.providerInvoiceId === null ? [] : [row.providerInvoiceId]));
    if (ids.length === 0) continue;
    asked += ids.length;
    try {
      const reports = await gateway.reportsFor(ids, options.signal);
      for (const report of reports) results.push(await applyProviderReport(deps, report));
    } catch (error) {
      failed.push({ provider, error });
    }
  }
  return { asked, results, failed };
}
