/**
 * CryptoBot's Crypto Pay API (https://help.send.tg/en/articles/10279948-crypto-pay-api), emulated
 * on loopback for tests and the demo.
 *
 *   POST|GET /api/<method>   header Crypto-Pay-API-Token; params as JSON, form or query;
 *                            answers { ok: true, result } or { ok: false, error: { code, name } }
 *     getMe, createInvoice, getInvoices
 *   webhook                  POST { update_id, update_type: "invoice_paid", request_date, payload: Invoice }
 *                            to the app's webhook URL with header crypto-pay-api-signature
 *                            (cryptobot-signature.ts), retried until a 2xx
 *
 * The control API (in-process methods, and `/_emulator/...` over HTTP) plays the payer and the
 * failures: pay or expire an invoice, send an update again (a duplicate, a late redelivery),
 * deliver updates out of order, make the API slow, fail with 5xx, or refuse connections.
 */
import { randomBytes } from 'node:crypto';
import type { DeliverySettings } from './callback-delivery.js';
import { cryptoPaySignature } from './cryptobot-signature.js';
import { CONTROL_PREFIX, type EmulatorReply, type EmulatorRequest } from './http.js';
import { parseJsonExact, positiveDecimal } from './json.js';
import { ProviderEmulator } from './provider-emulator.js';

export const CRYPTO_ASSETS = ['USDT', 'TON', 'BTC', 'ETH', 'LTC', 'BNB', 'TRX', 'USDC'] as const;
export const CRYPTO_FIATS = ['USD', 'EUR', 'RUB', 'BYN', 'UAH', 'GBP', 'CNY', 'KZT', 'UZS', 'GEL', 'TRY', 'AMD', 'THB', 'INR', 'BRL', 'IDR', 'AZN', 'AED', 'PLN', 'ILS'] as const;
const MAX_PAYLOAD = 4096;
const MAX_DESCRIPTION = 1024;
const MAX_EXPIRES_IN = 2_678_400;

export type CryptoInvoiceStatus = 'active' | 'paid' | 'expired';

/** The Invoice object, with the fields the API documents (those this emulator can fill). */
export interface CryptoInvoice {
  invoice_id: number;
  hash: string;
  currency_type: 'crypto' | 'fiat';
  asset?: string;
  fiat?: string;
  amount: string;
  accepted_assets?: string[];
  paid_asset?: string;
  paid_amount?: string;
  paid_fiat_rate?: string;
  bot_invoice_url: string;
  mini_app_invoice_url: string;
  web_app_invoice_url: string;
  description?: string;
  status: CryptoInvoiceStatus;
  created_at: string;
  allow_comments: boolean;
  allow_anonymous: boolean;
  expiration_date?: string;
  paid_at?: string;
  paid_anonymously?: boolean;
  payload?: string;
}

/** One webhook update as sent: its exact body and signature. */
export interface CryptoUpdate {
  readonly updateId: number;
  readonly invoiceId: number;
  readonly body: string;
  readonly signature: string;
}

export interface CryptoBotEmulatorOptions {
  /** The app's API token; a fresh one in CryptoBot's shape (`<app id>:AA<secret>`) when absent. */
  readonly token?: string;
  /** Where webhooks go (the app's webhook URL in @CryptoBot); none are sent until set. */
  readonly webhookUrl?: string;
  readonly delivery?: Partial<DeliverySettings>;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
}

/** CryptoBot retries for days; tests want it fast. */
export const CRYPTOBOT_TEST_DELIVERY: DeliverySettings = { attempts: 5, intervalMs: 200, timeoutMs: 5_000 };

class CryptoApiError extends Error {
  constructor(readonly code: number, readonly errorName: string) {
    super(errorName);
  }
}

export class CryptoBotEmulator extends ProviderEmulator {
  readonly token: string;
  private webhookUrl: string | undefined;
  private readonly invoices = new Map<number, CryptoInvoice>();
  private readonly sentUpdates: CryptoUpdate[] = [];
  private nextInvoiceId = 1;
  private nextUpdateId = 1;
  private readonly appId: number;

