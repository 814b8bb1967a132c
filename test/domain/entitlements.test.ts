/**
 * Subscriptions gate what users do, across contexts wired as the deployables wire them, on one
 * real JetStream bus (a nats-server of this file's own) and the test bed's PostgreSQL: the
 * payments context (startPaymentContext, callbacks over real HTTP from both provider emulators),
 * the publisher context (startPublisherContext) and the bots context's handlers and update
 * processor with their bus adapters. A user who bought `posting` through the main bot can post
 * and one without cannot (an administrator's grant still overrides); a user who bought `bots`
 * may connect more child bots than the free allowance.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ServiceCallError, type NovaBus } from '@nova/bus';
import {
  FREE_CHILD_BOTS,
  texts,
  createBotHandlers,
  createUpdateProcessor,
  type UpdateProcessingDeps,
  type UpdateProcessor,
} from '@nova/bot-service/domain';
import { BusPaymentDesk, PaymentsBotsEntitlement } from '@nova/bot-service/wiring';
import { ErrorCode, PlanKind, PostStatus } from '@nova/contracts';
import { CryptoBotEmulator, PlategaEmulator } from '@nova/payment-emulators';
import { paymentContextConfig, startPaymentContext } from '@nova/payment-service/wiring';
import { createLogger, HttpServer, loadConfig, Metrics, Readiness } from '@nova/platform';
import { startPublisherContext } from '@nova/publisher-service/wiring';
import { waitFor } from '@nova/testbed';
import { serveContext } from '@nova/wiring';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { BotContextFixture, type TelegramPerson } from './support/bot-context.js';

const anna: TelegramPerson = { id: 7_770_001, first_name: 'Anna' };
const boris: TelegramPerson = { id: 7_770_002, first_name: 'Boris' };
const vera: TelegramPerson = { id: 7_770_003, first_name: 'Vera' };

let fixture: BotContextFixture;
let bus: NovaBus;
let http: HttpServer;
let cryptobot: CryptoBotEmulator;
let platega: PlategaEmulator;
let processUpdate: UpdateProcessor;
/** The routing key each subscription_activated event arrived with, by the buyer's Telegram id. */
const activationKeys = new Map<bigint, (string | undefined)[]>();
const stops: (() => Promise<void>)[] = [];
let nextChannel = -1_007_770_000_001;

beforeAll(async () => {
  fixture = await BotContextFixture.start('nova_entitlements');
  cryptobot = await CryptoBotEmulator.start();
  platega = await PlategaEmulator.start();
  const logger = createLogger({ name: 'entitlements-test', level: 'warn', destination: new Writable({ write(_chunk, _encoding, done) { done(); } }) });
  const metrics = new Metrics({ namespace: 'test', side: 'target', defaults: false });
  const readiness = new Readiness();
  const host = { logger, metrics, readiness, onStop: (_name: string, step: () => Promise<void>) => { stops.push(step); } };
  // The fixture's bus: the bots context's events and the other contexts' requests on one JetStream.
  bus = fixture.events.bus;
  http = new HttpServer({ address: '127.0.0.1:0', metrics, readiness, logger });

  const payments = loadConfig(z.object(paymentContextConfig), {
    NOVA_CRYPTOBOT_API_ROOT: cryptobot.apiRoot,
    NOVA_CRYPTOBOT_TOKEN: cryptobot.token,
    NOVA_PLATEGA_API_ROOT: platega.apiRoot,
    NOVA_PLATEGA_MERCHANT_ID: platega.merchantId,
    NOVA_PLATEGA_SECRET: platega.secret,
    NOVA_PAYMENT_PROVIDER_TIMEOUT: '2s',
  });
  await startPaymentContext({ ...host, http }, { databaseUrl: fixture.database.url, migrate: true, bus, config: payments, maxConnections: 4 });
  await startPublisherContext(host, {
    config: { NOVA_MAIN_BOT_TOKEN: fixture.mainBot.token, NOVA_TOKEN_ENCRYPTION_KEY: fixture.key, NOVA_PUBLISH_LEASE: 60_000, NOVA_MIGRATE_ON_START: true },
    databaseUrl: fixture.database.url,
    bus,
    clients: fixture.clients,
    maxConnections: 4,
  });
  // The bots context as startBotContext assembles it: its payment desk and bot allowance over the bus.
  const deps: UpdateProcessingDeps = { ...fixture.deps, payments: new BusPaymentDesk(bus), botsEntitlement: new PaymentsBotsEntitlement(bus) };
  const botBinding = await serveContext(bus, 'bot', createBotHandlers(deps));
  stops.push(() => botBinding.stop());
  processUpdate = createUpdateProcessor(deps);
  const notices = await bus.consumeEvents({
    name: 'entitlements-test-activations', context: 'bot', subjects: ['nova.payment.subscription_activated'],
    handle: (event, delivery) => {
      const user = event.subscription?.telegramId ?? 0n;
      activationKeys.set(user, [...(activationKeys.get(user) ?? []), delivery.routingKey]);
      return Promise.resolve();
    },
  });
  stops.push(() => notices.stop());

  const address = await http.listen();
  const origin = `http://127.0.0.1:${String(address.port)}`;
  cryptobot.setWebhookUrl(`${origin}/payments/cryptobot/callback`);
  platega.setCallbackUrl(`${origin}/payments/platega/callback`);
});

