/**
 * The Platega client the payments context creates transactions with: `POST /transaction/process`
 * with headers X-MerchantId and X-Secret; the amount goes as a JSON number written from its
 * decimal text (never through a float); our invoice id travels as the payload.
 */
import { parseExactJson, plategaTransactionReport } from '../callbacks/index.js';
import { formatDecimalAmount, type PaymentProviderGateway, type ProviderInvoice, type ProviderInvoiceRequest, type ProviderReport } from '../domain/index.js';
import { ProviderCallError, ProviderHttp } from './provider-http.js';

export interface PlategaClientOptions {
  /** https://app.platega.io */
  readonly apiRoot: string;
  readonly merchantId: string;
  readonly secret: string;
  /** Where the payer is sent after paying, and after a failure. */
  readonly returnUrl: string;
  readonly failedUrl: string;
  /** Platega's payment method number (2: SBP QR). */
  readonly paymentMethod: number;
  readonly http: ProviderHttp;
}

export class PlategaClient implements PaymentProviderGateway {
  readonly name = 'platega' as const;

  constructor(private readonly options: PlategaClientOptions) {}

  async createInvoice(request: ProviderInvoiceRequest, signal?: AbortSignal): Promise<ProviderInvoice> {
    const amount = formatDecimalAmount(request.amountMinor, request.currency);
    const body = JSON.stringify({
      paymentMethod: this.options.paymentMethod,
      paymentDetails: { amount: '§amount§', currency: request.currency },
      description: request.description,
      return: this.options.returnUrl,
      failedUrl: this.options.failedUrl,
      payload: request.invoiceId,
    }).replace('"§amount§"', amount);
    const answer = await this.options.http.call('transaction/process', new URL('/transaction/process', this.options.apiRoot), {
      method: 'POST',
      headers: { 'X-MerchantId': this.options.merchantId, 'X-Secret': this.options.secret },
      body,
    }, signal);
    if (answer.status !== 200) throw new ProviderCallError('platega', 'transaction/process', answer.status, `refused (HTTP ${String(answer.status)})`);
    let parsed: { transactionId?: unknown; redirect?: unknown };
    try {
      parsed = JSON.parse(answer.text) as typeof parsed;
    } catch {
      throw new ProviderCallError('platega', 'transaction/process', answer.status, 'the answer is not JSON');
    }
    if (typeof parsed.transactionId !== 'string' || typeof parsed.redirect !== 'string') throw new ProviderCallError('platega', 'transaction/process', answer.status, 'the answer has no transactionId and redirect');
    return { providerInvoiceId: parsed.transactionId, payUrl: parsed.redirect };
  }

  /** GET /transaction/<id> for each: a report for each transaction no longer PENDING. */
  async reportsFor(providerInvoiceIds: readonly string[], signal?: AbortSignal): Promise<ProviderReport[]> {
    const reports: ProviderReport[] = [];
    for (const id of providerInvoiceIds) {
      const answer = await this.options.http.call('transaction/get', new URL(`/transaction/${encodeURIComponent(id)}`, this.options.apiRoot), {
        method: 'GET',
        headers: { 'X-MerchantId': this.options.merchantId, 'X-Secret': this.options.secret },
      }, signal);
      if (answer.status === 404) continue;
      if (answer.status !== 200) throw new ProviderCallError('platega', 'transaction/get', answer.status, `refused (HTTP ${String(answer.status)})`);
      let body: unknown;
      try {
        body = parseExactJson(answer.text);
      } catch {
        throw new ProviderCallError('platega', 'transaction/get', answer.status, 'the answer is not JSON');
      }
      if (typeof body !== 'object' || body === null) throw new ProviderCallError('platega', 'transaction/get', answer.status, 'the answer is not a transaction');
      const report = plategaTransactionReport(body as Record<string, unknown>);
      if (report !== undefined) reports.push(report);
    }
    return reports;
  }
}
