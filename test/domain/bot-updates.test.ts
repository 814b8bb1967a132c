/**
 * Telegram updates through the bots context's processor, on real PostgreSQL (both contexts in one
 * database, as in the monolith) and JetStream, Telegram played by @nova/telegram-emulator through the real TelegramClients: the main
 * bot's conversation from /start to a connected child bot, the child bot greeting its users and
 * keeping its audience, and Decided 4: a redelivered update registers nobody twice and replies
 * nothing twice, a reply that could not be sent is sent on redelivery, exactly once.
 */
import { waitFor } from '@nova/testbed';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BotTokens,
  buttons,
  createUpdateProcessor,
  LANGUAGE_BUTTONS,
  MalformedUpdateError,
  menu,
  RepliesBusyError,
  TelegramUnavailableError,
  texts,
  updateEffectKey,
  type BotDatabase,
} from '@nova/bot-service/domain';
import { BotRole } from '@nova/contracts';
import { InvalidArgumentError, UnavailableError } from '@nova/domain';
import { BotContextFixture, dumpServiceSchemas, type TelegramPerson } from './support/bot-context.js';
import { outboxPublished } from './support/outbox.js';
import type { EmulatedBot } from '@nova/telegram-emulator';

// Anna's Telegram app speaks Russian: the main bot answers her in Russian; the others have no language_code: English.
const anna: TelegramPerson = { id: 3001, first_name: 'Анна', username: 'anna', language_code: 'ru' };
const TEXT = texts('ru');
const BUTTONS = buttons('ru');
const MENU = menu('ru');
const boris: TelegramPerson = { id: 3002, first_name: 'Борис' };
let fixture: BotContextFixture;
let main: EmulatedBot;
let child: EmulatedBot;

async function count(sql: string): Promise<number> {
  const result = await fixture.database.query<{ n: number }>(`SELECT (${sql})::int AS n`);
  return result.rows[0]?.n ?? -1;
}

/**
 * Runs `during` while the `on` statements (default INSERT) on `table` for rows whose `column` is
 * `value` fail with "refused by test": a failure inside the update's transaction, then all as before.
 */
async function whileRefused(table: string, column: string, value: number, during: () => Promise<void>, on = 'INSERT'): Promise<void> {
  const name = `refuse_${table.replace(/\W/gu, '_')}`;
  await fixture.database.query(`CREATE FUNCTION bot_service.${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.${column} = ${String(value)} THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$`);
  await fixture.database.query(`CREATE TRIGGER ${name} BEFORE ${on} ON bot_service.${table} FOR EACH ROW EXECUTE FUNCTION bot_service.${name}()`);
  try {
    await during();
  } finally {
    await fixture.database.query(`DROP TRIGGER ${name} ON bot_service.${table}`);
    await fixture.database.query(`DROP FUNCTION bot_service.${name}()`);
  }
}

function lastTextTo(chatId: number, botId: number): string | undefined {
  return fixture.sent(chatId).filter((message) => message.botId === botId).at(-1)?.text;
}

beforeAll(async () => {
  fixture = await BotContextFixture.start('nova_bot_updates');
  main = fixture.mainBot;
  child = fixture.createBot('AnnaHelloBot');
});

afterAll(async () => {
  await fixture.close();
});