  private constructor(options: CryptoBotEmulatorOptions) {
    super({ ...CRYPTOBOT_TEST_DELIVERY, ...options.delivery }, options.host);
    this.appId = 10_000 + Math.floor(Math.random() * 90_000);
    this.token = options.token ?? `${String(this.appId)}:AA${randomBytes(24).toString('base64url')}`;
    this.webhookUrl = options.webhookUrl;
  }

  static async start(options: CryptoBotEmulatorOptions = {}): Promise<CryptoBotEmulator> {
    const emulator = new CryptoBotEmulator(options);
    await emulator.http.listen(options.port ?? 0);
    return emulator;
  }

  /** The API root to configure a client with, like https://pay.crypt.bot/api/ */
  get apiRoot(): string {
    return `${this.http.origin}/api/`;
  }

  setWebhookUrl(url: string | undefined): void {
    this.webhookUrl = url;
  }

  invoice(invoiceId: number): CryptoInvoice {
    const invoice = this.invoices.get(invoiceId);
    if (invoice === undefined) throw new RangeError(`cryptobot emulator: no invoice ${String(invoiceId)}`);
    return this.refreshed(invoice);
  }

  /** Every invoice, oldest first. */
  allInvoices(): CryptoInvoice[] {
    return [...this.invoices.values()].map((invoice) => this.refreshed(invoice));
  }

  /** The invoice whose payload is this (the merchant's own id), if any. */
  invoiceWithPayload(payload: string): CryptoInvoice | undefined {
    return this.allInvoices().find((invoice) => invoice.payload === payload);
  }

  /**
   * A user pays the invoice: it turns `paid` and an `invoice_paid` update is delivered (unless
   * `deliver` is false: a lost webhook). A fiat invoice is paid in `asset` (USDT by default).
   */
  pay(invoiceId: number, options: { asset?: string; deliver?: boolean } = {}): CryptoUpdate {
    const invoice = this.invoice(invoiceId);
    if (invoice.status !== 'active') throw new RangeError(`cryptobot emulator: invoice ${String(invoiceId)} is ${invoice.status}, not active`);
    invoice.status = 'paid';
    invoice.paid_at = new Date().toISOString();
    invoice.paid_anonymously = false;
    if (invoice.currency_type === 'fiat') {
      invoice.paid_asset = options.asset ?? 'USDT';
      invoice.paid_amount = invoice.amount;
      invoice.paid_fiat_rate = '1.00000000';
    } else {
      invoice.paid_asset = invoice.asset ?? 'USDT';
      invoice.paid_amount = invoice.amount;
    }
    const update = this.makeUpdate(invoice);
    if (options.deliver ?? true) void this.send(update);
    return update;
  }

  /** The invoice's time runs out (CryptoBot sends no webhook for that). */
  expire(invoiceId: number): void {
    const invoice = this.invoice(invoiceId);
    if (invoice.status !== 'active') throw new RangeError(`cryptobot emulator: invoice ${String(invoiceId)} is ${invoice.status}, not active`);
    invoice.status = 'expired';
  }

  /** Delivers an update again, byte for byte (a duplicate, or a redelivery after downtime). */
  resend(update: CryptoUpdate): Promise<boolean> {
    return this.send(update);
  }

  /** Updates sent so far, oldest first. */
  updates(): readonly CryptoUpdate[] {
    return [...this.sentUpdates];
  }

  private makeUpdate(invoice: CryptoInvoice): CryptoUpdate {
    const body = JSON.stringify({ update_id: this.nextUpdateId++, update_type: 'invoice_paid', request_date: new Date().toISOString(), payload: invoice });
    const update: CryptoUpdate = { updateId: this.nextUpdateId - 1, invoiceId: invoice.invoice_id, body, signature: cryptoPaySignature(this.token, body) };
    this.sentUpdates.push(update);
    return update;
  }

  private send(update: CryptoUpdate): Promise<boolean> {
    if (this.webhookUrl === undefined) return Promise.resolve(false);
    return this.delivery.deliver({ url: this.webhookUrl, body: update.body, headers: { 'crypto-pay-api-signature': update.signature }, about: `invoice ${String(update.invoiceId)}` });
  }

