export { PAYMENT_MIGRATIONS_DIR, PAYMENT_SCHEMA, openPaymentDatabase, type PaymentDatabase, type PaymentDatabaseOptions, type PaymentTransaction } from './database.js';
export { prunePaymentHistory } from './effects.js';
export { createPaymentHandlers, type PaymentContextDeps } from './handlers.js';
export { INVOICE_TTL_SECONDS, ProviderUnavailableError } from './create-invoice.js';
export { AmountFormatError, formatDecimalAmount, isSupportedCurrency, parseDecimalAmount, sameMoney, type Money } from './money.js';
export { PLAN_KINDS, PROVIDERS, type InvoiceStatusName, type PlanKindName, type ProviderName, type SubscriptionStatusName } from './names.js';
export { applyProviderReport, type ProviderReport, type ReportDeps, type ReportedOutcome, type ReportResult } from './provider-report.js';
export type { PaymentProviderGateway, PaymentProviders, ProviderInvoice, ProviderInvoiceRequest } from './providers.js';
export { flushPaymentOutbox, paymentOutboxStore } from './outbox-store.js';
