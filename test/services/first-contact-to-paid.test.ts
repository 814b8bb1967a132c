/**
 * Issue 24's "done when": a Russian-speaking person meets Nova in Russian from the first message
 * to a paid subscription, an English-speaking one in English. The fleet as processes from dist/
 * (webhook gateway, user, bot and payment services) on NATS JetStream and PostgreSQL; Telegram,
 * CryptoBot and Platega are the emulators (this machine cannot reach them), the providers'
 * callbacks going to the payment service over HTTP. Each person writes /start, /subscribe, taps a
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

let world: World;
let cryptobot: CryptoBotEmulator;
let platega: PlategaEmulator;
let services: RunningService[] = [];

beforeAll(async () => {
  world = await World.create('svc_first_contact_paid');
  cryptobot = await CryptoBotEmulator.start();
  platega = await PlategaEmulator.start();
  const paymentAddress = `127.0.0.1:${String(await freePort())}`;
  cryptobot.setWebhookUrl(`http://${paymentAddress}/payments/cryptobot/callback`);
  platega.setCallbackUrl(`http://${paymentAddress}/payments/platega/callback`);
  const fleet = await world.startFleet();
  const payments = await world.start('payment-service', {
    NOVA_NATS_URL: world.nats.url,
    NOVA_DATABASE_URL: world.databaseUrl,
    NOVA_CRYPTOBOT_API_ROOT: cryptobot.apiRoot,
    NOVA_CRYPTOBOT_TOKEN: cryptobot.token,
    NOVA_PLATEGA_API_ROOT: platega.apiRoot,
    NOVA_PLATEGA_MERCHANT_ID: platega.merchantId,
    NOVA_PLATEGA_SECRET: platega.secret,
  }, paymentAddress);
  services = [fleet.gateway, fleet.users, fleet.bots, payments];
});

afterAll(async () => {
  await cryptobot.stop();
  await platega.stop();
  await world.close();
});

/** Latin words a Russian reply may hold: names, not English (commands, links and @names are taken out first). */
const NAMES = new Set(['Nova', 'Telegram', 'CryptoBot', 'Platega', 'UTC', 'RUB', 'USDT', 'TON', 'SBP']);

function englishIn(text: string): string[] {
  const words = text.replace(/https?:\/\/\S+|\/[a-z0-9_]+|@\w+/giu, ' ').match(/[A-Za-z][A-Za-z0-9]*/gu) ?? [];
  return words.filter((word) => !NAMES.has(word));
}

/** One person's way from the first message to a paid subscription; every reply the main bot sent them, in order. */
async function firstContactToPaid(person: UserSpec, locale: Locale, provider: 'cryptobot' | 'platega'): Promise<string[]> {
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

describe('from the first message to a paid subscription, in the person\'s language, through the fleet', () => {
  const said = new Map<Locale, string[]>();

  it('Маша, whose Telegram app speaks Russian, pays through Platega and reads Russian all the way', async () => {
    const replies = await firstContactToPaid(MASHA, 'ru', 'platega');
    expect(replies).toHaveLength(5);
    for (const reply of replies) expect({ reply, english: englishIn(reply) }).toEqual({ reply, english: [] });
    said.set('ru', replies);
  });

  it('Emma, whose Telegram app speaks English, pays through CryptoBot and reads English all the way', async () => {
    const replies = await firstContactToPaid(EMMA, 'en', 'cryptobot');
    expect(replies).toHaveLength(5);
    expect(replies.some((reply) => /[А-Яа-яЁё]/u.test(reply))).toBe(false);
    said.set('en', replies);
  });

  it('each step was worded differently for the two, and no secret reached a log', () => {
    const [russian, english] = [said.get('ru') ?? [], said.get('en') ?? []];
    expect([russian.length, english.length]).toEqual([5, 5]);
    russian.forEach((reply, index) => {
      expect(reply).not.toBe(english[index]);
    });
    expectNoSecretsInLogs(services, secretsOfRun(world.secrets, []));
    for (const service of services) {
      expect(service.logText()).not.toContain(cryptobot.token);
      expect(service.logText()).not.toContain(platega.secret);
    }
  });
});