  /** An active invoice past its expiration date reads expired, as the API reports it. */
  private refreshed(invoice: CryptoInvoice): CryptoInvoice {
    if (invoice.status === 'active' && invoice.expiration_date !== undefined && Date.parse(invoice.expiration_date) <= Date.now()) invoice.status = 'expired';
    return invoice;
  }

  protected async handle(request: EmulatorRequest): Promise<EmulatorReply> {
    if (request.url.pathname.startsWith(CONTROL_PREFIX)) return this.control(request);
    const method = /^\/api\/([A-Za-z]+)\/?$/.exec(request.url.pathname)?.[1];
    try {
      if (method === undefined) throw new CryptoApiError(404, 'NOT_FOUND');
      if (request.headers['crypto-pay-api-token'] !== this.token) throw new CryptoApiError(401, 'UNAUTHORIZED');
      const params = readParams(request);
      return { status: 200, body: JSON.stringify({ ok: true, result: await Promise.resolve(this.call(method, params)) }) };
    } catch (error) {
      if (!(error instanceof CryptoApiError)) throw error;
      return { status: error.code, body: JSON.stringify({ ok: false, error: { code: error.code, name: error.errorName } }) };
    }
  }

  private call(method: string, params: Record<string, unknown>): unknown {
    switch (method) {
      case 'getMe':
        return { app_id: this.appId, name: 'Nova (emulated)', payment_processing_bot_username: 'CryptoBot' };
      case 'createInvoice':
        return this.createInvoice(params);
      case 'getInvoices':
        return { items: this.getInvoices(params) };
      default:
        throw new CryptoApiError(405, 'METHOD_NOT_FOUND');
    }
  }

  private createInvoice(params: Record<string, unknown>): CryptoInvoice {
    const currencyType = params.currency_type ?? 'crypto';
    if (currencyType !== 'crypto' && currencyType !== 'fiat') throw new CryptoApiError(400, 'CURRENCY_TYPE_INVALID');
    const amount = positiveDecimal(params.amount);
    if (amount === undefined) throw new CryptoApiError(400, 'AMOUNT_INVALID');
    const text = (name: string, max: number, error: string): string | undefined => {
      const value = params[name];
      if (value === undefined) return undefined;
      if (typeof value !== 'string' || value.length > max) throw new CryptoApiError(400, error);
      return value;
    };
    const description = text('description', MAX_DESCRIPTION, 'DESCRIPTION_TOO_LONG');
    const payload = text('payload', MAX_PAYLOAD, 'PAYLOAD_TOO_LONG');
    const expiresIn = params.expires_in === undefined ? undefined : Number(params.expires_in);
    if (expiresIn !== undefined && (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRES_IN)) throw new CryptoApiError(400, 'EXPIRES_IN_INVALID');
    const id = this.nextInvoiceId++;
    const hash = `IV${randomBytes(6).toString('hex').toUpperCase()}`;
    const invoice: CryptoInvoice = {
      invoice_id: id,
      hash,
      currency_type: currencyType,
      amount,
      bot_invoice_url: `https://t.me/CryptoBot?start=${hash}`,
      mini_app_invoice_url: `https://t.me/CryptoBot/app?startapp=invoice-${hash}`,
      web_app_invoice_url: `https://app.send.tg/invoices/${hash}`,
      status: 'active',
      created_at: new Date().toISOString(),
      allow_comments: params.allow_comments !== false,
      allow_anonymous: params.allow_anonymous !== false,
    };
    if (currencyType === 'crypto') {
      if (!(CRYPTO_ASSETS as readonly unknown[]).includes(params.asset)) throw new CryptoApiError(400, 'ASSET_INVALID');
      invoice.asset = params.asset as string;
    } else {
      if (!(CRYPTO_FIATS as readonly unknown[]).includes(params.fiat)) throw new CryptoApiError(400, 'FIAT_INVALID');
      invoice.fiat = params.fiat as string;
      invoice.accepted_assets = [...CRYPTO_ASSETS];
    }
    if (description !== undefined) invoice.description = description;
    if (payload !== undefined) invoice.payload = payload;
    if (expiresIn !== undefined) invoice.expiration_date = new Date(Date.now() + expiresIn * 1000).toISOString();
    this.invoices.set(id, invoice);
    return invoice;
  }

