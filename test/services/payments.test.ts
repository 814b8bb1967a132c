/**
 * The payments context on both sides, as processes from their build: the payment service
 * (dist/main.js, svc.payment.* on NATS, callbacks on its HTTP port) and the monolith (inline, the
 * same context on its in-process bus, serving /payments/ too), one database as in production
 * before stage 7, both providers emulated. An invoice made through the service is paid through
 * a callback that reaches the monolith (the stage-5 route still points there); a payment service
 * killed with SIGKILL gets the provider's retries once it is back and activates once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectJetStreamBus, type NovaBus } from '@nova/bus';
import { PaymentProvider, PlanKind } from '@nova/contracts';
import { CryptoBotEmulator, PlategaEmulator } from '@nova/payment-emulators';
import { createLogger, Metrics } from '@nova/platform';
import { freePort, waitFor } from '@nova/testbed';
import pg from 'pg';
import { type RunningService } from './support/services.js';
import { World, type Env } from './support/world.js';

let world: World;
let cryptobot: CryptoBotEmulator;
let platega: PlategaEmulator;
let service: RunningService;
let serviceAddress: string;
let monolith: RunningService;
let monolithUrl: string;
let bus: NovaBus;
let inspector: pg.Client;

function paymentEnv(): Env {
  return {
    NOVA_CRYPTOBOT_API_ROOT: cryptobot.apiRoot,
    NOVA_CRYPTOBOT_TOKEN: cryptobot.token,
    NOVA_PLATEGA_API_ROOT: platega.apiRoot,
    NOVA_PLATEGA_MERCHANT_ID: platega.merchantId,
    NOVA_PLATEGA_SECRET: platega.secret,
  };
}

function startPaymentService(): Promise<RunningService> {
  return world.start('payment-service', { NOVA_NATS_URL: world.nats.url, NOVA_DATABASE_URL: world.databaseUrl, ...paymentEnv() }, serviceAddress);
}

async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  const failure = await waitFor(probe, { timeoutMs: 30_000, intervalMs: 100 });
  if (failure !== undefined) throw new Error(`${what}: ${failure}`);
}

async function subscriptionStatuses(invoiceId: string): Promise<string[]> {
  const result = await inspector.query<{ status: string }>('SELECT status FROM payment_service.purchases WHERE invoice_id = $1', [invoiceId]);
  return result.rows.map((row) => row.status);
}

beforeAll(async () => {
  world = await World.create('payments');
  cryptobot = await CryptoBotEmulator.start();
  // Platega's schedule (a try and 3 retries) with room for a process restart between tries.
  platega = await PlategaEmulator.start({ delivery: { attempts: 60, intervalMs: 500 } });
  inspector = new pg.Client({ connectionString: world.database.url });
  await inspector.connect();
  serviceAddress = `127.0.0.1:${String(await freePort())}`;
  service = await startPaymentService();
  ({ monolith, publicUrl: monolithUrl } = await world.startMonolith('inline', paymentEnv()));
  const logger = createLogger({ name: 'payments-test', level: 'warn' });
  bus = await connectJetStreamBus({ servers: [world.nats.url], name: 'payments-test', metrics: new Metrics({ namespace: 'test', side: 'target', defaults: false }), logger });
});

afterAll(async () => {
  await inspector.end();
  await bus.close();
  await cryptobot.stop();
  await platega.stop();
  await world.close();
});

describe('payments as deployed', () => {
  it('an invoice made by the payment service is paid through the monolith\'s callback endpoint', async () => {
    cryptobot.setWebhookUrl(`${monolithUrl}/payments/cryptobot/callback`);
    // The user has talked to the main bot, so Telegram lets it write to them.
    world.emulator.addChat(world.mainBot.id, { id: 800_000_001, type: 'private' });
    const created = await bus.request('svc.payment.create_invoice', { telegramId: 800_000_001n, planId: 'bots-30d', provider: PaymentProvider.CRYPTOBOT }, { routingKey: 800_000_001 });
    const invoiceId = created.invoice?.id ?? '';
    const atProvider = cryptobot.invoiceWithPayload(invoiceId);
    if (atProvider === undefined) throw new Error('the invoice is not at CryptoBot');
    const update = cryptobot.pay(atProvider.invoice_id);
    await until(async () => (await subscriptionStatuses(invoiceId)).length === 1, 'the monolith to activate the subscription');
    // The same update again at the payment service: the route moved mid-retry.
    cryptobot.setWebhookUrl(`http://${serviceAddress}/payments/cryptobot/callback`);
    await cryptobot.resend(update);
    expect(await subscriptionStatuses(invoiceId)).toEqual(['active']);
    const entitlement = await bus.request('svc.payment.entitlement', { telegramId: 800_000_001n, kind: PlanKind.BOTS }, { routingKey: 800_000_001 });
    expect(entitlement.active).toBe(true);
    // The monolith's main bot says so (its bots context consumes the activation on the in-process bus), once.
    const notices = () => world.emulator.calls((call) => call.ok && call.method === 'sendMessage' && Number(call.params.chat_id) === 800_000_001);
    await until(() => Promise.resolve(notices().length === 1), 'the main bot to announce the payment');
    expect(String(notices()[0]?.params.text)).toContain('Payment received');
  });

  it('a payment service killed with SIGKILL gets the provider\'s retries once back, and activates once', async () => {
    platega.setCallbackUrl(`http://${serviceAddress}/payments/platega/callback`);
    const created = await bus.request('svc.payment.create_invoice', { telegramId: 800_000_002n, planId: 'posting-30d', provider: PaymentProvider.PLATEGA }, { routingKey: 800_000_002 });
    const invoiceId = created.invoice?.id ?? '';
    const transaction = platega.allTransactions().find((candidate) => candidate.payload === invoiceId);
    if (transaction === undefined) throw new Error('the invoice is not at Platega');
    await service.kill('SIGKILL');
    platega.confirm(transaction.id);
    // Wait for a refused attempt, so the restart really comes between the provider's tries.
    await until(() => Promise.resolve(platega.deliveries().some((attempt) => attempt.about === `transaction ${transaction.id}` && attempt.status === undefined)), 'a refused delivery');
    service = await startPaymentService();
    await until(async () => (await subscriptionStatuses(invoiceId)).length === 1, 'the retried callback to activate the subscription');
    await platega.settled();
    expect(await subscriptionStatuses(invoiceId)).toEqual(['active']);
    expect(service.logText()).not.toContain(platega.secret);
    expect(monolith.logText()).not.toContain(cryptobot.token);
  });
});