afterAll(async () => {
  await http.close();
  for (const stop of stops.reverse()) await stop();
  await cryptobot.stop();
  await platega.stop();
  await fixture.close();
});

/** A person writes to the main bot; resolves with what it answered to this update. */
async function say(person: TelegramPerson, text: string): Promise<string> {
  const before = fixture.sent(person.id).length;
  await processUpdate(fixture.envelope(fixture.mainBot, fixture.textUpdate(person, text)), {});
  return fixture.sent(person.id).slice(before).map((message) => message.text).join('\n');
}

/** Connects a new child bot through the main bot, as a person does; resolves with the answer. */
async function connectBot(person: TelegramPerson, username: string): Promise<string> {
  const bot = fixture.createBot(username);
  await say(person, '/newbot');
  return say(person, bot.token);
}

async function entitled(person: TelegramPerson, kind: PlanKind): Promise<boolean> {
  return (await bus.request('svc.payment.entitlement', { telegramId: BigInt(person.id), kind }, { routingKey: person.id })).active;
}

/** Buys a plan through the main bot (/buy) and pays it at the provider, whose callback activates it. */
async function buy(person: TelegramPerson, planId: string, provider: 'cryptobot' | 'platega', kind: PlanKind): Promise<void> {
  const answer = await say(person, `/buy ${planId} ${provider}`);
  expect(answer).toContain('Pay ');
  if (provider === 'cryptobot') {
    const invoice = cryptobot.allInvoices().at(-1);
    if (invoice === undefined) throw new Error('no invoice at CryptoBot');
    cryptobot.pay(invoice.invoice_id);
  } else {
    const transaction = platega.allTransactions().at(-1);
    if (transaction === undefined) throw new Error('no transaction at Platega');
    platega.confirm(transaction.id);
  }
  const failure = await waitFor(() => entitled(person, kind), { timeoutMs: 15_000, intervalMs: 50 });
  if (failure !== undefined) throw new Error(`${planId} to be active for ${person.first_name}: ${failure}`);
}

/** A channel the person's new child bot administers, linked to it in the publisher. */
async function linkedChannel(person: TelegramPerson, username: string): Promise<bigint> {
  expect(await connectBot(person, username)).toContain(`@${username} is connected`);
  const bot = (await bus.request('svc.bot.list', { ownerTelegramId: BigInt(person.id) }, { routingKey: person.id })).bots.find((candidate) => candidate.username === username);
  if (bot === undefined) throw new Error(`@${username} is not listed`);
  const chatId = nextChannel--;
  fixture.emulator.joinChat(Number(bot.botId), { id: chatId, type: 'channel', title: `${person.first_name}'s channel` }, { status: 'administrator', canPostMessages: true });
  await bus.request('svc.publisher.link_channel', { ownerTelegramId: BigInt(person.id), botId: bot.botId, chatId: BigInt(chatId) }, { routingKey: person.id });
  return BigInt(chatId);
}

