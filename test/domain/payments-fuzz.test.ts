/**
 * Fuzzing both callback endpoints (the real handlers, real PostgreSQL): thousands of random and
 * mutated bodies and headers, bounded in time. None may get a 5xx. CryptoBot signs the raw
 * body, so no mutation of it may change anything. Platega signs nothing (the merchant's headers
 * are its only proof): a mutated body that still carries them and still says the same thing
 * (reformatted JSON, trailing blanks) IS that callback, so the one change allowed there is the
 * genuine activation of the invoice it names, once. Seeded, so a failure can be replayed
 * (NOVA_FUZZ_SEED).
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { CreateInvoiceRequestSchema, PaymentProvider } from '@nova/contracts';
import { migrate } from '@nova/db';
import { CryptoBotEmulator, PlategaEmulator, cryptoPaySignature } from '@nova/payment-emulators';
import { PAYMENT_MIGRATIONS_DIR, createPaymentHandlers, openPaymentDatabase, type PaymentDatabase } from '@nova/payment-service/domain';
import { CryptoPayClient, PlategaClient, ProviderHttp, callbackHandlers } from '@nova/payment-service/wiring';
import { createLogger, Metrics, type HttpRequest } from '@nova/platform';
import type { EventPublisher } from '@nova/domain';
import { Writable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { DomainBus } from './support/domain-bus.js';

const CASES = 3_000;
const BUDGET_MS = 60_000;
const seed = Number(process.env.NOVA_FUZZ_SEED ?? Date.now() % 1_000_000);

let database: TestDatabase;
let db: PaymentDatabase;
let domainBus: DomainBus;
let publisher: EventPublisher;
let cryptobot: CryptoBotEmulator;
let platega: PlategaEmulator;
let callbacks: ReturnType<typeof callbackHandlers>;
/** Genuine callbacks for real pending invoices: the material mutations start from. */
const genuine: { provider: 'cryptobot' | 'platega'; body: string; headers: Record<string, string> }[] = [];

/** mulberry32: small, seeded, good enough to pick mutations. */
function random(seedValue: number): () => number {
  let state = seedValue >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

beforeAll(async () => {
  database = await createTestDatabase('nova_payments_fuzz');
  domainBus = await DomainBus.start('payments-fuzz-test');
  publisher = domainBus.publisher;
  await migrate({ connectionString: database.url, schema: 'payment_service', migrationsDir: PAYMENT_MIGRATIONS_DIR });
  db = openPaymentDatabase({ connectionString: database.url, maxConnections: 4 });
  cryptobot = await CryptoBotEmulator.start();
  platega = await PlategaEmulator.start();
  const http = (provider: string): ProviderHttp => new ProviderHttp({ provider, timeoutMs: 2_000 });
  const handlers = createPaymentHandlers({
    db, publisher,
    providers: {
      cryptobot: new CryptoPayClient({ apiRoot: cryptobot.apiRoot, token: cryptobot.token, http: http('cryptobot') }),
      platega: new PlategaClient({ apiRoot: platega.apiRoot, merchantId: platega.merchantId, secret: platega.secret, returnUrl: 'https://t.me/x', failedUrl: 'https://t.me/x', paymentMethod: 2, http: http('platega') }),
    },
  });
  for (let i = 0; i < 3; i++) {
    const a = await handlers.create_invoice(create(CreateInvoiceRequestSchema, { telegramId: 600_000_000n + BigInt(i), planId: 'bots-30d', provider: PaymentProvider.CRYPTOBOT }), {});
    const paid = cryptobot.pay(cryptobot.invoiceWithPayload(a.invoice?.id ?? '')?.invoice_id ?? 0, { deliver: false });
    genuine.push({ provider: 'cryptobot', body: paid.body, headers: { 'crypto-pay-api-signature': paid.signature } });
    const b = await handlers.create_invoice(create(CreateInvoiceRequestSchema, { telegramId: 610_000_000n + BigInt(i), planId: 'stories-30d', provider: PaymentProvider.PLATEGA }), {});
    const transaction = platega.allTransactions().find((candidate) => candidate.payload === b.invoice?.id);
    const confirmed = platega.confirm(transaction?.id ?? '', { deliver: false });
    genuine.push({ provider: 'platega', body: confirmed.body, headers: { 'x-merchantid': platega.merchantId, 'x-secret': platega.secret } });
  }
  callbacks = callbackHandlers({
    db, publisher, clock: () => new Date(),
    credentials: { cryptobotToken: cryptobot.token, platega: { merchantId: platega.merchantId, secret: platega.secret } },
    metrics: new Metrics({ namespace: 'test', side: 'target', defaults: false }),
    logger: createLogger({ name: 'fuzz', level: 'silent', destination: new Writable({ write(_chunk, _encoding, done) { done(); } }) }),
  });
});

afterAll(async () => {
  await db.$disconnect();
  await cryptobot.stop();
  await platega.stop();
  await domainBus.close();
  await database.drop();
});

const JUNK = ['', '{}', '[]', 'null', '"x"', '{"update_type":"invoice_paid"}', '{"payload":{}}', '\u0000', '{"id":1e309}', '{"amount":-0}', 'ç'.repeat(300), '{'.repeat(2000)];

/** One mutated request: a genuine callback with its body or headers changed, or junk. */
function mutate(next: () => number): { provider: 'cryptobot' | 'platega'; body: string; headers: Record<string, string> } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const base = pick(genuine);
  const provider = next() < 0.1 ? (base.provider === 'cryptobot' ? 'platega' : 'cryptobot') : base.provider;
  let body = base.body;
  let headers = { ...base.headers };
  switch (Math.floor(next() * 9)) {
    case 0: body = pick(JUNK); break;
    case 1: { // flip one character
      const at = Math.floor(next() * body.length);
      body = body.slice(0, at) + String.fromCharCode(32 + Math.floor(next() * 94)) + body.slice(at + 1);
      break;
    }
    case 2: body = body.slice(0, Math.floor(next() * body.length)); break;
    case 3: body = body.replace(/\d/, String(Math.floor(next() * 10))); break;
    case 4: headers = {}; break;
    case 5: headers = Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, value.slice(0, -1) + (value.endsWith('0') ? '1' : '0')])); break;
    case 6: // re-signed with another key: authentic-looking, never ours
      headers = { 'crypto-pay-api-signature': cryptoPaySignature(`${String(Math.floor(next() * 1e6))}:AAfuzz`, body) };
      break;
    case 7: body = `${body}${pick([' ', '\n', '}', ',"x":1}'])}`; break;
    default: body = JSON.stringify(JSON.parse(body), null, Math.floor(next() * 3) + 1); break;
  }
  return { provider, body, headers };
}

