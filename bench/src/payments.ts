/**
 * Payment callbacks: the payment service (its dist/main.js, as deployed, on a real PostgreSQL and
 * nats-server) accepting CryptoBot's `invoice_paid` webhooks, against a bare node:http server that
 * parses the body and answers 200 (bare-callback.ts), in the same run on the same machine.
 *
 * 1. Accept rate. N invoices are created through `svc.payment.create_invoice` (the CryptoBot
 *    emulator behind the service's real client), paid at the emulator without delivery, and their
 *    signed webhooks posted by a closed-loop load (keep-alive, `--concurrency` in flight): first
 *    delivery (signature checked, the invoice and its subscription written in one transaction with
 *    the activation event in the outbox, the outbox flushed to JetStream before the answer), then
 *    the same N again (duplicates: checked, found already paid, answered 200, nothing written).
 *    The same bodies go to the bare server. Also the signature check alone, in this process.
 * 2. Confirmation → message. With the bot service running the main bot (Telegram emulated) and
 *    the user service beside it (the notice is in the buyer's language, which the bots context
 *    asks the users context for), M payments one after another at `--rate`: from the provider's
 *    confirmation (the webhook posted) to its 200, and to the main bot's "Payment received"
 *    reaching Telegram (the event over JetStream, the bots context's notice through its replies
 *    outbox). A notice that does not arrive within 60 s fails the benchmark.
 *
 * Usage: node bench/dist/payments.js [--invoices 2000] [--concurrency 16] [--notices 100] [--rate 10]
 */
import { PaymentProvider } from '@nova/contracts';
import { connectJetStreamBus } from '@nova/bus';
import { CryptoBotEmulator, type CryptoUpdate } from '@nova/payment-emulators';
import { createLogger, Metrics } from '@nova/platform';
import { TelegramEmulator } from '@nova/telegram-emulator';
import { createDatabase, freePort, startTestbed } from '@nova/testbed';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { load, type LoadResult } from './http-load.js';
import { startProcess } from './processes.js';
import { option, percentile } from './support.js';

const INVOICES = option('invoices', 2_000);
const CONCURRENCY = option('concurrency', 16);
const NOTICES = option('notices', 100);
const RATE = option('rate', 10);
const CALLBACK_PATH = '/payments/cryptobot/callback';
const FIRST_USER = 900_000_000;

const fmt = (value: number, digits = 1): string => value.toFixed(digits);

interface Summary {
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  readonly failures: number;
}

function summary(run: LoadResult): Summary {
  return { rate: run.latencies.length / run.seconds, p50: percentile(run.latencies, 50), p99: percentile(run.latencies, 99), failures: run.failures };
}

function line(name: string, s: Summary): string {
  return `${name.padEnd(40)} ${fmt(s.rate, 0).padStart(6)} callbacks/s, p50 ${fmt(s.p50, 2)} ms, p99 ${fmt(s.p99, 2)} ms, non-200: ${String(s.failures)}`;
}

/** The check the service makes (authenticity.ts), written out: HMAC-SHA256 of the raw body keyed by SHA-256(token), compared in constant time. */
function signatureCheckMicros(updates: readonly CryptoUpdate[], token: string): number {
  const key = createHash('sha256').update(token).digest();
  const started = performance.now();
  let valid = 0;
  for (const update of updates) {
    const expected = createHmac('sha256', key).update(update.body).digest();
    const given = Buffer.from(update.signature, 'hex');
    if (given.length === expected.length && timingSafeEqual(given, expected)) valid++;
  }
  if (valid !== updates.length) throw new Error(`only ${String(valid)} of ${String(updates.length)} signatures verified`);
  return ((performance.now() - started) * 1000) / updates.length;
}

/**
 * Part 2 on a bed of its own: part 1's 2,000 activations leave as many notices for chats that never
 * started the main bot (refused by Telegram, paced like every send), which would sit in front.
 */
