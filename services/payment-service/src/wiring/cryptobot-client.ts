/**
 * The Crypto Pay API client the payments context creates invoices with: `POST <root>createInvoice`
 * with header Crypto-Pay-API-Token, a fiat invoice for the plan's price (amount as decimal text),
 * our invoice id as its payload; answers `{ ok, result }` or `{ ok: false, error: { code, name } }`.
 */
import { cryptoInvoiceReport, parseExactJson } from '../callbacks/index.js';
import { formatDecimalAmount, type PaymentProviderGateway, type ProviderInvoice, type ProviderInvoiceRequest, type ProviderReport } from '../domain/index.js';
import { ProviderCallError, ProviderHttp } from './provider-http.js';

export interface CryptoPayClientOptions {
  /** https://pay.crypt.bot/api/ (testnet: https://testnet-pay.crypt.bot/api/) */
  readonly apiRoot: string;
  readonly token: string;
  readonly http: ProviderHttp;
}

export class CryptoPayClient implements PaymentProviderGateway {
  readonly name = 'cryptobot' as const;
  private readonly root: URL;

  constructor(private readonly options: CryptoPayClientOptions) {
    this.root = new URL(options.apiRoot.endsWith('/') ? options.apiRoot : `${options.apiRoot}/`);
  }

  async createInvoice(request: ProviderInvoiceRequest, signal?: AbortSignal): Promise<ProviderInvoice> {
    const result = await this.method('createInvoice', {
      currency_type: 'fiat',
      fiat: request.currency,
      amount: formatDecimalAmount(request.amountMinor, request.currency),
      description: request.description,
      payload: request.invoiceId,
      expires_in: request.expiresInSeconds,
      allow_comments: false,
    }, signal);
    const invoice = result as { invoice_id?: unknown; bot_invoice_url?: unknown };
    if (typeof invoice.invoice_id !== 'string' || !/^\d+$/.test(invoice.invoice_id) || typeof invoice.bot_invoice_url !== 'string') throw new ProviderCallError('cryptobot', 'createInvoice', 200, 'the answer is not an Invoice');
    return { providerInvoiceId: invoice.invoice_id, payUrl: invoice.bot_invoice_url };
  }

  /** getInvoices by id: a report for each invoice no longer active. */
  async reportsFor(providerInvoiceIds: readonly string[], signal?: AbortSignal): Promise<ProviderReport[]> {
    if (providerInvoiceIds.length === 0) return [];
    const result = await this.method('getInvoices', { invoice_ids: providerInvoiceIds.join(','), count: Math.min(1000, providerInvoiceIds.length) }, signal);
    const items = (result as { items?: unknown }).items;
    if (!Array.isArray(items)) throw new ProviderCallError('cryptobot', 'getInvoices', 200, 'the answer has no items');
    return items.flatMap((item: unknown) => {
      const report = cryptoInvoiceReport(item);
      return report === undefined ? [] : [report];
    });
  }

  private async method(name: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    const answer = await this.options.http.call(name, new URL(name, this.root), { method: 'POST', headers: { 'Crypto-Pay-API-Token': this.options.token }, body: JSON.stringify(params) }, signal);
    let parsed: { ok?: unknown; result?: unknown; error?: { name?: unknown } };
    try {
      // Numbers as their source text: amounts never pass through a float.
      parsed = parseExactJson(answer.text) as typeof parsed;
    } catch {
      throw new ProviderCallError('cryptobot', name, answer.status, 'the answer is not JSON');
    }
    if (parsed.ok !== true) throw new ProviderCallError('cryptobot', name, answer.status, `refused (${typeof parsed.error?.name === 'string' ? parsed.error.name : 'no error name'})`);
    return parsed.result;
  }
}
