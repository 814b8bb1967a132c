/**
 * Issue 24's "done when": a Russian-speaking person meets Nova in Russian from the first message
 * to a paid subscription, an English-speaking one in English. Twice: the fleet as processes from
 * dist/ (webhook gateway, user, bot and payment services) on NATS JetStream and PostgreSQL, the
 * providers' callbacks going to the payment service over HTTP; then the monolith alone (inline,
 * serving the callbacks), and both sides must say the same words. Telegram, CryptoBot and Platega
 * are the emulators (this machine cannot reach them). Each person writes /start, /subscribe, taps a
 * plan's /buy command, pays at the provider, gets the main bot's notice, then /billing: every reply
 * is in their language (the Russian ones hold no English word but proper names), and the
 * provider's payment page names the plan in it too.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { buyCommand, paymentTexts, texts } from '@nova/bot-service/domain';
import type { Locale } from '@nova/i18n';
import { CryptoBotEmulator, payLinkIn, PlategaEmulator } from '@nova/payment-emulators';
import { freePort } from '@nova/testbed';
import type { UserSpec } from '@nova/telegram-emulator';
import { say } from './support/script.js';
import { expectNoSecretsInLogs, secretsOfRun } from './support/secrets.js';
import type { RunningService } from './support/services.js';
import { World } from './support/world.js';

jest.setTimeout(300_000);

const MASHA: UserSpec = { id: 52_001, first_name: 'Маша', language_code: 'ru' };
const EMMA: UserSpec = { id: 52_002, first_name: 'Emma', language_code: 'en-GB' };
const REPLY_WAIT_MS = 60_000;

let cryptobot: CryptoBotEmulator;
let platega: PlategaEmulator;

beforeAll(async () => {
  cryptobot = await CryptoBotEmulator.start();
  platega = await PlategaEmulator.start();
});

afterAll(async () => {
  await cryptobot.stop();
  await platega.stop();
});

type SideName = 'fleet' | 'monolith';

interface Side {
  readonly world: World;
  readonly services: readonly RunningService[];
}

/**
 * The fleet (gateway, user, bot and payment services; the providers' callbacks to the payment
 * service), or the monolith alone (inline, serving the callbacks itself): each in its own world.
 */
async function startSide(name: SideName): Promise<Side> {
  const world = await World.create(`svc_paid_${name}`);
  const providers = {
    NOVA_CRYPTOBOT_API_ROOT: cryptobot.apiRoot,
    NOVA_CRYPTOBOT_TOKEN: cryptobot.token,
    NOVA_PLATEGA_API_ROOT: platega.apiRoot,
    NOVA_PLATEGA_MERCHANT_ID: platega.merchantId,
    NOVA_PLATEGA_SECRET: platega.secret,
  };
  if (name === 'monolith') {
    const { monolith, publicUrl } = await world.startMonolith('inline', providers);
    cryptobot.setWebhookUrl(`${publicUrl}/payments/cryptobot/callback`);
    platega.setCallbackUrl(`${publicUrl}/payments/platega/callback`);
    return { world, services: [monolith] };
  }
  const paymentAddress = `127.0.0.1:${String(await freePort())}`;
  cryptobot.setWebhookUrl(`http://${paymentAddress}/payments/cryptobot/callback`);
  platega.setCallbackUrl(`http://${paymentAddress}/payments/platega/callback`);
  const fleet = await world.startFleet();
  const payments = await world.start('payment-service', { NOVA_NATS_URL: world.nats.url, NOVA_DATABASE_URL: world.databaseUrl, ...providers }, paymentAddress);
  return { world, services: [fleet.gateway, fleet.users, fleet.bots, payments] };
}

/** Latin words a Russian reply may hold: names, not English (commands, links and @names are taken out first). */
const NAMES = new Set(['Nova', 'Telegram', 'CryptoBot', 'Platega', 'UTC', 'RUB', 'USDT', 'TON', 'SBP']);

function englishIn(text: string): string[] {
  const words = text.replace(/https?:\/\/\S+|\/[a-z0-9_]+|@\w+/giu, ' ').match(/[A-Za-z][A-Za-z0-9]*/gu) ?? [];
  return words.filter((word) => !NAMES.has(word));
}