async function confirmationToMessage(): Promise<{ answered: number[]; told: number[] }> {
  const bed = await startTestbed({ components: ['nats', 'postgres'] });
  const cryptobot = await CryptoBotEmulator.start();
  const telegram = await TelegramEmulator.start();
  try {
    const { nats, postgres } = bed.info;
    if (nats === undefined || postgres === undefined) throw new Error('the test bed started without NATS or PostgreSQL');
    const main = telegram.createBot({ username: 'bench_main_bot' });
    const common = { NOVA_NATS_URL: nats.url, NOVA_NAMESPACE: 'bench', NOVA_DATABASE_URL: await createDatabase(postgres.url, `bench_notices_${randomBytes(3).toString('hex')}`) };
    const payments = await startProcess(bed.stack, 'payment-service', 'services/payment-service/dist/main.js', { ...common, NOVA_CRYPTOBOT_API_ROOT: cryptobot.apiRoot, NOVA_CRYPTOBOT_TOKEN: cryptobot.token });
    // Since the main bot speaks each person's language (issue 24), the notice waits for the users
    // context's answer: without this process every notice was redelivered until the run gave up.
    await startProcess(bed.stack, 'user-service', 'services/user-service/dist/main.js', common);
    await startProcess(bed.stack, 'bot-service', 'services/bot-service/dist/main.js', {
      ...common, NOVA_MAIN_BOT_TOKEN: main.token, NOVA_TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'), NOVA_WEBHOOK_SECRET: randomBytes(24).toString('base64url'),
      NOVA_TELEGRAM_API_ROOT: telegram.apiRoot, NOVA_PUBLIC_URL: `http://127.0.0.1:${String(await freePort())}`,
    });
    const bus = await connectJetStreamBus({ servers: [nats.url], name: 'bench-notices', metrics: new Metrics({ namespace: 'bench', side: 'target', defaults: false }), logger: createLogger({ name: 'bench-notices', level: 'warn' }) });
    const answered: number[] = [];
    const told: number[] = [];
    const started = Date.now();
    for (let n = 0; n < NOTICES; n++) {
      const due = started + (n * 1000) / RATE;
      if (due > Date.now()) await sleep(due - Date.now());
      const user = FIRST_USER + n;
      telegram.addChat(main.id, { id: user, type: 'private' });
      const { invoice } = await bus.request('svc.payment.create_invoice', { telegramId: BigInt(user), planId: 'posting-30d', provider: PaymentProvider.CRYPTOBOT, effectKey: `notice-${String(n)}` }, { routingKey: user });
      const atProvider = cryptobot.invoiceWithPayload(invoice?.id ?? '');
      if (atProvider === undefined) throw new Error(`invoice ${invoice?.id ?? '?'} is not at the emulator`);
      const notice = telegram.nextMessageTo(user, { botId: main.id, timeoutMs: 60_000 });
      const update = cryptobot.pay(atProvider.invoice_id, { deliver: false });
      const confirmedAt = Date.now();
      const response = await fetch(`${payments.url}${CALLBACK_PATH}`, { method: 'POST', body: update.body, headers: { 'content-type': 'application/json', 'crypto-pay-api-signature': update.signature } });
      if (response.status !== 200) throw new Error(`callback answered ${String(response.status)}`);
      answered.push(Date.now() - confirmedAt);
      notice.then((message) => {
        if (message.text?.includes('Payment received') === true) told.push(Date.now() - confirmedAt);
      }, () => undefined);
    }
    const deadline = Date.now() + 60_000;
    while (told.length < NOTICES && Date.now() < deadline) await sleep(50);
    await bus.close();
    if (told.length < NOTICES) throw new Error(`only ${String(told.length)} of ${String(NOTICES)} "Payment received" notices reached Telegram within 60 s of the last payment`);
    return { answered, told };
  } finally {
    await telegram.stop();
    await cryptobot.stop();
    await bed.stop();
  }
}