function createPost(person: TelegramPerson, chatId: bigint, text: string) {
  return bus.request('svc.publisher.create_post', { ownerTelegramId: BigInt(person.id), chatIds: [chatId], content: { text } }, { routingKey: person.id });
}

async function refusal(promise: Promise<unknown>): Promise<ServiceCallError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ServiceCallError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

function postsIn(chatId: bigint): string[] {
  return fixture.emulator.calls((call) => call.ok && call.method === 'sendMessage' && String(call.params['chat_id']) === chatId.toString()).map((call) => String(call.params['text']));
}

describe('posting needs a posting subscription from the payments context', () => {
  it('refuses a user without one, then publishes once they paid for posting through the main bot', async () => {
    const channel = await linkedChannel(anna, 'AnnaNewsBot');
    const refused = await refusal(createPost(anna, channel, 'Before paying'));
    expect(refused.code).toBe(ErrorCode.FAILED_PRECONDITION);
    expect(refused.details).toMatchObject({ subscription: 'posting' });
    expect(postsIn(channel)).toEqual([]);

    // Another kind does not unlock posting.
    await buy(anna, 'bots-30d', 'platega', PlanKind.BOTS);
    expect((await refusal(createPost(anna, channel, 'Still not'))).code).toBe(ErrorCode.FAILED_PRECONDITION);

    await buy(anna, 'posting-30d', 'cryptobot', PlanKind.POSTING);
    const published = await createPost(anna, channel, 'After paying');
    expect(published.post?.status).toBe(PostStatus.PUBLISHED);
    expect(postsIn(channel)).toEqual(['After paying']);
  });

  it('still lets an administrator\'s explicit grant override a missing subscription', async () => {
    const channel = await linkedChannel(vera, 'VeraNewsBot');
    expect(await entitled(vera, PlanKind.POSTING)).toBe(false);
    await bus.request('svc.publisher.grant_posting', { telegramId: BigInt(vera.id), grantedBy: 1n, until: timestampFromDate(new Date(Date.now() + 86_400_000)) }, { routingKey: vera.id });
    const published = await createPost(vera, channel, 'Granted');
    expect(published.post?.status).toBe(PostStatus.PUBLISHED);
    expect(postsIn(channel)).toEqual(['Granted']);
  });
});

describe('the bot limit follows the bots subscription', () => {
  it(`allows ${String(FREE_CHILD_BOTS)} bots for free, refuses the next, and allows it once a bots plan is paid`, async () => {
    for (let n = 1; n <= FREE_CHILD_BOTS; n++) expect(await connectBot(boris, `BorisBot${String(n)}Bot`)).toContain('is connected');
    const extra = fixture.createBot('BorisExtraBot');
    await say(boris, '/newbot');
    expect(await say(boris, extra.token)).toBe(texts('en').botLimitFree(FREE_CHILD_BOTS));
    // Refused before Telegram: the extra bot got no webhook.
    expect(fixture.webhookOf(extra)).toBeUndefined();

    await buy(boris, 'bots-30d', 'cryptobot', PlanKind.BOTS);
    await say(boris, '/newbot');
    expect(await say(boris, extra.token)).toContain('@BorisExtraBot is connected');
    const listed = await bus.request('svc.bot.list', { ownerTelegramId: BigInt(boris.id) }, { routingKey: boris.id });
    expect(listed.bots).toHaveLength(FREE_CHILD_BOTS + 1);
  });
});

describe('payment events name their user', () => {
  it('every subscription_activated so far was published with the buyer\'s Telegram id as its routing key', async () => {
    // Anna bought twice and Boris once in the tests above.
    const failure = await waitFor(() => Promise.resolve((activationKeys.get(BigInt(anna.id))?.length ?? 0) >= 2 && (activationKeys.get(BigInt(boris.id))?.length ?? 0) >= 1), { timeoutMs: 15_000, intervalMs: 50 });
    if (failure !== undefined) throw new Error(`the activations to be consumed: ${failure}`);
    expect(new Set(activationKeys.get(BigInt(anna.id)))).toEqual(new Set([String(anna.id)]));
    expect(activationKeys.get(BigInt(boris.id))).toEqual([String(boris.id)]);
  });
});
