/**
 * Managing child bots against the test bed's real PostgreSQL and a real JetStream (events through
 * the production busEventPublisher, on a nats-server of the file's own), with Telegram played
 * by @nova/telegram-emulator through the real TelegramClients: migrations through @nova/db, add (getMe, setWebhook with a per-bot
 * secret), list, get, greeting, webhook auth and remove with their errors; tokens sealed at rest
 * and a wrong key failing clearly; repeated and racing adds.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import {
  BOT_MIGRATIONS_DIR,
  BotAlreadyAddedError,
  BotKeyring,
  BotTokenRejectedError,
  BotTokens,
  DEFAULT_GREETING,
  InvalidBotTokenError,
  TelegramUnavailableError,
  TokenKeyMismatchError,
  addChildBot,
  createBotHandlers,
  matchesSha256,
  sha256,
  type RegistryDeps,
} from '@nova/bot-service/domain';
import {
  BotStatsRequestSchema,
  ErrorCode,
  GetBotRequestSchema,
  GetWebhookAuthRequestSchema,
  ListBotsRequestSchema,
  METHODS,
  RemoveBotRequestSchema,
  SetBotBlockedRequestSchema,
  SetBotGreetingRequestSchema,
} from '@nova/contracts';
import { migrationChecksum } from '@nova/db';
import { NotFoundError, PermissionDeniedError, toServiceError } from '@nova/domain';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BotContextFixture, FIXTURE_WEBHOOK_MAX_CONNECTIONS, PUBLIC_URL, dumpServiceSchemas } from './support/bot-context.js';
import { migrationNames } from './support/migrations.js';
import type { EmulatedBot } from '@nova/telegram-emulator';

const ANNA = 501n;
const BORIS = 502n;
const ctx = {};
let fixture: BotContextFixture;
let deps: RegistryDeps;
let handlers: ReturnType<typeof createBotHandlers>;
/** Every error the domain threw in this file, to scan for tokens at the end. */
const errors: unknown[] = [];

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    errors.push(error);
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`, { cause: error });
  }
  throw new Error('expected a rejection');
}

function callsOf(bot: EmulatedBot, method?: string): number {
  return fixture.calls((call) => call.botId === bot.id && (method === undefined || call.method === method)).length;
}

async function rowCount(table: string): Promise<number> {
  const result = await fixture.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM bot_service.${table}`);
  return result.rows[0]?.n ?? -1;
}

beforeAll(async () => {
  fixture = await BotContextFixture.start('nova_bot_registry');
  deps = fixture.deps;
  handlers = createBotHandlers(deps);
});

afterAll(async () => {
  await fixture.close();
});

describe('migrations', () => {
  it('apply into bot_service and are recorded in its own _prisma_migrations, beside user_service\'s', async () => {
    const history = await fixture.database.query<{ migration_name: string; checksum: string }>(
      'SELECT migration_name, checksum FROM bot_service._prisma_migrations ORDER BY migration_name',
    );
    expect(history.rows.map((row) => row.migration_name)).toEqual(migrationNames(BOT_MIGRATIONS_DIR));
    for (const row of history.rows) {
      expect(row.checksum).toBe(migrationChecksum(readFileSync(join(BOT_MIGRATIONS_DIR, row.migration_name, 'migration.sql'), 'utf8')));
    }
    const tables = await fixture.database.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'bot_service' ORDER BY 1",
    );
    expect(tables.rows.map((row) => row.name)).toEqual([
      '_prisma_migrations',
      'bot_audience',
      'main_bot_conversations',
      'outbox_events',
      'outgoing_replies',
      'processed_effects',
      'user_bots',
    ]);
  });
});