const bed = await startTestbed({ components: ['nats', 'postgres'] });
const cryptobot = await CryptoBotEmulator.start();
try {
  const { nats, postgres } = bed.info;
  if (nats === undefined || postgres === undefined) throw new Error('the test bed started without NATS or PostgreSQL');
  const databaseUrl = await createDatabase(postgres.url, `bench_payments_${randomBytes(3).toString('hex')}`);
  const common = { NOVA_NATS_URL: nats.url, NOVA_NAMESPACE: 'bench', NOVA_DATABASE_URL: databaseUrl };
  const payments = await startProcess(bed.stack, 'payment-service', 'services/payment-service/dist/main.js', {
    ...common, NOVA_CRYPTOBOT_API_ROOT: cryptobot.apiRoot, NOVA_CRYPTOBOT_TOKEN: cryptobot.token,
    // The reconciler would poll the emulator for the invoices paid without delivery; part 1 posts their webhooks itself.
    NOVA_PAYMENT_RECONCILE_INTERVAL: '1h',
  });
  const bare = await startProcess(bed.stack, 'bare-callback', 'bench/dist/bare-callback.js', {});
  const logger = createLogger({ name: 'bench-payments', level: 'warn' });
  const bus = await connectJetStreamBus({ servers: [nats.url], name: 'bench-payments', metrics: new Metrics({ namespace: 'bench', side: 'target', defaults: false }), logger });

  // Part 1: N invoices created through the service, paid at the provider, their webhooks kept.
  const createdAt = performance.now();
  const updates: CryptoUpdate[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < INVOICES) {
      const n = next++;
      const user = BigInt(FIRST_USER + n);
      const { invoice } = await bus.request('svc.payment.create_invoice', { telegramId: user, planId: 'bots-30d', provider: PaymentProvider.CRYPTOBOT, effectKey: `bench-${String(n)}` }, { routingKey: user });
      const atProvider = cryptobot.invoiceWithPayload(invoice?.id ?? '');
      if (atProvider === undefined) throw new Error(`invoice ${invoice?.id ?? '?'} is not at the emulator`);
      updates.push(cryptobot.pay(atProvider.invoice_id, { deliver: false }));
    }
  }));
  const creationSeconds = (performance.now() - createdAt) / 1000;
  const signed = (n: number) => {
    const update = updates[n % updates.length];
    if (update === undefined) throw new Error('no update');
    return { body: update.body, headers: { 'crypto-pay-api-signature': update.signature } };
  };
  // Warm-up on the bare side only: the service's first pass is the activations themselves.
  await load(`${bare.url}${CALLBACK_PATH}`, {}, signed, Math.min(500, INVOICES), CONCURRENCY);
  const bareRun = summary(await load(`${bare.url}${CALLBACK_PATH}`, {}, signed, INVOICES, CONCURRENCY));
  const firstRun = summary(await load(`${payments.url}${CALLBACK_PATH}`, {}, signed, INVOICES, CONCURRENCY));
  const duplicateRun = summary(await load(`${payments.url}${CALLBACK_PATH}`, {}, signed, INVOICES, CONCURRENCY));
  const checkMicros = signatureCheckMicros(updates, cryptobot.token);

  await bus.close();
  await bed.stop();
  const { answered, told } = await confirmationToMessage();

  console.log(`payments benchmark: ${String(cpus().length)} cores (${cpus()[0]?.model.trim() ?? '?'}), ${fmt(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`);
  console.log(`  PostgreSQL ${postgres.version}, nats-server ${nats.version} on loopback; CryptoBot and Telegram emulated in this process; load generator in this process`);
  console.log(`  ${String(INVOICES)} invoices created through svc.payment.create_invoice in ${fmt(creationSeconds)} s (${fmt(INVOICES / creationSeconds, 0)}/s, ${String(CONCURRENCY)} in flight)`);
  console.log(line('bare node:http (parse, 200):', bareRun));
  console.log(line('payment service, first delivery:', firstRun));
  console.log(line('payment service, duplicates:', duplicateRun));
  console.log(`signature check alone: ${fmt(checkMicros, 1)} µs per callback (HMAC-SHA256 over the raw body, constant-time compare)`);
  console.log(`service / baseline: first delivery ${fmt(firstRun.rate / bareRun.rate, 3)}× the throughput, p50 ${fmt(firstRun.p50 / bareRun.p50, 1)}×; duplicates ${fmt(duplicateRun.rate / bareRun.rate, 3)}×, p50 ${fmt(duplicateRun.p50 / bareRun.p50, 1)}×`);
  console.log(`confirmation → 200: p50 ${fmt(percentile(answered, 50))} ms, p95 ${fmt(percentile(answered, 95))} ms; → "Payment received" at Telegram: p50 ${fmt(percentile(told, 50))} ms, p95 ${fmt(percentile(told, 95))} ms, max ${fmt(Math.max(...told))} ms (${String(told.length)} of ${String(NOTICES)} at ${String(RATE)}/s)`);
} finally {
  await cryptobot.stop();
  await bed.stop();
}
