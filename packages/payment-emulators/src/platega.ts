/**
 * Platega (https://app.platega.io), emulated on loopback for tests and the demo.
 *
 *   every call               headers X-MerchantId and X-Secret (401 otherwise)
 *   POST /transaction/process { paymentMethod, paymentDetails: { amount, currency }, description,
 *                               return, failedUrl, payload }
 *                            -> { transactionId, status: "PENDING", redirect, ... }
 *   GET  /transaction/<id>   -> { id, status, paymentDetails, paymentMethod, payload, ... }
 *   callback                 POST { id, amount, currency, status, paymentMethod, payload } to the
 *                            merchant's callback URL with the merchant's X-MerchantId/X-Secret (no
 *                            body signature); not answered 2xx (Platega waits 60 s), it is retried
 *                            3 times, 5 minutes apart (shorter here: `delivery`).
 *   statuses                 PENDING, CONFIRMED, CANCELED, CHARGEBACKED
 *
 * Amounts are decimal numbers in the JSON, kept digit for digit (json.ts), never floats.
 * The control API plays the payer, the bank and the failures: confirm, cancel, charge back,
 * send a callback again or out of order, slow or failing API calls, refused connections.
 */
import { randomUUID } from 'node:crypto';
import type { DeliverySettings } from './callback-delivery.js';
import { CONTROL_PREFIX, type ApiFault, type EmulatorReply, type EmulatorRequest } from './http.js';
import { jsonNumber, parseJsonExact, positiveDecimal, stringifyExact } from './json.js';
import { ProviderEmulator } from './provider-emulator.js';

export type PlategaStatus = 'PENDING' | 'CONFIRMED' | 'CANCELED' | 'CHARGEBACKED';

export interface PlategaTransaction {
  readonly id: string;
  status: PlategaStatus;
  readonly paymentMethod: number;
  /** Decimal text as the merchant sent it. */
  readonly amount: string;
  readonly currency: string;
  readonly description: string;
  readonly returnUrl: string;
  readonly failedUrl: string;
  readonly payload: string;
  readonly createdAt: Date;
}

/** One callback as sent: its exact body. */
export interface PlategaCallback {
  readonly transactionId: string;
  readonly status: PlategaStatus;
  readonly body: string;
}

export interface PlategaEmulatorOptions {
  readonly merchantId?: string;
  readonly secret?: string;
  /** The merchant's callback URL (set in Platega's cabinet); no callbacks until set. */
  readonly callbackUrl?: string;
  readonly delivery?: Partial<DeliverySettings>;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
}

/** Platega: the first try and 3 retries, 5 minutes apart, 60 s to answer. */
export const PLATEGA_DELIVERY: DeliverySettings = { attempts: 4, intervalMs: 300_000, timeoutMs: 60_000 };
/** The same schedule, fast enough for tests. */
export const PLATEGA_TEST_DELIVERY: DeliverySettings = { attempts: 4, intervalMs: 200, timeoutMs: 5_000 };

/** Payment methods Platega lists (2 = SBP QR, 10 = cards RUB, 11 = card acquiring, 12 = international, 13 = crypto). */
const PAYMENT_METHODS = new Set([2, 10, 11, 12, 13]);

export class PlategaEmulator extends ProviderEmulator {
  readonly merchantId: string;
  readonly secret: string;
  private callbackUrl: string | undefined;
  private readonly transactions = new Map<string, PlategaTransaction>();
  private readonly sentCallbacks: PlategaCallback[] = [];

  private constructor(options: PlategaEmulatorOptions) {
    super({ ...PLATEGA_TEST_DELIVERY, ...options.delivery }, options.host);
    this.merchantId = options.merchantId ?? randomUUID();
    this.secret = options.secret ?? randomUUID().replaceAll('-', '');
    this.callbackUrl = options.callbackUrl;
  }

  static async start(options: PlategaEmulatorOptions = {}): Promise<PlategaEmulator> {
    const emulator = new PlategaEmulator(options);
    await emulator.http.listen(options.port ?? 0);
    return emulator;
  }