describe('adding a child bot', () => {
  let hello: EmulatedBot;

  beforeAll(() => {
    hello = fixture.createBot('AnnaHelloBot');
  });

  it('checks the token with getMe, sets the webhook with a per-bot secret, stores the bot and publishes nova.bot.added', async () => {
    const bot = await addChildBot(deps, { ownerTelegramId: ANNA, token: ` ${hello.token} `, effectKey: 'add:1' }, ctx);
    expect(bot).toMatchObject({ botId: BigInt(hello.id), username: 'AnnaHelloBot', ownerTelegramId: ANNA, greeting: DEFAULT_GREETING, audienceSize: 0n });

    const webhook = fixture.webhookOf(hello);
    expect(webhook?.url).toBe(`${PUBLIC_URL}/webhook/bot/${hello.id}`);
    expect(webhook?.allowedUpdates).toEqual(['message', 'business_connection']);
    expect(webhook?.maxConnections).toBe(FIXTURE_WEBHOOK_MAX_CONNECTIONS); // passed explicitly, not Telegram's default 40
    const auth = await handlers.webhook_auth(create(GetWebhookAuthRequestSchema, { botId: BigInt(hello.id) }), ctx);
    expect(matchesSha256(webhook?.secretToken ?? '', auth.webhookSecretSha256)).toBe(true);
    expect(matchesSha256(hello.token, auth.tokenSha256)).toBe(true);
    expect(matchesSha256('forged-secret', auth.webhookSecretSha256)).toBe(false);

    const events = (await fixture.events.stored()).filter((event) => event.subject === 'nova.bot.added');
    expect(events).toHaveLength(1);
    expect(events[0]?.message).toMatchObject({ bot: { botId: BigInt(hello.id), username: 'AnnaHelloBot', ownerTelegramId: ANNA } });

    expect((await handlers.list(create(ListBotsRequestSchema, { ownerTelegramId: ANNA }), ctx)).bots).toEqual([bot]);
    expect((await handlers.get(create(GetBotRequestSchema, { botId: BigInt(hello.id) }), ctx)).bot).toEqual(bot);
    expect((await handlers.list(create(ListBotsRequestSchema, { ownerTelegramId: BORIS }), ctx)).bots).toEqual([]);
  });

  it('stores the token only sealed: no table of either schema holds it, or its secret part, in clear', async () => {
    const dump = await dumpServiceSchemas(fixture.database);
    const secretPart = hello.token.split(':')[1] ?? '';
    expect(dump).toContain('AnnaHelloBot');
    expect(dump.includes(hello.token)).toBe(false);
    expect(dump.includes(secretPart)).toBe(false);
    const row = await fixture.database.query<{ token_ciphertext: Buffer; token_sha256: Buffer }>(
      'SELECT token_ciphertext, token_sha256 FROM bot_service.user_bots WHERE bot_id = $1',
      [hello.id],
    );
    expect(row.rows[0]?.token_sha256.equals(Buffer.from(sha256(hello.token)))).toBe(true);
    expect(row.rows[0]?.token_ciphertext.length).toBeGreaterThan(hello.token.length);
    expect(await new BotTokens(fixture.botDb, deps.keyring, { botId: 1n, token: 'unused' }).tokenFor(BigInt(hello.id))).toBe(hello.token);
  });

  it('a repeated effect key returns the first answer without calling Telegram again', async () => {
    const before = callsOf(hello);
    const again = await addChildBot(deps, { ownerTelegramId: ANNA, token: hello.token, effectKey: 'add:1' }, ctx);
    expect(again.botId).toBe(BigInt(hello.id));
    expect(callsOf(hello)).toBe(before);
    expect(await rowCount('user_bots')).toBe(1);
  });

  it('the same bot again is ALREADY_EXISTS, saying whether it is the caller\'s own, before any Telegram call', async () => {
    const before = callsOf(hello);
    const own = await failure(addChildBot(deps, { ownerTelegramId: ANNA, token: hello.token, effectKey: 'add:2' }, ctx));
    expect(own).toBeInstanceOf(BotAlreadyAddedError);
    expect(own).toMatchObject({ code: ErrorCode.ALREADY_EXISTS, ownedByCaller: true, username: 'AnnaHelloBot' });
    const other = await failure(addChildBot(deps, { ownerTelegramId: BORIS, token: hello.token }, ctx));
    expect(other).toMatchObject({ ownedByCaller: false });
    expect(other.message).toBe('@AnnaHelloBot is already connected by another user');
    expect(callsOf(hello)).toBe(before);
  });

  it('refuses a text that is not a token without calling Telegram, and a token Telegram refuses without storing anything', async () => {
    const callsBefore = fixture.calls().length;
    const shape = await failure(addChildBot(deps, { ownerTelegramId: ANNA, token: 'please add my bot' }, ctx));
    expect(shape).toBeInstanceOf(InvalidBotTokenError);
    expect(fixture.calls().length).toBe(callsBefore);

    const revoked = fixture.createBot('RevokedBot');
    fixture.revoke(revoked);
    const refused = await failure(addChildBot(deps, { ownerTelegramId: ANNA, token: revoked.token }, ctx));
    expect(refused).toBeInstanceOf(BotTokenRejectedError);
    expect(refused).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT, details: { field: 'token' } });
    expect(refused.message).toBe('Telegram did not accept this bot token (401 Unauthorized)');
    expect(await rowCount('user_bots')).toBe(1);
  });

  it('a Telegram outage is UNAVAILABLE with the token redacted, stores nothing, and a retry succeeds', async () => {
    const flaky = fixture.createBot('FlakyBot');
    fixture.failNext(flaky, 'setWebhook', 1, 502);
    const outage = await failure(addChildBot(deps, { ownerTelegramId: BORIS, token: flaky.token, effectKey: 'add:flaky' }, ctx));
    expect(outage).toBeInstanceOf(TelegramUnavailableError);
    expect(outage).toMatchObject({ code: ErrorCode.UNAVAILABLE });
    expect(outage.message).toBe(`Telegram setWebhook failed: TelegramApiError: telegram setWebhook (bot ${String(flaky.id)}) failed: 502 Bad Gateway`);
    expect(await fixture.botDb.bot.findUnique({ where: { botId: BigInt(flaky.id) } })).toBeNull();
    const retried = await addChildBot(deps, { ownerTelegramId: BORIS, token: flaky.token, effectKey: 'add:flaky' }, ctx);
    expect(retried.username).toBe('FlakyBot');
  });

  it('two users adding the same new bot at once: one stores it, the other is told it is taken, and the webhook secret is the stored one', async () => {
    const contested = fixture.createBot('ContestedBot');
    const results = await Promise.allSettled([
      addChildBot(deps, { ownerTelegramId: 601n, token: contested.token }, ctx),
      addChildBot(deps, { ownerTelegramId: 602n, token: contested.token }, ctx),
      addChildBot(deps, { ownerTelegramId: 603n, token: contested.token }, ctx),
    ]);
    const stored = results.filter((result) => result.status === 'fulfilled');
    const refused = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    errors.push(...refused);
    expect(stored).toHaveLength(1);
    expect(refused).toHaveLength(2);
    for (const reason of refused) expect(reason).toBeInstanceOf(BotAlreadyAddedError);
    const auth = await handlers.webhook_auth(create(GetWebhookAuthRequestSchema, { botId: BigInt(contested.id) }), ctx);
    expect(matchesSha256(fixture.webhookOf(contested)?.secretToken ?? '', auth.webhookSecretSha256)).toBe(true);
    const added = (await fixture.events.stored()).filter((event) => event.subject === 'nova.bot.added' && event.msgId.includes(String(contested.id)));
    expect(added).toHaveLength(1);
  });
});

