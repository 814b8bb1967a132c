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

function parseExact(raw: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    const reviver = (_key: string, value: unknown, context?: { source?: string }): unknown =>
      typeof value === 'number' && context?.source !== undefined ? context.source : value;
    parsed = JSON.parse(raw.toString('utf8'), reviver);
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

/**
 * A Crypto Pay webhook update: `{ update_id, update_type: "invoice_paid", request_date, payload:
 * Invoice }`. Nova creates fiat invoices, so the amount is compared in the invoice's fiat.
 */
export function cryptoBotReport(raw: Buffer): ProviderReport | IgnoredCallback {
  const update = parseExact(raw);
  if (update.update_type !== 'invoice_paid') return { ignored: 'update_type is not invoice_paid' };
  const invoice = update.payload;
  if (typeof invoice !== 'object' || invoice === null || Array.isArray(invoice)) throw new MalformedCallbackError('payload is not an Invoice');
  const fields = invoice as Record<string, unknown>;
  const invoiceId = fields.invoice_id;
  // The id arrives as source text (parseExact); ids are positive integers.
  if (typeof invoiceId !== 'string' || !/^[1-9]\d{0,18}$/.test(invoiceId)) throw new MalformedCallbackError('payload.invoice_id is not an invoice id');
  if (fields.status !== 'paid') throw new MalformedCallbackError('an invoice_paid update whose invoice is not paid');
  const currency = fields.currency_type === 'fiat' ? field(fields, 'fiat', 'payload.fiat') : field(fields, 'asset', 'payload.asset');
  const ours = fields.payload;
  return {
    provider: 'cryptobot',
    providerInvoiceId: invoiceId,
    invoiceId: typeof ours === 'string' ? ours : undefined,
    outcome: 'paid',
    amount: { minorUnits: amountOf(field(fields, 'amount', 'payload.amount'), currency), currency },
  };
}

const PLATEGA_OUTCOMES: Readonly<Record<string, ReportedOutcome | undefined>> = {
  CONFIRMED: 'paid',
  CANCELED: 'canceled',
  CHARGEBACKED: 'chargebacked',
  PENDING: undefined,
};

/** A Platega callback: `{ id, amount, currency, status, paymentMethod, payload }`. */
export function plategaReport(raw: Buffer): ProviderReport | IgnoredCallback {
  const body = parseExact(raw);
  const id = field(body, 'id', 'id');
  if (!/^[0-9a-fA-F-]{1,64}$/.test(id)) throw new MalformedCallbackError('id is not a transaction id');
  const status = field(body, 'status', 'status');
  if (!Object.hasOwn(PLATEGA_OUTCOMES, status)) throw new MalformedCallbackError('status is not a Platega status');
  const outcome = PLATEGA_OUTCOMES[status];
  if (outcome === undefined) return { ignored: `status ${status}` };
  const currency = field(body, 'currency', 'currency');
  const ours = body.payload;
  return {
    provider: 'platega',
    providerInvoiceId: id,
    invoiceId: typeof ours === 'string' && ours !== '' ? ours : undefined,
    outcome,
    amount: { minorUnits: amountOf(field(body, 'amount', 'amount'), currency), currency },
  };
}