/** One person's way from the first message to a paid subscription; every reply the main bot sent them, in order. */
async function firstContactToPaid(world: World, person: UserSpec, locale: Locale, provider: 'cryptobot' | 'platega'): Promise<string[]> {
  const main = world.mainBot;
  const replies: string[] = [];
  const ask = async (text: string): Promise<string> => {
    const reply = (await say(world.emulator, main, person, text)).text ?? '';
    replies.push(reply);
    return reply;
  };
  expect(await ask('/start')).toBe(texts(locale).welcome(person.first_name, true));
  const planName = locale === 'ru' ? 'Больше ботов, 30 дней' : 'More bots, 30 days';
  const offer = await ask('/subscribe');
  expect(offer).toContain(planName);
  const buy = buyCommand('bots-30d', provider);
  expect(offer).toContain(buy);
  const link = await ask(buy);
  expect(link).toContain(planName);
  // The notice comes after the payment, outside the conversation: armed before paying.
  const notice = world.emulator.nextMessageTo(person.id, { botId: main.id, timeoutMs: REPLY_WAIT_MS });
  const paid = payLinkIn({ cryptobot, platega }, link);
  expect(paid?.provider).toBe(provider);
  // The provider's payment page names the plan in the buyer's language too.
  const description = provider === 'cryptobot' ? cryptobot.invoiceWithPayload(paid?.payload ?? '')?.description : platega.allTransactions().find((each) => each.payload === paid?.payload)?.description;
  expect(description).toBe(planName);
  const told = (await notice).text ?? '';
  replies.push(told);
  expect(told.startsWith(paymentTexts(locale).activated('KIND', 'UNTIL').split('KIND')[0] ?? '?')).toBe(true);
  const billing = await ask('/billing');
  expect(billing).toContain(provider === 'cryptobot' ? 'CryptoBot' : 'Platega');
  return replies;
}

/** Each side's replies, by person's language, for the comparison at the end. */
const said = new Map<SideName, Map<Locale, string[]>>();

describe.each(['fleet', 'monolith'] as const)('from the first message to a paid subscription, in the person\'s language: %s', (name) => {
  let side: Side;
  const replies = new Map<Locale, string[]>();

  beforeAll(async () => {
    side = await startSide(name);
    said.set(name, replies);
  });

  afterAll(async () => {
    await side.world.close();
  });

  it('Маша, whose Telegram app speaks Russian, pays through Platega and reads Russian all the way', async () => {
    const got = await firstContactToPaid(side.world, MASHA, 'ru', 'platega');
    expect(got).toHaveLength(5);
    for (const reply of got) expect({ reply, english: englishIn(reply) }).toEqual({ reply, english: [] });
    replies.set('ru', got);
  });

  it('Emma, whose Telegram app speaks English, pays through CryptoBot and reads English all the way', async () => {
    const got = await firstContactToPaid(side.world, EMMA, 'en', 'cryptobot');
    expect(got).toHaveLength(5);
    expect(got.some((reply) => /[А-Яа-яЁё]/u.test(reply))).toBe(false);
    replies.set('en', got);
  });

  it('each step was worded differently for the two, and no secret reached a log', () => {
    const [russian, english] = [replies.get('ru') ?? [], replies.get('en') ?? []];
    expect([russian.length, english.length]).toEqual([5, 5]);
    russian.forEach((reply, index) => {
      expect(reply).not.toBe(english[index]);
    });
    expectNoSecretsInLogs(side.services, secretsOfRun(side.world.secrets, []));
    for (const service of side.services) {
      expect(service.logText()).not.toContain(cryptobot.token);
      expect(service.logText()).not.toContain(platega.secret);
    }
  });
});

describe('the monolith and the services', () => {
  it('say the same words at every step, in both languages (the payment links aside)', () => {
    const links = (texts: readonly string[]) => texts.map((text) => text.replace(/https?:\/\/\S+/gu, '<link>'));
    for (const locale of ['ru', 'en'] as const) {
      const fleet = said.get('fleet')?.get(locale) ?? [];
      expect(fleet).toHaveLength(5);
      expect(links(said.get('monolith')?.get(locale) ?? [])).toEqual(links(fleet));
    }
  });
});