describe('the main bot and a child bot, end to end', () => {
  it('/start registers the user once and answers with the menu', async () => {
    const start = await fixture.say(main, anna, '/start');
    expect(fixture.sent(anna.id)).toEqual([{ botId: main.id, chatId: anna.id, text: TEXT.welcome('Анна', true), replyMarkup: MENU }]);
    const user = await fixture.database.query('SELECT first_name, username, language_code, first_bot_id::text AS first_bot FROM user_service.users WHERE telegram_id = $1', [anna.id]);
    expect(user.rows).toEqual([{ first_name: 'Анна', username: 'anna', language_code: 'ru', first_bot: String(main.id) }]);
    // The registration answered after its commit; its event is published from the outbox after it.
    await outboxPublished(fixture.database, 'user_service');
    const registered = (await fixture.events.stored()).filter((event) => event.msgId === `nova.user.registered:${anna.id}`);
    expect(registered).toHaveLength(1);

    // Telegram (or JetStream) delivers the same update again: nothing is registered or said twice.
    const outcome = await fixture.process(start, {});
    expect(outcome).toMatchObject({ repeated: true, delivery: { sent: 0, failed: 0 } });
    expect(fixture.sent(anna.id)).toHaveLength(1);
    expect(await count('SELECT count(*) FROM user_service.users')).toBe(1);
    expect((await fixture.events.stored()).filter((event) => event.subject === 'nova.user.registered')).toHaveLength(1);

    await fixture.say(main, anna, '/start');
    expect(lastTextTo(anna.id, main.id)).toBe(TEXT.welcome('Анна', false));
  });

  it('"Add a bot", then the token: the bot is connected with its webhook and the conversation returns to the menu', async () => {
    await fixture.say(main, anna, BUTTONS.add);
    expect(lastTextTo(anna.id, main.id)).toBe(TEXT.askToken);
    expect(await count(`SELECT count(*) FROM bot_service.main_bot_conversations WHERE chat_id = ${anna.id} AND step = 'AWAITING_TOKEN'`)).toBe(1);

    await fixture.say(main, anna, 'is this it?');
    expect(lastTextTo(anna.id, main.id)).toBe(TEXT.notAToken);

    const tokenUpdate = await fixture.say(main, anna, child.token);
    const connected = lastTextTo(anna.id, main.id);
    expect(connected).toContain('✅ @AnnaHelloBot подключён');
    expect(fixture.webhookOf(child)?.url).toBe(`https://nova.example.com/webhook/bot/${child.id}`);
    expect(await count(`SELECT count(*) FROM bot_service.main_bot_conversations WHERE chat_id = ${anna.id} AND step = 'IDLE'`)).toBe(1);

    // Redelivered: no second add, no second webhook call, no second answer.
    const webhookCalls = fixture.calls((call) => call.method === 'setWebhook').length;
    const sent = fixture.sent().length;
    expect(await fixture.process(tokenUpdate, {})).toMatchObject({ repeated: true });
    expect(fixture.calls((call) => call.method === 'setWebhook').length).toBe(webhookCalls);
    expect(fixture.sent().length).toBe(sent);
    expect((await fixture.events.stored()).filter((event) => event.subject === 'nova.bot.added')).toHaveLength(1);
  });

  it('a second user talks to the child bot and gets the owner\'s greeting; the audience counts them once', async () => {
    const hello = await fixture.say(child, boris, 'hi!');
    expect(fixture.sent(boris.id)).toEqual([{ botId: child.id, chatId: boris.id, text: 'Hello, Борис! 👋', replyMarkup: undefined }]);
    await fixture.say(child, boris, 'hello again');
    expect(fixture.sent(boris.id)).toHaveLength(2);
    expect(await fixture.process(hello, {})).toMatchObject({ repeated: true });
    expect(fixture.sent(boris.id)).toHaveLength(2);
    expect(await count(`SELECT count(*) FROM bot_service.bot_audience WHERE bot_id = ${child.id}`)).toBe(1);
    // Boris is a platform user too, first seen by the child bot.
    expect(await count(`SELECT count(*) FROM user_service.users WHERE telegram_id = ${boris.id} AND first_bot_id = ${child.id}`)).toBe(1);

    await fixture.say(main, anna, BUTTONS.list);
    expect(lastTextTo(anna.id, main.id)).toBe('Ваши боты:\n• @AnnaHelloBot: 1 человек');
  });

  it('the owner changes the greeting through the menu, and the child bot answers with it', async () => {
    await fixture.say(main, anna, BUTTONS.greeting);
    expect(lastTextTo(anna.id, main.id)).toBe(TEXT.chooseForGreeting);
    await fixture.say(main, anna, '@AnnaHelloBot');
    expect(lastTextTo(anna.id, main.id)).toBe(TEXT.askGreeting('AnnaHelloBot'));
    await fixture.say(main, anna, 'Добро пожаловать, {name}!');
    expect(lastTextTo(anna.id, main.id)).toBe('✏️ Теперь @AnnaHelloBot отвечает так:\n\nДобро пожаловать, {name}!');
    await fixture.say(child, boris, 'and now?');
    expect(lastTextTo(boris.id, child.id)).toBe('Добро пожаловать, Борис!');
  });

  it('in a group the child bot answers /start only, and the main bot ignores groups', async () => {
    const group = { id: -100_777, type: 'supergroup' };
    await fixture.process(fixture.envelope(child, fixture.textUpdate(anna, 'chatting', group)), {});
    expect(fixture.sent(group.id)).toEqual([]);
    await fixture.process(fixture.envelope(child, fixture.textUpdate(anna, '/start@AnnaHelloBot', group)), {});
    expect(fixture.sent(group.id)).toHaveLength(1);
    const ignored = await fixture.process(fixture.envelope(main, fixture.textUpdate(anna, '/start', group)), {});
    expect(ignored).toMatchObject({ repeated: false, registration: 'none', delivery: { sent: 0 } });
    expect(fixture.sent(group.id)).toHaveLength(1);
    expect(await count(`SELECT count(*) FROM bot_service.bot_audience WHERE bot_id = ${child.id}`)).toBe(2);
  });
});