  private getInvoices(params: Record<string, unknown>): CryptoInvoice[] {
    const ids = typeof params.invoice_ids === 'string' && params.invoice_ids !== '' ? new Set(params.invoice_ids.split(',').map(Number)) : undefined;
    const offset = Number(params.offset ?? 0);
    const count = Number(params.count ?? 100);
    if (!Number.isInteger(offset) || offset < 0) throw new CryptoApiError(400, 'OFFSET_INVALID');
    if (!Number.isInteger(count) || count < 1 || count > 1000) throw new CryptoApiError(400, 'COUNT_INVALID');
    return this.allInvoices()
      .filter((invoice) => ids === undefined || ids.has(invoice.invoice_id))
      .filter((invoice) => params.status === undefined || invoice.status === params.status)
      .filter((invoice) => params.asset === undefined || invoice.asset === params.asset)
      .filter((invoice) => params.fiat === undefined || invoice.fiat === params.fiat)
      .slice(offset, offset + count);
  }

  /**
   *   POST /_emulator/invoices/<id>/pay      { asset?, deliver? }  -> the update sent
   *   POST /_emulator/invoices/<id>/expire
   *   POST /_emulator/updates/<update_id>/resend
   *   POST /_emulator/faults                 ApiFault; DELETE /_emulator/faults
   *   GET  /_emulator/invoices, GET /_emulator/deliveries
   */
  private control(request: EmulatorRequest): EmulatorReply {
    const route = `${request.method} ${request.url.pathname.slice(CONTROL_PREFIX.length - 1)}`;
    const ok = (body: unknown): EmulatorReply => ({ status: 200, body: JSON.stringify(body) });
    try {
      const input = request.body.length === 0 ? {} : (JSON.parse(request.body.toString('utf8')) as Record<string, unknown>);
      let match = /^POST \/invoices\/(\d+)\/pay$/.exec(route);
      if (match?.[1] !== undefined) return ok(this.pay(Number(match[1]), input));
      match = /^POST \/invoices\/(\d+)\/expire$/.exec(route);
      if (match?.[1] !== undefined) {
        this.expire(Number(match[1]));
        return ok({ expired: true });
      }
      match = /^POST \/updates\/(\d+)\/resend$/.exec(route);
      if (match?.[1] !== undefined) {
        const updateId = Number(match[1]);
        const update = this.sentUpdates.find((sent) => sent.updateId === updateId);
        if (update === undefined) return { status: 404, body: JSON.stringify({ error: 'no such update' }) };
        void this.resend(update);
        return ok({ resent: true });
      }
      if (route === 'POST /faults') {
        this.injectFault(input);
        return ok({ injected: true });
      }
      if (route === 'DELETE /faults') {
        this.clearFaults();
        return ok({ cleared: true });
      }
      if (route === 'GET /invoices') return ok(this.allInvoices());
      if (route === 'GET /deliveries') return ok(this.deliveries());
      return { status: 404, body: JSON.stringify({ error: `no control route ${route}` }) };
    } catch (error) {
      return { status: 400, body: JSON.stringify({ error: error instanceof Error ? error.message : String(error) }) };
    }
  }
}

/** Parameters from the query, a JSON body or a form body, as the API accepts them. */
function readParams(request: EmulatorRequest): Record<string, unknown> {
  const params: Record<string, unknown> = Object.fromEntries(request.url.searchParams);
  if (request.body.length === 0) return params;
  const type = request.headers['content-type'] ?? '';
  if (type.includes('application/x-www-form-urlencoded')) return { ...params, ...Object.fromEntries(new URLSearchParams(request.body.toString('utf8'))) };
  let parsed: unknown;
  try {
    parsed = parseJsonExact(request.body.toString('utf8'));
  } catch {
    throw new CryptoApiError(400, 'JSON_INVALID');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CryptoApiError(400, 'JSON_INVALID');
  return { ...params, ...(parsed as Record<string, unknown>) };
}