  /** The API root to configure a client with, like https://app.platega.io */
  get apiRoot(): string {
    return this.http.origin;
  }

  setCallbackUrl(url: string | undefined): void {
    this.callbackUrl = url;
  }

  transaction(id: string): PlategaTransaction {
    const transaction = this.transactions.get(id);
    if (transaction === undefined) throw new RangeError(`platega emulator: no transaction ${id}`);
    return transaction;
  }

  allTransactions(): PlategaTransaction[] {
    return [...this.transactions.values()];
  }

  /** The payer paid: CONFIRMED, and its callback (unless `deliver` is false: a lost callback). */
  confirm(id: string, options: { deliver?: boolean } = {}): PlategaCallback {
    return this.move(id, ['PENDING'], 'CONFIRMED', options.deliver);
  }

  /** The payment failed or timed out: CANCELED. */
  cancel(id: string, options: { deliver?: boolean } = {}): PlategaCallback {
    return this.move(id, ['PENDING'], 'CANCELED', options.deliver);
  }

  /** The bank took a confirmed payment back: CHARGEBACKED. */
  chargeback(id: string, options: { deliver?: boolean } = {}): PlategaCallback {
    return this.move(id, ['CONFIRMED'], 'CHARGEBACKED', options.deliver);
  }

  /** Sends a callback again, byte for byte (a duplicate, or an old one arriving late: out of order). */
  resend(callback: PlategaCallback): Promise<boolean> {
    return this.send(callback);
  }

  callbacks(): readonly PlategaCallback[] {
    return [...this.sentCallbacks];
  }

  private move(id: string, from: readonly PlategaStatus[], to: PlategaStatus, deliver = true): PlategaCallback {
    const transaction = this.transaction(id);
    if (!from.includes(transaction.status)) throw new RangeError(`platega emulator: transaction ${id} is ${transaction.status}, cannot become ${to}`);
    transaction.status = to;
    const body = stringifyExact({
      id: transaction.id,
      amount: jsonNumber(transaction.amount),
      currency: transaction.currency,
      status: to,
      paymentMethod: transaction.paymentMethod,
      payload: transaction.payload,
    });
    const callback: PlategaCallback = { transactionId: id, status: to, body };
    this.sentCallbacks.push(callback);
    if (deliver) void this.send(callback);
    return callback;
  }

  private send(callback: PlategaCallback): Promise<boolean> {
    if (this.callbackUrl === undefined) return Promise.resolve(false);
    return this.delivery.deliver({
      url: this.callbackUrl,
      body: callback.body,
      headers: { 'X-MerchantId': this.merchantId, 'X-Secret': this.secret },
      about: `transaction ${callback.transactionId}`,
    });
  }

  protected handle(request: EmulatorRequest): EmulatorReply {
    if (request.url.pathname.startsWith(CONTROL_PREFIX)) return this.control(request);
    if (request.headers['x-merchantid'] !== this.merchantId || request.headers['x-secret'] !== this.secret) {
      return { status: 401, body: JSON.stringify({ message: 'Unauthorized' }) };
    }
    if (request.method === 'POST' && request.url.pathname === '/transaction/process') return this.process(request.body);
    const get = /^\/transaction\/([0-9a-f-]{36})$/.exec(request.url.pathname);
    if (request.method === 'GET' && get?.[1] !== undefined) {
      const transaction = this.transactions.get(get[1]);
      return transaction === undefined ? { status: 404, body: JSON.stringify({ message: 'Transaction not found' }) } : { status: 200, body: this.describe(transaction) };
    }
    return { status: 404, body: JSON.stringify({ message: 'Not found' }) };
  }