describe('replies under failure and concurrency', () => {
  const clara: TelegramPerson = { id: 3003, first_name: 'Клара' };
  const dmitri: TelegramPerson = { id: 3004, first_name: 'Дмитрий' };

  it('a reply Telegram could not take is sent when the update is redelivered, exactly once', async () => {
    fixture.failNext(child, 'sendMessage', 1, 500);
    const envelope = fixture.envelope(child, fixture.textUpdate(clara, 'hello'));
    await expect(fixture.process(envelope, {})).rejects.toBeInstanceOf(TelegramUnavailableError);
    expect(fixture.sent(clara.id)).toEqual([]);
    // The processing itself committed: the audience counts Clara, the reply waits.
    expect(await count(`SELECT count(*) FROM bot_service.outgoing_replies WHERE chat_id = ${clara.id} AND sent_at IS NULL AND lease_until IS NULL`)).toBe(1);

    expect(await fixture.process(envelope, {})).toMatchObject({ repeated: true, delivery: { sent: 1, failed: 0 } });
    expect(await fixture.process(envelope, {})).toMatchObject({ repeated: true, delivery: { sent: 0, failed: 0 } });
    expect(fixture.sent(clara.id)).toHaveLength(1);
  });

  it('a reply held by a worker that died is left alone until its lease expires, then sent once', async () => {
    const fedor: TelegramPerson = { id: 3007, first_name: 'Фёдор' };
    fixture.failNext(child, 'sendMessage', 1, 502);
    const envelope = fixture.envelope(child, fixture.textUpdate(fedor, 'hello'));
    await expect(fixture.process(envelope, {})).rejects.toBeInstanceOf(TelegramUnavailableError);
    // As a worker killed between leasing the reply and calling Telegram leaves it.
    await fixture.database.query(`UPDATE bot_service.outgoing_replies SET lease_until = now() + interval '1 minute' WHERE chat_id = ${fedor.id}`);
    await expect(fixture.process(envelope, {})).rejects.toBeInstanceOf(RepliesBusyError);
    expect(fixture.sent(fedor.id)).toEqual([]);
    await fixture.database.query(`UPDATE bot_service.outgoing_replies SET lease_until = now() - interval '1 second' WHERE chat_id = ${fedor.id}`);
    expect(await fixture.process(envelope, {})).toMatchObject({ repeated: true, delivery: { sent: 1 } });
    expect(fixture.sent(fedor.id)).toHaveLength(1);
  });

  it('a user who blocked the bot: the refusal is recorded and not retried', async () => {
    fixture.emulator.userBlocksBot(child.id, dmitri.id);
    const envelope = fixture.envelope(child, fixture.textUpdate(dmitri, 'hi'));
    expect(await fixture.process(envelope, {})).toMatchObject({ delivery: { sent: 0, failed: 1 } });
    const failure = await fixture.database.query(`SELECT failure FROM bot_service.outgoing_replies WHERE chat_id = ${dmitri.id}`);
    expect(failure.rows).toEqual([{ failure: '403 Forbidden: bot was blocked by the user' }]);
    const attempts = fixture.calls((call) => call.method === 'sendMessage' && call.params.chat_id === dmitri.id).length;
    await fixture.process(envelope, {});
    expect(fixture.calls((call) => call.method === 'sendMessage' && call.params.chat_id === dmitri.id).length).toBe(attempts);
  });

  it('the same update processed by several workers at once is answered once; the others are told to retry or find it done', async () => {
    const eve: TelegramPerson = { id: 3005, first_name: 'Ева' };
    const envelope = fixture.envelope(child, fixture.textUpdate(eve, 'hello'));
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => fixture.process(envelope, {})));
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(RepliesBusyError);
    }
    expect(results.some((result) => result.status === 'fulfilled')).toBe(true);
    expect(fixture.sent(eve.id)).toHaveLength(1);
    expect(await count(`SELECT count(*) FROM bot_service.processed_effects WHERE effect_key = '${updateEffectKey(BigInt(child.id), envelope.updateId)}'`)).toBe(1);
    await outboxPublished(fixture.database, 'user_service');
    expect((await fixture.events.stored()).filter((event) => event.msgId === `nova.user.registered:${eve.id}`)).toHaveLength(1);
    expect(await fixture.process(envelope, {})).toMatchObject({ repeated: true, delivery: { sent: 0 } });
    expect(fixture.sent(eve.id)).toHaveLength(1);
  });

  it('records an update as processed in the same transaction as its effects: a failed processing leaves no mark and is redone whole', async () => {
    const gleb: TelegramPerson = { id: 3008, first_name: 'Глеб' };
    const envelope = fixture.envelope(child, fixture.textUpdate(gleb, 'hello'));
    const key = updateEffectKey(BigInt(child.id), envelope.updateId);
    await whileRefused('bot_audience', 'telegram_id', gleb.id, async () => {
      await expect(fixture.process(envelope, {})).rejects.toThrow();
      expect(await count(`SELECT count(*) FROM bot_service.processed_effects WHERE effect_key = '${key}'`)).toBe(0);
      expect(await count(`SELECT count(*) FROM bot_service.outgoing_replies WHERE effect_key = '${key}'`)).toBe(0);
      expect(fixture.sent(gleb.id)).toEqual([]);
    });
    expect(await fixture.process(envelope, {})).toMatchObject({ repeated: false, delivery: { sent: 1 } });
    expect(await count(`SELECT count(*) FROM bot_service.bot_audience WHERE telegram_id = ${gleb.id}`)).toBe(1);
    expect(fixture.sent(gleb.id)).toHaveLength(1);
  });

  it('the main bot\'s telegraf handlers answer into the outbox: nothing reaches Telegram unless the update\'s transaction commits', async () => {
    const hanna: TelegramPerson = { id: 3009, first_name: 'Ханна' };
    const envelope = fixture.envelope(main, fixture.textUpdate(hanna, '/start'));
    const key = updateEffectKey(BigInt(main.id), envelope.updateId);
    await whileRefused('main_bot_conversations', 'chat_id', hanna.id, async () => {
      // telegraf's /start handler ran and replied; the commit failed, so the reply never left.
      await expect(fixture.process(envelope, {})).rejects.toThrow(/refused by test/);
      expect(fixture.sent(hanna.id)).toEqual([]);
      expect(await count(`SELECT count(*) FROM bot_service.processed_effects WHERE effect_key = '${key}'`)).toBe(0);
      expect(await count(`SELECT count(*) FROM bot_service.outgoing_replies WHERE effect_key = '${key}'`)).toBe(0);
    }, 'INSERT OR UPDATE');
    // Redelivered: routed again, committed, answered once (the users context repeats its first answer: a new user).
    expect(await fixture.process(envelope, {})).toMatchObject({ repeated: false, registration: 'created', delivery: { sent: 1 } });
    expect(await fixture.process(envelope, {})).toMatchObject({ repeated: true, delivery: { sent: 0 } });
    expect(fixture.sent(hanna.id)).toEqual([{ botId: main.id, chatId: hanna.id, text: texts('en').welcome('Ханна', true), replyMarkup: menu('en') }]);
  });

  it('a sender the users context refuses still gets the greeting', async () => {
    const nameless: TelegramPerson = { id: 3006, first_name: '' };
    const outcome = await fixture.process(fixture.envelope(child, fixture.textUpdate(nameless, 'hi')), {});
    expect(outcome).toMatchObject({ registration: 'refused', delivery: { sent: 1 } });
    expect(await count(`SELECT count(*) FROM user_service.users WHERE telegram_id = ${nameless.id}`)).toBe(0);
  });
});

