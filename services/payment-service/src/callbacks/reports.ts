/**
 * Callback bodies read into the domain's ProviderReport, after authentication. Numbers are read
 * as their source text (never through a float), and anything unexpected is a
 * MalformedCallbackError naming the field, never echoing the value.
 */
import { AmountFormatError, isSupportedCurrency, parseDecimalAmount, type ProviderReport, type ReportedOutcome } from '../domain/index.js';

export class MalformedCallbackError extends Error {
  override readonly name = 'MalformedCallbackError';
}

/** Something the provider reports that needs no action (e.g. Platega's PENDING). */
export interface IgnoredCallback {
  readonly ignored: string;
}

/** JSON with every number kept as its source text (JSON.parse's reviver `context.source`, Node >= 21). */
export function parseExactJson(text: string): unknown {
  const reviver = (_key: string, value: unknown, context?: { source?: string }): unknown =>
    typeof value === 'number' && context?.source !== undefined ? context.source : value;
  return JSON.parse(text, reviver);
}

function parseExact(raw: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parseExactJson(raw.toString('utf8'));
  } catch {
    throw new MalformedCallbackError('body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new MalformedCallbackError('body is not a JSON object');
  return parsed as Record<string, unknown>;
}

function field(object: Record<string, unknown>, name: string, what: string): string {
  const value = object[name];
  if (typeof value !== 'string' || value === '' || value.length > 4096) throw new MalformedCallbackError(`${what} is missing or not a string`);
  return value;
}

function amountOf(text: string, currency: string): bigint {
  if (!isSupportedCurrency(currency)) throw new MalformedCallbackError('currency is not one we invoice in');
  try {
    return parseDecimalAmount(text, currency);
  } catch (error) {
    if (error instanceof AmountFormatError) throw new MalformedCallbackError('amount is not an exact decimal amount');
    throw error;
  }
}

const CRYPTO_OUTCOMES: Readonly<Record<string, ReportedOutcome | undefined>> = { paid: 'paid', expired: 'expired', active: undefined };

/**
 * A Crypto Pay Invoice object (a webhook's payload, or an item of getInvoices) as a report;
 * undefined while it is still active. Nova creates fiat invoices, so the amount is compared in
 * the invoice's fiat.
 */
export function cryptoInvoiceReport(invoice: unknown): ProviderReport | undefined {
  if (typeof invoice !== 'object' || invoice === null || Array.isArray(invoice)) throw new MalformedCallbackError('payload is not an Invoice');
  const fields = invoice as Record<string, unknown>;
  // Read as source text (parseExactJson) or a number (JSON.parse); ids are positive integers.
  const invoiceId = typeof fields.invoice_id === 'number' ? String(fields.invoice_id) : fields.invoice_id;
  if (typeof invoiceId !== 'string' || !/^[1-9]\d{0,18}$/.test(invoiceId)) throw new MalformedCallbackError('payload.invoice_id is not an invoice id');
  const status = field(fields, 'status', 'payload.status');
  if (!Object.hasOwn(CRYPTO_OUTCOMES, status)) throw new MalformedCallbackError('payload.status is not an invoice status');
  const outcome = CRYPTO_OUTCOMES[status];
  if (outcome === undefined) return undefined;
  const currency = fields.currency_type === 'fiat' ? field(fields, 'fiat', 'payload.fiat') : field(fields, 'asset', 'payload.asset');
  const ours = fields.payload;
  return {
    provider: 'cryptobot',
    providerInvoiceId: invoiceId,
    invoiceId: typeof ours === 'string' ? ours : undefined,
    outcome,
    amount: { minorUnits: amountOf(field(fields, 'amount', 'payload.amount'), currency), currency },
  };
}

/** A Crypto Pay webhook update: `{ update_id, update_type: "invoice_paid", request_date, payload: Invoice }`. */
export function cryptoBotReport(raw: Buffer): ProviderReport | IgnoredCallback {
  const update = parseExact(raw);
  if (update.update_type !== 'invoice_paid') return { ignored: 'update_type is not invoice_paid' };
  const report = cryptoInvoiceReport(update.payload);
  if (report?.outcome !== 'paid') throw new MalformedCallbackError('an invoice_paid update whose invoice is not paid');
  return report;
}

const PLATEGA_OUTCOMES: Readonly<Record<string, ReportedOutcome | undefined>> = {
  CONFIRMED: 'paid',
  CANCELED: 'canceled',
  CHARGEBACKED: 'chargebacked',
  PENDING: undefined,
};

/** A Platega callback: `{ id, amount, currency, status, paymentMethod, payload }`. */
export function plategaReport(raw: Buffer): ProviderReport | IgnoredCallback {
  return plategaFields(parseExact(raw), (body) => field(body, 'amount', 'amount'), (body) => field(body, 'currency', 'currency'));
}

/** Platega's `GET /transaction/<id>` answer: the amount and currency are under paymentDetails. */
export function plategaTransactionReport(body: Record<string, unknown>): ProviderReport | undefined {
  const details = (body: Record<string, unknown>): Record<string, unknown> => {
    const value = body.paymentDetails;
    if (typeof value !== 'object' || value === null) throw new MalformedCallbackError('paymentDetails is missing');
    return value as Record<string, unknown>;
  };
  const report = plategaFields(body, (fields) => field(details(fields), 'amount', 'paymentDetails.amount'), (fields) => field(details(fields), 'currency', 'paymentDetails.currency'));
  return 'ignored' in report ? undefined : report;
}

function plategaFields(body: Record<string, unknown>, amountText: (body: Record<string, unknown>) => string, currencyText: (body: Record<string, unknown>) => string): ProviderReport | IgnoredCallback {
  const id = field(body, 'id', 'id');
  if (!/^[0-9a-fA-F-]{1,64}$/.test(id)) throw new MalformedCallbackError('id is not a transaction id');
  const status = field(body, 'status', 'status');
  if (!Object.hasOwn(PLATEGA_OUTCOMES, status)) throw new MalformedCallbackError('status is not a Platega status');
  const outcome = PLATEGA_OUTCOMES[status];
  if (outcome === undefined) return { ignored: `status ${status}` };
  const currency = currencyText(body);
  const ours = body.payload;
  return {
    provider: 'platega',
    providerInvoiceId: id,
    invoiceId: typeof ours === 'string' && ours !== '' ? ours : undefined,
    outcome,
    amount: { minorUnits: amountOf(amountText(body), currency), currency },
  };
}