describe('greeting, removal and the wrong key', () => {
  let bot: EmulatedBot;

  beforeAll(async () => {
    bot = fixture.createBot('GreeterBot');
    await addChildBot(deps, { ownerTelegramId: ANNA, token: bot.token }, ctx);
    await fixture.botDb.botAudience.createMany({
      data: [701n, 702n].map((telegramId) => ({ botId: BigInt(bot.id), telegramId, firstSeenAt: new Date(), lastSeenAt: new Date() })),
    });
  });

  it('the owner changes the greeting; others get PERMISSION_DENIED, unknown bots NOT_FOUND, bad text INVALID_ARGUMENT, and nothing changes', async () => {
    const request = (init: { botId?: bigint; owner?: bigint; greeting: string }) =>
      create(SetBotGreetingRequestSchema, { botId: init.botId ?? BigInt(bot.id), ownerTelegramId: init.owner ?? ANNA, greeting: init.greeting });
    const changed = await handlers.set_greeting(request({ greeting: 'Привет, {name}!' }), ctx);
    expect(changed.bot).toMatchObject({ greeting: 'Привет, {name}!', audienceSize: 2n });

    expect(await failure(handlers.set_greeting(request({ owner: BORIS, greeting: 'hijacked' }), ctx))).toBeInstanceOf(PermissionDeniedError);
    expect(await failure(handlers.set_greeting(request({ botId: 999n, greeting: 'x' }), ctx))).toBeInstanceOf(NotFoundError);
    for (const greeting of ['', '   ', 'x'.repeat(4097)]) {
      expect(await failure(handlers.set_greeting(request({ greeting }), ctx))).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT, details: { field: 'greeting' } });
    }
    const { bot: current } = await handlers.get(create(GetBotRequestSchema, { botId: BigInt(bot.id) }), ctx);
    expect(current?.greeting).toBe('Привет, {name}!');
  });

  it('with a different NOVA_TOKEN_ENCRYPTION_KEY a stored token fails clearly and nothing is removed', async () => {
    const wrong = BotKeyring.fromBase64(randomBytes(32).toString('base64'));
    const wrongDeps = { ...deps, keyring: wrong };
    const attempt = await failure(createBotHandlers(wrongDeps).remove(create(RemoveBotRequestSchema, { botId: BigInt(bot.id), ownerTelegramId: ANNA }), ctx));
    expect(attempt).toBeInstanceOf(TokenKeyMismatchError);
    expect(attempt).toMatchObject({ code: ErrorCode.FAILED_PRECONDITION });
    expect(attempt.message).toContain(`encrypted with key ${deps.keyring.keyId}`);
    expect(attempt.message).toContain(`configured NOVA_TOKEN_ENCRYPTION_KEY is key ${wrong.keyId}`);
    expect(toServiceError(attempt, 'bot').message).toBe(attempt.message);
    await expect(new BotTokens(fixture.botDb, wrong, { botId: 1n, token: 'unused' }).tokenFor(BigInt(bot.id))).rejects.toBeInstanceOf(TokenKeyMismatchError);
    expect(await fixture.botDb.bot.count({ where: { botId: BigInt(bot.id) } })).toBe(1);
    expect(fixture.webhookOf(bot)).toBeDefined();
  });

  it('only the owner removes a bot: its webhook is deleted, its row and audience go, nova.bot.removed is published once', async () => {
    const remove = (owner: bigint, effectKey = '') => handlers.remove(create(RemoveBotRequestSchema, { botId: BigInt(bot.id), ownerTelegramId: owner, effectKey }), ctx);
    expect(await failure(remove(BORIS))).toBeInstanceOf(PermissionDeniedError);
    expect(fixture.webhookOf(bot)).toBeDefined();

    const removed = await remove(ANNA, 'remove:1');
    expect(removed.botId).toBe(BigInt(bot.id));
    expect(fixture.webhookOf(bot)).toBeUndefined();
    expect(await fixture.botDb.bot.count({ where: { botId: BigInt(bot.id) } })).toBe(0);
    expect(await fixture.botDb.botAudience.count({ where: { botId: BigInt(bot.id) } })).toBe(0);
    expect(await remove(ANNA, 'remove:1')).toEqual(removed);
    expect(await failure(remove(ANNA, 'remove:2'))).toBeInstanceOf(NotFoundError);
    expect(await failure(handlers.get(create(GetBotRequestSchema, { botId: BigInt(bot.id) }), ctx))).toMatchObject({ code: ErrorCode.NOT_FOUND });
    const events = (await fixture.events.stored()).filter((event) => event.subject === 'nova.bot.removed');
    expect(events).toHaveLength(1);
    expect(events[0]?.message).toMatchObject({ botId: BigInt(bot.id), ownerTelegramId: ANNA });
  });

  it('removing a bot whose token was revoked still removes it', async () => {
    const revoked = fixture.createBot('SoonRevokedBot');
    await addChildBot(deps, { ownerTelegramId: ANNA, token: revoked.token }, ctx);
    fixture.revoke(revoked);
    await handlers.remove(create(RemoveBotRequestSchema, { botId: BigInt(revoked.id), ownerTelegramId: ANNA }), ctx);
    expect(await fixture.botDb.bot.count({ where: { botId: BigInt(revoked.id) } })).toBe(0);
  });
});

