/**
 * The payments context's port to the providers (Decided 1: the domain knows no HTTP). The wiring
 * implements it with the Crypto Pay and Platega clients, each behind a circuit breaker and a
 * timeout; tests may hand in anything that keeps the contract.
 */
import type { ProviderName } from './names.js';
import type { ProviderReport } from './provider-report.js';

export interface ProviderInvoiceRequest {
  /** Our invoice id; the provider keeps it as the invoice's payload and reports it back. */
  readonly invoiceId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly description: string;
  readonly expiresInSeconds: number;
}

export interface ProviderInvoice {
  /** The provider's own id (CryptoBot invoice_id, Platega transactionId), as text. */
  readonly providerInvoiceId: string;
  /** Where the user pays. */
  readonly payUrl: string;
}

export interface PaymentProviderGateway {
  readonly name: ProviderName;
  createInvoice(request: ProviderInvoiceRequest, signal?: AbortSignal): Promise<ProviderInvoice>;
  /**
   * What the provider says now about these invoices (CryptoBot getInvoices, Platega
   * GET /transaction/<id>): a report for each one that is no longer pending there, nothing for
   * the rest. The reconciler asks this for invoices whose callback may have been lost.
   */
  reportsFor(providerInvoiceIds: readonly string[], signal?: AbortSignal): Promise<ProviderReport[]>;
}

/** The providers this process is configured for (a provider without credentials is absent). */
export type PaymentProviders = Partial<Record<ProviderName, PaymentProviderGateway>>;