/** The bots context's database, recording each Prisma operation (`Model.operation`) it runs: one SQL statement each. */
function countingBotDb(operations: string[]): BotDatabase {
  return fixture.botDb.$extends({
    query: {
      // Model operations and raw statements alike (a raw one has no model).
      $allOperations({ model, operation, args, query }) {
        operations.push(model === undefined ? operation : `${model}.${operation}`);
        return query(args);
      },
    },
  }) as unknown as BotDatabase;
}

describe('round trips per update (issue 20)', () => {
  it('a child bot\'s update from a known person is two statements and no transaction, then the send and its settle: no read after', async () => {
    const irina: TelegramPerson = { id: 3110, first_name: 'Ирина' };
    await fixture.process(fixture.envelope(child, fixture.textUpdate(irina, 'first')), {});
    const operations: string[] = [];
    const db = countingBotDb(operations);
    const processor = createUpdateProcessor({ ...fixture.deps, db, tokens: new BotTokens(db, fixture.deps.keyring, fixture.deps.mainBot) });
    expect(await processor(fixture.envelope(child, fixture.textUpdate(irina, 'again')), {})).toMatchObject({ repeated: false, registration: 'known', delivery: { sent: 1, failed: 0 } });
    // Before: a read of the processed mark first, and after the commit a read of the replies, a lease and a read of the token (9);
    // then the claim and the bot's read as two statements (5), then one (BEGIN, that, the audience, the
    // replies, COMMIT); now the read, then the claim with the audience and the replies (child-update-statements.ts).
    expect(operations).toEqual(['$queryRaw', '$queryRaw', 'OutgoingReply.update']);
    expect(fixture.sent(irina.id)).toHaveLength(2);
    expect(await count(`SELECT count(*) FROM bot_service.outgoing_replies WHERE chat_id = ${irina.id} AND (sent_at IS NULL OR lease_until IS NOT NULL)`)).toBe(0);
  });

  it("a child bot with its owner's greeting sends it before the users context has answered the registration (issue 20)", async () => {
    const zoya: TelegramPerson = { id: 3112, first_name: 'Зоя' };
    // `child` is connected and greets with its owner's text since the tests above (a built-in
    // greeting waits for the registration's language inside the transaction, by design).
    let answer: (() => void) | undefined;
    const answered = new Promise<void>((resolve) => { answer = resolve; });
    // The users context answers only when the test says so: the greeting must not wait for it.
    const slow = { ...fixture.deps.users, upsert: async (...args: Parameters<typeof fixture.deps.users.upsert>) => { await answered; return fixture.deps.users.upsert(...args); } };
    const processing = createUpdateProcessor({ ...fixture.deps, users: slow })(fixture.envelope(child, fixture.textUpdate(zoya, 'hello')), {});
    try {
      await waitFor(() => Promise.resolve(fixture.sent(zoya.id).length > 0), { timeoutMs: 20_000, intervalMs: 20 });
      // Before, the send waited for the registration's answer after the update's transaction.
      expect(fixture.sent(zoya.id)).toHaveLength(1);
    } finally {
      answer?.();
    }
    expect(await processing).toMatchObject({ repeated: false, registration: 'created', delivery: { sent: 1, failed: 0 } });
    expect(fixture.sent(zoya.id)).toHaveLength(1);
  });

  it('a child bot answers while the users context is unreachable; the redelivery registers the person once and sends nothing again', async () => {
    const jakov: TelegramPerson = { id: 3111, first_name: 'Яков' };
    const envelope = fixture.envelope(child, fixture.textUpdate(jakov, 'hello'));
    const unreachable = { ...fixture.deps.users, upsert: () => Promise.reject(new UnavailableError('the users context is unreachable (test)')) };
    // The registration runs beside the update's transaction: its failure is thrown (the update is
    // redelivered) after the greeting went out.
    await expect(createUpdateProcessor({ ...fixture.deps, users: unreachable })(envelope, {})).rejects.toBeInstanceOf(UnavailableError);
    expect(fixture.sent(jakov.id)).toHaveLength(1);
    expect(await count(`SELECT count(*) FROM user_service.users WHERE telegram_id = ${jakov.id}`)).toBe(0);

    expect(await fixture.process(envelope, {})).toMatchObject({ repeated: true, registration: 'none', delivery: { sent: 0, failed: 0 } });
    expect(await fixture.process(envelope, {})).toMatchObject({ repeated: true, delivery: { sent: 0, failed: 0 } });
    expect(fixture.sent(jakov.id)).toHaveLength(1);
    expect(await count(`SELECT count(*) FROM user_service.users WHERE telegram_id = ${jakov.id}`)).toBe(1);
    await outboxPublished(fixture.database, 'user_service');
    expect((await fixture.events.stored()).filter((event) => event.msgId === `nova.user.registered:${jakov.id}`)).toHaveLength(1);
  });
});