describe('the request handlers', () => {
  it('answer every method of svc.bot.* and validate ids', async () => {
    expect(Object.keys(handlers).sort()).toEqual([...METHODS.bot].sort());
    for (const botId of [0n, -3n]) {
      expect(await failure(handlers.get(create(GetBotRequestSchema, { botId }), ctx))).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT, details: { field: 'bot_id' } });
    }
    expect(await failure(handlers.webhook_auth(create(GetWebhookAuthRequestSchema, { botId: 12345n }), ctx))).toBeInstanceOf(NotFoundError);
  });

  it('count the bots connected now and the blocked ones (svc.bot.stats, the admin panel\'s numbers)', async () => {
    const stats = await handlers.stats(create(BotStatsRequestSchema, {}), ctx);
    expect(stats.totalBots).toBe(BigInt(await rowCount('user_bots')));
    const [first] = (await fixture.database.query<{ bot_id: string }>('SELECT bot_id::text FROM bot_service.user_bots ORDER BY bot_id LIMIT 1')).rows;
    if (first === undefined) throw new Error('no bot left to block');
    await handlers.set_blocked(create(SetBotBlockedRequestSchema, { botId: BigInt(first.bot_id), blocked: true, reason: 'spam' }), ctx);
    const blocked = await handlers.stats(create(BotStatsRequestSchema, {}), ctx);
    expect([blocked.totalBots, blocked.blockedBots]).toEqual([stats.totalBots, stats.blockedBots + 1n]);
    expect(blocked.asOf).toBeDefined();
    await handlers.set_blocked(create(SetBotBlockedRequestSchema, { botId: BigInt(first.bot_id), blocked: false, reason: '' }), ctx);
    expect((await handlers.stats(create(BotStatsRequestSchema, {}), ctx)).blockedBots).toBe(stats.blockedBots);
  });

  it('no error thrown in this file mentions a token', () => {
    const tokens = fixture.issuedTokens;
    expect(tokens.length).toBeGreaterThan(5);
    expect(errors.length).toBeGreaterThan(8);
    const json = (value: unknown): string => JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
    for (const error of errors) {
      const text = error instanceof Error ? `${error.message} ${json(error)} ${String(error.stack)} ${json(toServiceError(error, 'bot'))}` : String(error);
      for (const token of tokens) expect(text.includes(token)).toBe(false);
    }
  });
});
