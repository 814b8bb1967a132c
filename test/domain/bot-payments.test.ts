/**
 * The main bot sells subscriptions: /subscribe, /buy and /billing processed as updates by the
 * bots context (the fixture's real database, Telegram emulator and clients), with the payments
 * context's real handlers as its PaymentDesk (as the monolith has it) in the same database, and
 * both providers emulated behind the real clients.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { RepliesBusyError, announceSubscription, createUpdateProcessor, menu, type UpdateProcessor } from '@nova/bot-service/domain';
import { SetUserLanguageRequestSchema, type SubscriptionActivated } from '@nova/contracts';
import { migrate } from '@nova/db';
import { CryptoBotEmulator, PlategaEmulator } from '@nova/payment-emulators';
import { PAYMENT_MIGRATIONS_DIR, createPaymentHandlers, openPaymentDatabase, type PaymentDatabase } from '@nova/payment-service/domain';
import { CryptoPayClient, PlategaClient, ProviderHttp, callbackHandlers } from '@nova/payment-service/wiring';
import { createLogger, Metrics } from '@nova/platform';
import { Writable } from 'node:stream';
import { BotContextFixture, type TelegramPerson } from './support/bot-context.js';

const anna: TelegramPerson = { id: 5_550_001, first_name: 'Anna' };
let fixture: BotContextFixture;
let paymentDb: PaymentDatabase;
let cryptobot: CryptoBotEmulator;
let platega: PlategaEmulator;
let processUpdate: UpdateProcessor;
let callbacks: ReturnType<typeof callbackHandlers>;

beforeAll(async () => {
  fixture = await BotContextFixture.start('nova_bot_payments');
  await migrate({ connectionString: fixture.database.url, schema: 'payment_service', migrationsDir: PAYMENT_MIGRATIONS_DIR });
  paymentDb = openPaymentDatabase({ connectionString: fixture.database.url, maxConnections: 4 });
  cryptobot = await CryptoBotEmulator.start();
  platega = await PlategaEmulator.start();
  const http = (provider: string): ProviderHttp => new ProviderHttp({ provider, timeoutMs: 2_000 });
  const payments = createPaymentHandlers({
    db: paymentDb,
    publisher: fixture.publisher,
    providers: {
      cryptobot: new CryptoPayClient({ apiRoot: cryptobot.apiRoot, token: cryptobot.token, http: http('cryptobot') }),
      platega: new PlategaClient({ apiRoot: platega.apiRoot, merchantId: platega.merchantId, secret: platega.secret, returnUrl: 'https://t.me/NovaMainBot', failedUrl: 'https://t.me/NovaMainBot', paymentMethod: 2, http: http('platega') }),
    },
  });
  processUpdate = createUpdateProcessor({ ...fixture.deps, payments });
  callbacks = callbackHandlers({
    db: paymentDb, publisher: fixture.publisher, clock: () => new Date(),
    credentials: { cryptobotToken: cryptobot.token },
    metrics: new Metrics({ namespace: 'test', side: 'target', defaults: false }),
    logger: createLogger({ name: 'bot-payments', level: 'silent', destination: new Writable({ write(_chunk, _encoding, done) { done(); } }) }),
  });
});

afterAll(async () => {
  await paymentDb.$disconnect();
  await cryptobot.stop();
  await platega.stop();
  await fixture.close();
});

/** Anna writes to the main bot; resolves with what it answered to this update. */
async function say(text: string, update = fixture.textUpdate(anna, text)): Promise<string> {
  const before = fixture.sent(anna.id).length;
  await processUpdate(fixture.envelope(fixture.mainBot, update), {});
  return fixture.sent(anna.id).slice(before).map((message) => message.text).join('\n');
}