describe("a person's language", () => {
  it('English without a language_code; /language and a button store Russian with the user, and every later answer is Russian, old keyboard included', async () => {
    const ivan: TelegramPerson = { id: 3010, first_name: 'Иван' };
    await fixture.say(main, ivan, '/start');
    expect(fixture.sent(ivan.id)).toEqual([{ botId: main.id, chatId: ivan.id, text: texts('en').welcome('Иван', true), replyMarkup: menu('en') }]);
    await fixture.say(main, ivan, buttons('en').language);
    expect(lastTextTo(ivan.id, main.id)).toBe(texts('en').chooseLanguage);
    const russian = LANGUAGE_BUTTONS.find(([locale]) => locale === 'ru')?.[1] ?? '';
    await fixture.say(main, ivan, russian);
    expect(fixture.sent(ivan.id).at(-1)).toEqual({ botId: main.id, chatId: ivan.id, text: texts('ru').languageSet, replyMarkup: menu('ru') });
    const stored = await fixture.database.query('SELECT chosen_language FROM user_service.users WHERE telegram_id = $1', [ivan.id]);
    expect(stored.rows).toEqual([{ chosen_language: 'ru' }]);
    await fixture.say(main, ivan, '/start');
    expect(lastTextTo(ivan.id, main.id)).toBe(texts('ru').welcome('Иван', false));
    // A keyboard Telegram still shows from before the switch: its English button, answered in Russian.
    await fixture.say(main, ivan, buttons('en').list);
    expect(lastTextTo(ivan.id, main.id)).toBe(texts('ru').noBots);
    await fixture.say(main, ivan, '/language en');
    expect(lastTextTo(ivan.id, main.id)).toBe(texts('en').languageSet);
    expect((await fixture.database.query('SELECT chosen_language FROM user_service.users WHERE telegram_id = $1', [ivan.id])).rows).toEqual([{ chosen_language: 'en' }]);
  });
});

