/**
 * The payments context as a process assembles it (startPaymentContext: migrations, svc.payment.*
 * on a bus, the callback endpoints on the platform's HTTP server, the provider clients from the
 * configuration), with both emulators delivering their callbacks over real HTTP: a payment made
 * at the provider activates the subscription, redeliveries change nothing, forged requests get
 * 401. Waits are on state (rows, deliveries settled), never on timers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createInProcessBus, type NovaBus } from '@nova/bus';
import { PaymentProvider, PlanKind } from '@nova/contracts';
import { CryptoBotEmulator, PlategaEmulator, cryptoPaySignature } from '@nova/payment-emulators';
import { paymentContextConfig, startPaymentContext, type PaymentContext } from '@nova/payment-service/wiring';
import { createLogger, HttpServer, loadConfig, Metrics, Readiness } from '@nova/platform';
import { waitFor } from '@nova/testbed';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from './support/database.js';

let database: TestDatabase;
let cryptobot: CryptoBotEmulator;
let platega: PlategaEmulator;
let bus: NovaBus;
let http: HttpServer;
let payments: PaymentContext;
let origin: string;
const stops: (() => Promise<void>)[] = [];
const logLines: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase('nova_payments_http');
  cryptobot = await CryptoBotEmulator.start();
  platega = await PlategaEmulator.start();
  const logger = createLogger({ name: 'payments-http-test', level: 'info', destination: new Writable({ write(chunk: Buffer, _encoding, done) { logLines.push(chunk.toString()); done(); } }) });
  const metrics = new Metrics({ namespace: 'test', side: 'target', defaults: false });
  const readiness = new Readiness();
  bus = createInProcessBus({ metrics, logger });
  http = new HttpServer({ address: '127.0.0.1:0', metrics, readiness, logger });
  const config = loadConfig(z.object(paymentContextConfig), {
    NOVA_CRYPTOBOT_API_ROOT: cryptobot.apiRoot,
    NOVA_CRYPTOBOT_TOKEN: cryptobot.token,
    NOVA_PLATEGA_API_ROOT: platega.apiRoot,
    NOVA_PLATEGA_MERCHANT_ID: platega.merchantId,
    NOVA_PLATEGA_SECRET: platega.secret,
    NOVA_PAYMENT_PROVIDER_TIMEOUT: '2s',
  });
  payments = await startPaymentContext({ logger, metrics, http, readiness, onStop: (_name, step) => { stops.push(step); } }, { databaseUrl: database.url, migrate: true, bus, config, maxConnections: 8 });
  const address = await http.listen();
  origin = `http://127.0.0.1:${String(address.port)}`;
  cryptobot.setWebhookUrl(`${origin}/payments/cryptobot/callback`);
  platega.setCallbackUrl(`${origin}/payments/platega/callback`);
});

afterAll(async () => {
  await http.close();
  for (const stop of stops.reverse()) await stop();
  await bus.close();
  await cryptobot.stop();
  await platega.stop();
  await database.drop();
});

async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  const failure = await waitFor(probe, { timeoutMs: 15_000, intervalMs: 50 });
  if (failure !== undefined) throw new Error(`${what}: ${failure}`);
}

async function subscriptions(invoiceId: string): Promise<{ status: string }[]> {
  return payments.db.subscription.findMany({ where: { invoiceId }, select: { status: true } });
}

describe('payments over HTTP, as deployed', () => {
  it('a CryptoBot payment activates over the real webhook; redeliveries change nothing', async () => {
    const created = await bus.request('svc.payment.create_invoice', { telegramId: 900_000_001n, planId: 'bots-30d', provider: PaymentProvider.CRYPTOBOT });
    const invoiceId = created.invoice?.id ?? '';
    const atProvider = cryptobot.invoiceWithPayload(invoiceId);
    if (atProvider === undefined) throw new Error('the invoice is not at CryptoBot');
    const update = cryptobot.pay(atProvider.invoice_id);
    await until(async () => (await subscriptions(invoiceId)).length === 1, 'the subscription to be activated');
    await Promise.all(Array.from({ length: 10 }, () => cryptobot.resend(update)));
    await cryptobot.settled();
    expect(cryptobot.deliveries().every((attempt) => attempt.status === 200)).toBe(true);
    expect(await subscriptions(invoiceId)).toEqual([{ status: 'active' }]);
    const entitlement = await bus.request('svc.payment.entitlement', { telegramId: 900_000_001n, kind: PlanKind.BOTS });
    expect(entitlement.active).toBe(true);
    // The activation event left the outbox (published on the bus).
    await until(async () => (await payments.db.outboxEvent.count({ where: { publishedAt: null } })) === 0, 'the outbox to be published');
  });

  it('100 concurrent copies of one paid webhook over HTTP activate once: one "activated", 99 "unchanged", all 200, one event', async () => {
    const created = await bus.request('svc.payment.create_invoice', { telegramId: 900_000_003n, planId: 'posting-30d', provider: PaymentProvider.CRYPTOBOT });
    const invoiceId = created.invoice?.id ?? '';
    const atProvider = cryptobot.invoiceWithPayload(invoiceId);
    if (atProvider === undefined) throw new Error('the invoice is not at CryptoBot');
    const update = cryptobot.pay(atProvider.invoice_id, { deliver: false });
    const replies = await Promise.all(Array.from({ length: 100 }, async () => {
      const response = await fetch(`${origin}/payments/cryptobot/callback`, { method: 'POST', body: update.body, headers: { 'content-type': 'application/json', 'crypto-pay-api-signature': update.signature } });
      return { status: response.status, outcome: ((await response.json()) as { outcome?: string }).outcome };
    }));
    expect(replies.filter((reply) => reply.status !== 200)).toEqual([]);
    expect(replies.filter((reply) => reply.outcome === 'activated')).toHaveLength(1);
    expect(replies.filter((reply) => reply.outcome === 'unchanged')).toHaveLength(99);
    expect(await subscriptions(invoiceId)).toEqual([{ status: 'active' }]);
    expect(await payments.db.outboxEvent.count({ where: { msgId: `nova.payment.subscription_activated:${invoiceId}` } })).toBe(1);
  });

  it('a Platega confirmation activates; its chargeback revokes; a late copy of the confirmation is ignored', async () => {
    const created = await bus.request('svc.payment.create_invoice', { telegramId: 900_000_002n, planId: 'stories-30d', provider: PaymentProvider.PLATEGA });
    const invoiceId = created.invoice?.id ?? '';
    const transaction = platega.allTransactions().find((candidate) => candidate.payload === invoiceId);
    if (transaction === undefined) throw new Error('the invoice is not at Platega');
    const confirmed = platega.confirm(transaction.id);
    await until(async () => (await subscriptions(invoiceId)).length === 1, 'the subscription to be activated');
    platega.chargeback(transaction.id);
    await until(async () => (await subscriptions(invoiceId))[0]?.status === 'revoked', 'the subscription to be revoked');
    await platega.resend(confirmed);
    await platega.settled();
    expect(await subscriptions(invoiceId)).toEqual([{ status: 'revoked' }]);
    expect((await bus.request('svc.payment.entitlement', { telegramId: 900_000_002n, kind: PlanKind.STORIES })).active).toBe(false);
  });

  it('answers forged callbacks 401 over HTTP and never logs the credentials', async () => {
    const body = JSON.stringify({ update_id: 99, update_type: 'invoice_paid', request_date: new Date().toISOString(), payload: { invoice_id: 1, status: 'paid', currency_type: 'fiat', fiat: 'RUB', amount: '299.00' } });
    const forged = await fetch(`${origin}/payments/cryptobot/callback`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'crypto-pay-api-signature': cryptoPaySignature('1:AAnot-the-token', body) } });
    expect(forged.status).toBe(401);
    const guessed = await fetch(`${origin}/payments/platega/callback`, { method: 'POST', body: '{}', headers: { 'x-merchantid': platega.merchantId, 'x-secret': 'guess' } });
    expect(guessed.status).toBe(401);
    const metrics = await (await fetch(`${origin}/metrics`)).text();
    expect(metrics).toMatch(/nova_payment_callbacks_total\{provider="cryptobot",outcome="unauthenticated"\} 1/);
    const text = logLines.join('');
    for (const secret of [cryptobot.token, platega.secret]) expect(text).not.toContain(secret);
  });

  it('serves and measures both endpoints under stage 5\'s route /payments/ (what a plain-nginx analysis reads); any other path there is 404', async () => {
    const stray = await fetch(`${origin}/payments/stripe/callback`, { method: 'POST', body: '{}' });
    expect(stray.status).toBe(404);
    const metrics = await (await fetch(`${origin}/metrics`)).text();
    // The forged callbacks of the test before, and this one: all under the route prefix, none by full path.
    expect(metrics).toMatch(/nova_http_server_requests_total\{namespace="test",side="target",route="\/payments\/",code="401"\} 2/);
    expect(metrics).toMatch(/nova_http_server_requests_total\{namespace="test",side="target",route="\/payments\/",code="404"\} 1/);
    expect(metrics).not.toMatch(/route="\/payments\/(cryptobot|platega)/);
  });
});