describe('subscriptions in the main bot', () => {
  it('/subscribe lists the plans with their prices and a tappable purchase command per provider', async () => {
    const answer = await say('/subscribe');
    expect(answer).toContain('More bots, 30 days: RUB\u00a0299.00');
    expect(answer).toContain('/buy_posting_30d_cryptobot · /buy_posting_30d_platega');
  });

  it('a tap on a listed command (the whole command is sent, no words after it) answers that plan\'s payment link', async () => {
    const answer = await say('/buy_posting_30d_platega');
    const transaction = platega.allTransactions().at(-1);
    expect(transaction).toMatchObject({ amount: '249.00', currency: 'RUB', status: 'PENDING' });
    expect(answer).toContain(`Pay RUB\u00a0249.00 for "Channel posting, 30 days" with Platega:\nhttps://pay.platega.io/?id=${transaction?.id ?? '?'}`);
  });

  it('/buy answers the provider\'s payment link; the same update redelivered answers it again and creates nothing', async () => {
    const update = fixture.textUpdate(anna, '/buy bots-30d cryptobot');
    const answer = await say('', update);
    const invoice = cryptobot.allInvoices().at(-1);
    expect(invoice).toMatchObject({ fiat: 'RUB', amount: '299.00', status: 'active' });
    expect(answer).toContain(`Pay RUB\u00a0299.00 for "More bots, 30 days" with CryptoBot:\n${invoice?.bot_invoice_url ?? '?'}`);
    const count = cryptobot.allInvoices().length;
    await processUpdate(fixture.envelope(fixture.mainBot, update), {});
    expect(cryptobot.allInvoices()).toHaveLength(count);
  });

  it('offers the other provider when one is down', async () => {
    await platega.down();
    try {
      expect(await say('/buy stories-30d platega')).toBe('Platega cannot take payments right now. Pay with CryptoBot instead: /buy_stories_30d_cryptobot');
    } finally {
      await platega.up();
    }
  });

  it('/billing shows the subscription once the payment is confirmed', async () => {
    const invoice = cryptobot.allInvoices().find((candidate) => candidate.status === 'active' && candidate.amount === '299.00');
    if (invoice === undefined) throw new Error('no invoice to pay');
    const update = cryptobot.pay(invoice.invoice_id, { deliver: false });
    const reply = await callbacks.cryptobot({ method: 'POST', url: '/', path: '/', route: '/', headers: { 'crypto-pay-api-signature': update.signature }, body: Buffer.from(update.body) });
    expect(reply.status).toBe(200);
    const billing = await say('/billing');
    expect(billing).toMatch(/Your subscriptions:\n• more bots until [A-Z][a-z]{2} \d{1,2}, \d{4} \(active\)/);
    expect(billing).toContain('RUB\u00a0299.00, CryptoBot, paid');
  });

  it('tells the user once when the payments context announces the activation, however often the event comes', async () => {
    const stored = (await fixture.events.stored()).filter((event) => event.subject === 'nova.payment.subscription_activated');
    expect(stored).toHaveLength(1);
    const event = stored[0]?.message as SubscriptionActivated;
    const before = fixture.sent(anna.id).length;
    // Concurrent deliveries of one event: one sends, the others find the reply leased (RepliesBusyError, retryable: the bus redelivers).
    const concurrent = await Promise.allSettled([announceSubscription(fixture.deps, event), announceSubscription(fixture.deps, event), announceSubscription(fixture.deps, event)]);
    for (const result of concurrent) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(RepliesBusyError);
    await announceSubscription(fixture.deps, event);
    const notices = fixture.sent(anna.id).slice(before);
    expect(notices.map((message) => message.text)).toHaveLength(1);
    expect(notices[0]?.text).toMatch(/^⭐ Payment received: your more bots subscription is active until [A-Z][a-z]{2} \d{1,2}, \d{4}\. \/billing shows it\.$/);
  });

  it('tells the buyer in their own language: Russian once they chose it, whoever published the event', async () => {
    const stored = (await fixture.events.stored()).filter((event) => event.subject === 'nova.payment.subscription_activated');
    const event = stored[0]?.message as SubscriptionActivated;
    await fixture.deps.users.setLanguage(create(SetUserLanguageRequestSchema, { telegramId: BigInt(anna.id), language: 'ru' }), {});
    try {
      // Another invoice's activation (its own effect key), so the notice is sent again.
      const subscription = event.subscription === undefined ? undefined : { ...event.subscription, invoiceId: `${event.subscription.invoiceId}-ru` };
      const before = fixture.sent(anna.id).length;
      await announceSubscription(fixture.deps, { ...event, subscription });
      const notices = fixture.sent(anna.id).slice(before);
      expect(notices.map((message) => message.text)).toHaveLength(1);
      expect(notices[0]?.text).toMatch(/^⭐ Оплата получена: подписка «больше ботов» действует до \d{1,2} [а-я]{3,4}\.? \d{4} г\.\. Подробности — \/billing\.$/u);
      expect(notices[0]?.replyMarkup).toEqual(menu('ru'));
    } finally {
      await fixture.deps.users.setLanguage(create(SetUserLanguageRequestSchema, { telegramId: BigInt(anna.id), language: '' }), {});
    }
  });

  it("offers and sells in the buyer's language: plan names, prices and the provider's payment page in Russian", async () => {
    await fixture.deps.users.setLanguage(create(SetUserLanguageRequestSchema, { telegramId: BigInt(anna.id), language: 'ru' }), {});
    try {
      expect(await say('/subscribe')).toContain('⭐ Больше ботов, 30 дней: 299,00\u00a0₽');
      const answer = await say('/buy_stories_30d_cryptobot');
      const invoice = cryptobot.allInvoices().at(-1);
      expect(invoice).toMatchObject({ amount: '199.00', description: 'Истории, 30 дней' });
      expect(answer).toContain(`Оплатите 199,00\u00a0₽ за «Истории, 30 дней» через CryptoBot:\n${invoice?.bot_invoice_url ?? '?'}`);
    } finally {
      await fixture.deps.users.setLanguage(create(SetUserLanguageRequestSchema, { telegramId: BigInt(anna.id), language: '' }), {});
    }
  });

  it('explains /buy without a plan and a provider', async () => {
    expect(await say('/buy gold')).toContain('/buy <plan> <cryptobot|platega>');
  });
});