describe("a child bot's built-in greeting", () => {
  it("greets each person in their own language: their stored choice first, else their Telegram app's; its owner reads it in theirs", async () => {
    const pyotr: TelegramPerson = { id: 3020, first_name: 'Пётр', language_code: 'ru' };
    const shop = fixture.createBot('PyotrShopBot');
    await fixture.say(main, pyotr, buttons('ru').add);
    await fixture.say(main, pyotr, shop.token);
    expect(lastTextTo(pyotr.id, main.id)).toContain('✅ @PyotrShopBot подключён. Каждый, кто ему напишет, получит ваше приветствие:\n\nЗдравствуйте, {name}! 👋');

    // Oleg's app speaks English, but he chose Russian in the main bot: the users context has it.
    const oleg: TelegramPerson = { id: 3021, first_name: 'Олег', language_code: 'en' };
    await fixture.say(main, oleg, '/language ru');
    await fixture.say(shop, oleg, 'hi');
    expect(lastTextTo(oleg.id, shop.id)).toBe('Здравствуйте, Олег! 👋');
    // Kate's app speaks Ukrainian (read as Russian); Liam's German (read as English); neither chose.
    const kate: TelegramPerson = { id: 3022, first_name: 'Катя', language_code: 'uk' };
    const liam: TelegramPerson = { id: 3023, first_name: 'Liam', language_code: 'de' };
    await fixture.say(shop, kate, '/start');
    await fixture.say(shop, liam, '/start');
    expect(lastTextTo(kate.id, shop.id)).toBe('Здравствуйте, Катя! 👋');
    expect(lastTextTo(liam.id, shop.id)).toBe('Hello, Liam! 👋');
    // The stored row keeps the built-in text as every bot always had it.
    expect((await fixture.database.query('SELECT greeting FROM bot_service.user_bots WHERE bot_id = $1', [shop.id])).rows).toEqual([{ greeting: 'Hello, {name}! 👋' }]);
  });

  it('greets in the Telegram app\'s language while the users context is unreachable', async () => {
    const shop = fixture.createBot('PyotrOtherBot');
    const pyotr: TelegramPerson = { id: 3020, first_name: 'Пётр', language_code: 'ru' };
    await fixture.say(main, pyotr, buttons('ru').add);
    await fixture.say(main, pyotr, shop.token);
    const mila: TelegramPerson = { id: 3024, first_name: 'Мила', language_code: 'be' };
    const unreachable = { ...fixture.deps.users, upsert: () => Promise.reject(new UnavailableError('the users context is unreachable (test)')) };
    await expect(createUpdateProcessor({ ...fixture.deps, users: unreachable })(fixture.envelope(shop, fixture.textUpdate(mila, 'hi')), {})).rejects.toBeInstanceOf(UnavailableError);
    expect(lastTextTo(mila.id, shop.id)).toBe('Здравствуйте, Мила! 👋');
  });
});

