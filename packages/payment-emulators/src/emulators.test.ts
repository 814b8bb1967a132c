/**
 * The emulators over real HTTP, as a merchant's code sees them: authentication, the documented
 * request and answer shapes, signed and retried notifications, and the failures they inject.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CryptoBotEmulator } from './cryptobot.js';
import { PlategaEmulator } from './platega.js';

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A merchant endpoint that answers each request with the next status of `statuses` (then 200). */
class Receiver {
  readonly received: Received[] = [];
  statuses: number[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<Receiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new Receiver(server, `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/callback`);
    server.on('request', (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        receiver.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(receiver.statuses.shift() ?? 200).end();
        receiver.waiters = receiver.waiters.filter((waiter) => (receiver.received.length >= waiter.count ? (waiter.resolve(), false) : true));
      });
    });
    return receiver;
  }

  /** Resolves once `count` requests have arrived in all. */
  until(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

async function api(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, { method: init.method ?? 'POST', headers: { 'content-type': 'application/json', ...init.headers }, ...(init.body === undefined ? {} : { body: init.body }) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

let receiver: Receiver;
beforeAll(async () => { receiver = await Receiver.start(); });
afterAll(async () => { await receiver.close(); });
afterEach(() => { receiver.received.length = 0; receiver.statuses = []; });

describe('CryptoBot emulator (Crypto Pay API)', () => {
  let cryptobot: CryptoBotEmulator;
  beforeAll(async () => { cryptobot = await CryptoBotEmulator.start(); });
  afterAll(async () => { await cryptobot.stop(); });
  const call = (method: string, params: Record<string, unknown>, token = cryptobot.token) =>
    api(`${cryptobot.apiRoot}${method}`, { headers: { 'Crypto-Pay-API-Token': token }, body: JSON.stringify(params) });

  it('refuses calls without the app token, and unknown methods, in the API\'s error shape', async () => {
    expect(await call('getMe', {}, 'wrong')).toEqual({ status: 401, json: { ok: false, error: { code: 401, name: 'UNAUTHORIZED' } } });
    expect((await call('transferEverything', {})).json).toEqual({ ok: false, error: { code: 405, name: 'METHOD_NOT_FOUND' } });
    expect((await call('getMe', {})).json).toMatchObject({ ok: true, result: { payment_processing_bot_username: 'CryptoBot' } });
  });

  it('creates fiat and crypto invoices, validating amount, asset, fiat and payload size', async () => {
    const fiat = await call('createInvoice', { currency_type: 'fiat', fiat: 'RUB', amount: '299.00', payload: 'order-1', expires_in: 3600 });
    expect(fiat.json).toMatchObject({ ok: true, result: { currency_type: 'fiat', fiat: 'RUB', amount: '299.00', status: 'active', payload: 'order-1' } });
    const crypto = await call('createInvoice', { asset: 'USDT', amount: '1.5' });
    expect(crypto.json).toMatchObject({ ok: true, result: { currency_type: 'crypto', asset: 'USDT', amount: '1.5' } });
    for (const [params, name] of [
      [{ asset: 'USDT', amount: '-1' }, 'AMOUNT_INVALID'],
      [{ asset: 'DOGE', amount: '1' }, 'ASSET_INVALID'],
      [{ currency_type: 'fiat', fiat: 'XXX', amount: '1' }, 'FIAT_INVALID'],
      [{ asset: 'USDT', amount: '1', payload: 'x'.repeat(4097) }, 'PAYLOAD_TOO_LONG'],
    ] as const) {
      expect((await call('createInvoice', params)).json).toEqual({ ok: false, error: { code: 400, name } });
    }
  });

  it('lists invoices by ids and status', async () => {
    const created = (await call('createInvoice', { asset: 'TON', amount: '3' })).json.result as { invoice_id: number };
    const listed = await call('getInvoices', { invoice_ids: String(created.invoice_id) });
    expect((listed.json.result as { items: { invoice_id: number }[] }).items.map((item) => item.invoice_id)).toEqual([created.invoice_id]);
    cryptobot.expire(created.invoice_id);
    const expired = await call('getInvoices', { invoice_ids: String(created.invoice_id), status: 'expired' });
    expect((expired.json.result as { items: unknown[] }).items).toHaveLength(1);
  });

  it('delivers invoice_paid signed over the raw body with key SHA-256(token), retrying until a 2xx', async () => {
    cryptobot.setWebhookUrl(receiver.url);
    const created = (await call('createInvoice', { currency_type: 'fiat', fiat: 'USD', amount: '10.00', payload: 'p' })).json.result as { invoice_id: number };
    receiver.statuses = [500, 502];
    cryptobot.pay(created.invoice_id);
    await receiver.until(3);
    const [first, , third] = receiver.received;
    expect(third?.body).toBe(first?.body);
    const body = JSON.parse(first?.body ?? '{}') as Record<string, unknown>;
    expect(body).toMatchObject({ update_type: 'invoice_paid', payload: { invoice_id: created.invoice_id, status: 'paid', amount: '10.00', fiat: 'USD', payload: 'p' } });
    const key = createHash('sha256').update(cryptobot.token).digest();
    expect(first?.headers['crypto-pay-api-signature']).toBe(createHmac('sha256', key).update(first?.body ?? '').digest('hex'));
    await cryptobot.settled();
    expect(cryptobot.deliveries().map((attempt) => attempt.status)).toEqual([500, 502, 200]);
  });

  it('fails, slows down and refuses connections on demand', async () => {
    cryptobot.injectFault({ status: 503, times: 1 });
    expect((await call('getMe', {})).status).toBe(503);
    expect((await call('getMe', {})).status).toBe(200);
    await cryptobot.down();
    await expect(call('getMe', {})).rejects.toThrow();
    await cryptobot.up();
    expect((await call('getMe', {})).status).toBe(200);
  });
});

describe('Platega emulator', () => {
  let platega: PlategaEmulator;
  beforeAll(async () => { platega = await PlategaEmulator.start({ callbackUrl: undefined }); });
  afterAll(async () => { await platega.stop(); });
  const auth = () => ({ 'X-MerchantId': platega.merchantId, 'X-Secret': platega.secret });
  const processTransaction = (body: string, headers = auth()) => api(`${platega.apiRoot}/transaction/process`, { headers, body });
  const order = '{"paymentMethod":2,"paymentDetails":{"amount":1990.50,"currency":"RUB"},"description":"Plan","return":"https://t.me/x","failedUrl":"https://t.me/x","payload":"order-9"}';

  it('needs X-MerchantId and X-Secret on every call', async () => {
    expect((await processTransaction(order, { 'X-MerchantId': platega.merchantId, 'X-Secret': 'nope' })).status).toBe(401);
    expect((await api(`${platega.apiRoot}/transaction/00000000-0000-4000-8000-000000000000`, { method: 'GET' })).status).toBe(401);
  });

  it('creates a PENDING transaction keeping the amount digit for digit, and reads it back', async () => {
    const created = await processTransaction(order);
    expect(created.json).toMatchObject({ status: 'PENDING', paymentDetails: { currency: 'RUB' } });
    const id = created.json.transactionId as string;
    expect(platega.transaction(id)).toMatchObject({ amount: '1990.50', payload: 'order-9' });
    const read = await fetch(`${platega.apiRoot}/transaction/${id}`, { headers: auth() });
    expect(await read.text()).toContain('"amount":1990.50');
    expect((await processTransaction('{"paymentMethod":2,"paymentDetails":{"amount":0,"currency":"RUB"}}')).status).toBe(400);
  });

  it('sends callbacks with the merchant\'s credentials, retrying 3 times after a failure', async () => {
    platega.setCallbackUrl(receiver.url);
    const id = (await processTransaction(order)).json.transactionId as string;
    receiver.statuses = [500, 500, 500, 500];
    platega.confirm(id);
    await receiver.until(4);
    await platega.settled();
    expect(platega.deliveries().map((attempt) => attempt.status)).toEqual([500, 500, 500, 500]);
    const callback = receiver.received[0];
    expect(callback?.headers['x-merchantid']).toBe(platega.merchantId);
    expect(callback?.headers['x-secret']).toBe(platega.secret);
    expect(callback?.body).toBe(`{"id":"${id}","amount":1990.50,"currency":"RUB","status":"CONFIRMED","paymentMethod":2,"payload":"order-9"}`);
  });

  it('charges back only a confirmed transaction, and resends any callback on demand', async () => {
    platega.setCallbackUrl(receiver.url);
    const id = (await processTransaction(order)).json.transactionId as string;
    expect(() => platega.chargeback(id)).toThrow(/PENDING/);
    const confirmed = platega.confirm(id);
    platega.chargeback(id);
    await platega.resend(confirmed);
    await receiver.until(3);
    expect(receiver.received.map((request) => (JSON.parse(request.body) as { status: string }).status).sort()).toEqual(['CHARGEBACKED', 'CONFIRMED', 'CONFIRMED']);
  });
});