/** CryptoBot's invoices as stored: no mutation of a signed body may touch them. */
async function cryptoBotInvoices(): Promise<unknown> {
  return (await database.query("SELECT json_agg(i ORDER BY id) AS rows FROM payment_service.payments i WHERE provider = 'cryptobot'")).rows[0];
}

/** Each Platega invoice: pending with no subscription, or paid with exactly one (and its one event). */
async function plategaConsistent(): Promise<boolean> {
  const rows = (await database.query<{ status: string; subscriptions: number }>(
    `SELECT i.status, (SELECT count(*) FROM payment_service.purchases s WHERE s.invoice_id = i.id)::int AS subscriptions
       FROM payment_service.payments i WHERE provider = 'platega'`,
  )).rows;
  const events = (await database.query<{ n: number }>('SELECT count(*)::int AS n FROM payment_service.outbox_events')).rows[0]?.n;
  const subscriptions = rows.reduce((sum, row) => sum + row.subscriptions, 0);
  return events === subscriptions && rows.every((row) => (row.status === 'pending' && row.subscriptions === 0) || (row.status === 'paid' && row.subscriptions === 1));
}

it(`answers ${String(CASES)} mutated callbacks without a 5xx and without a forged change (seed ${String(seed)})`, async () => {
  const next = random(seed);
  const before = await cryptoBotInvoices();
  const statuses = new Map<number, number>();
  const started = Date.now();
  let cases = 0;
  for (; cases < CASES && Date.now() - started < BUDGET_MS; cases++) {
    const { provider, body, headers } = mutate(next);
    const request: HttpRequest = { method: 'POST', url: '/', path: '/', headers, body: Buffer.from(body), route: '/' };
    // A mutation that leaves the genuine bytes and headers intact is the genuine callback: skip it.
    if (genuine.some((original) => original.provider === provider && original.body === body && JSON.stringify(original.headers) === JSON.stringify(headers))) continue;
    const reply = await callbacks[provider](request);
    statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
    expect({ seed, case: cases, status: reply.status < 500 }).toEqual({ seed, case: cases, status: true });
  }
  expect(cases).toBeGreaterThan(500);
  expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
  expect(await cryptoBotInvoices()).toEqual(before);
  expect(await plategaConsistent()).toBe(true);

  // The untouched originals still work: the fuzzing broke nothing.
  for (const original of genuine) {
    const reply = await callbacks[original.provider]({ method: 'POST', url: '/', path: '/', headers: original.headers, body: Buffer.from(original.body), route: '/' });
    expect(reply.status).toBe(200);
  }
  expect((await database.query<{ n: number }>('SELECT count(*)::int AS n FROM payment_service.purchases')).rows[0]?.n).toBe(genuine.length);
});