describe('removal and bad envelopes', () => {
  it('the owner removes the bot from the menu; its later updates are acknowledged without a reply', async () => {
    await fixture.say(main, anna, BUTTONS.remove);
    await fixture.say(main, anna, '@AnnaHelloBot');
    expect(lastTextTo(anna.id, main.id)).toBe(TEXT.removed('AnnaHelloBot'));
    expect(fixture.webhookOf(child)).toBeUndefined();
    const before = fixture.sent(boris.id).length;
    const late = await fixture.process(fixture.envelope(child, fixture.textUpdate(boris, 'still there?')), {});
    expect(late).toMatchObject({ repeated: false, delivery: { sent: 0, failed: 0 } });
    expect(fixture.sent(boris.id)).toHaveLength(before);
  });

  it('refuses envelopes that cannot be processed with a non-retryable error, recording nothing', async () => {
    const effects = await count('SELECT count(*) FROM bot_service.processed_effects');
    const good = fixture.envelope(main, fixture.textUpdate(anna, '/help'));
    const cases = [
      { ...good, rawUpdate: new TextEncoder().encode('{not json') },
      { ...good, updateId: good.updateId + 1n },
      { ...good, botRole: BotRole.CHILD },
      { ...good, botRole: BotRole.UNSPECIFIED },
      fixture.envelope(child, fixture.textUpdate(anna, 'hi'), BotRole.MAIN),
    ];
    for (const envelope of cases) {
      await expect(fixture.process(envelope, {})).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(fixture.process(cases[0] ?? good, {})).rejects.toBeInstanceOf(MalformedUpdateError);
    expect(await count('SELECT count(*) FROM bot_service.processed_effects')).toBe(effects);
  });

  it('after all of it, no token is stored in clear anywhere in either schema', async () => {
    const dump = await dumpServiceSchemas(fixture.database);
    expect(dump).toContain('AnnaHelloBot');
    for (const token of fixture.issuedTokens) {
      expect(dump.includes(token)).toBe(false);
      expect(dump.includes(token.split(':')[1] ?? token)).toBe(false);
    }
  });
});