  private process(raw: Buffer): EmulatorReply {
    const bad = (message: string): EmulatorReply => ({ status: 400, body: JSON.stringify({ message }) });
    let body: Record<string, unknown>;
    try {
      const parsed = parseJsonExact(raw.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return bad('body must be a JSON object');
      body = parsed as Record<string, unknown>;
    } catch {
      return bad('body must be JSON');
    }
    const method = Number(body.paymentMethod);
    if (!PAYMENT_METHODS.has(method)) return bad('paymentMethod is invalid');
    const details = body.paymentDetails as Record<string, unknown> | undefined;
    const amount = positiveDecimal(details?.amount);
    if (amount === undefined) return bad('paymentDetails.amount must be a positive number');
    if (typeof details?.currency !== 'string' || !/^[A-Z]{3}$/.test(details.currency)) return bad('paymentDetails.currency is invalid');
    const transaction: PlategaTransaction = {
      id: randomUUID(),
      status: 'PENDING',
      paymentMethod: method,
      amount,
      currency: details.currency,
      description: typeof body.description === 'string' ? body.description : '',
      returnUrl: typeof body.return === 'string' ? body.return : '',
      failedUrl: typeof body.failedUrl === 'string' ? body.failedUrl : '',
      payload: typeof body.payload === 'string' ? body.payload : '',
      createdAt: new Date(),
    };
    this.transactions.set(transaction.id, transaction);
    return {
      status: 200,
      body: stringifyExact({
        paymentMethod: String(method),
        transactionId: transaction.id,
        redirect: `https://pay.platega.io/?id=${transaction.id}`,
        return: transaction.returnUrl,
        paymentDetails: { amount: jsonNumber(amount), currency: transaction.currency },
        status: transaction.status,
        expiresIn: '00:15:00',
        merchantId: this.merchantId,
      }),
    };
  }

  private describe(transaction: PlategaTransaction): string {
    return stringifyExact({
      id: transaction.id,
      status: transaction.status,
      paymentDetails: { amount: jsonNumber(transaction.amount), currency: transaction.currency },
      merchantName: 'Nova (emulated)',
      mechantId: this.merchantId,
      paymentMethod: String(transaction.paymentMethod),
      expiresIn: '00:15:00',
      return: transaction.returnUrl,
      description: transaction.description,
      payload: transaction.payload,
    });
  }

  /**
   *   POST /_emulator/transactions/<id>/confirm|cancel|chargeback   { deliver? }
   *   POST /_emulator/transactions/<id>/resend     (the last callback again)
   *   POST /_emulator/faults ApiFault; DELETE /_emulator/faults
   *   GET  /_emulator/transactions, GET /_emulator/deliveries
   */
  private control(request: EmulatorRequest): EmulatorReply {
    const route = `${request.method} ${request.url.pathname.slice(CONTROL_PREFIX.length - 1)}`;
    const ok = (body: unknown): EmulatorReply => ({ status: 200, body: JSON.stringify(body) });
    try {
      const input = request.body.length === 0 ? {} : (JSON.parse(request.body.toString('utf8')) as { deliver?: boolean });
      const match = /^POST \/transactions\/([0-9a-f-]{36})\/(confirm|cancel|chargeback|resend)$/.exec(route);
      if (match?.[1] !== undefined) {
        const id = match[1];
        if (match[2] === 'confirm') return ok(this.confirm(id, input));
        if (match[2] === 'cancel') return ok(this.cancel(id, input));
        if (match[2] === 'chargeback') return ok(this.chargeback(id, input));
        const last = this.sentCallbacks.filter((callback) => callback.transactionId === id).at(-1);
        if (last === undefined) return { status: 404, body: JSON.stringify({ error: 'no callback sent for this transaction' }) };
        void this.resend(last);
        return ok({ resent: true });
      }
      if (route === 'POST /faults') {
        this.injectFault(input as ApiFault);
        return ok({ injected: true });
      }
      if (route === 'DELETE /faults') {
        this.clearFaults();
        return ok({ cleared: true });
      }
      if (route === 'GET /transactions') return ok(this.allTransactions());
      if (route === 'GET /deliveries') return ok(this.deliveries());
      return { status: 404, body: JSON.stringify({ error: `no control route ${route}` }) };
    } catch (error) {
      return { status: 400, body: JSON.stringify({ error: error instanceof Error ? error.message : String(error) }) };
    }
  }
}
