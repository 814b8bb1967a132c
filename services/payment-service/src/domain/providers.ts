/**
 * The payments context's port to the providers (Decided 1: the domain knows no HTTP). The wiring
 * implements it with the Crypto Pay and Platega clients, each behind a circuit breaker and a
 * timeout; tests may hand in anything that keeps the contract.
 */
import type { ProviderName } from './names.js';

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
}

/** The providers this process is configured for (a provider without credentials is absent). */
export type PaymentProviders = Partial<Record<ProviderName, PaymentProviderGateway>>;
