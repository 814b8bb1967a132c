/**
 * Stories in the publisher context against the test bed's real PostgreSQL and a real JetStream
 * (events through the production busEventPublisher, on a nats-server of the file's own), with
 * Telegram played by @nova/telegram-emulator behind the real TelegramClients and the media served
 * by a real HTTP server: business connections recorded as the bots context forwards Telegram's
 * business_connection updates, a story posted (downloaded, uploaded as a new file) only through a
 * connection with can_manage_stories, every refusal with nothing stored, the right checked again
 * with Telegram before posting, a repeated effect_key posting once, media failures.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { businessConnectionOf } from '@nova/bot-service/domain';
import {
  ErrorCode,
  GrantPostingRequestSchema,
  ListStoriesRequestSchema,
  PostStoryRequestSchema,
  RecordBusinessConnectionRequestSchema,
  StoryMediaKind,
  StoryStatus,
  type PostStoryRequest,
} from '@nova/contracts';
import { migrate } from '@nova/db';
import type { DomainError, EventPublisher } from '@nova/domain';
import { GrantTableEntitlement, PUBLISHER_MIGRATIONS_DIR, createPublisherHandlers, openPublisherDatabase, type BotOwnership, type PublisherDatabase } from '@nova/publisher-service/domain';
import { ClientChannelTelegram, MainBotNotifier, type BotTokenSource } from '@nova/publisher-service/wiring';
import { TelegramClients } from '@nova/telegram';
import { TelegramEmulator, type BusinessConnection, type EmulatedBot } from '@nova/telegram-emulator';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Update } from 'telegraf/types';
import { Registry } from 'prom-client';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { DomainBus } from './support/domain-bus.js';

const ctx = {};
const OWNER = 9_101n;
const STRANGER = 9_102n;
const UNSUBSCRIBED = 9_103n;
const olga = { id: Number(OWNER), first_name: 'Olga' };
const PHOTO = new Uint8Array(4096).fill(3);
let database: TestDatabase;
let db: PublisherDatabase;
let domainBus: DomainBus;
let publisher: EventPublisher;
let telegram: TelegramEmulator;
let clients: TelegramClients;
let handlers: ReturnType<typeof createPublisherHandlers>;
let media: Server;
let mediaRoot = '';
/** What the media server answers next for /flaky.jpg. */
let flakyStatus = 503;

const bots = new Map<bigint, { owner: bigint; token: string }>();
const ownership: BotOwnership = { ownerOf: (botId) => Promise.resolve(bots.get(botId)?.owner) };
const tokens: BotTokenSource = { tokenFor: (botId) => Promise.resolve(bots.get(botId)?.token) };

function childBot(owner: bigint, username: string): EmulatedBot {
  const bot = telegram.createBot({ username });
  bots.set(BigInt(bot.id), { owner, token: bot.token });
  return bot;
}

/** The bots context's part: Telegram's business_connection update, forwarded to the publisher. */
async function forward(bot: EmulatedBot, connection: BusinessConnection): Promise<void> {
  const read = businessConnectionOf({ update_id: 1, business_connection: connection } as unknown as Update, BigInt(bot.id));
  await handlers.record_business_connection(create(RecordBusinessConnectionRequestSchema, { connection: read }), ctx);
}

/** A business account (Olga's unless told) connects the bot, and the publisher hears of it. */
async function connect(bot: EmulatedBot, canManageStories = true, user = olga): Promise<BusinessConnection> {
  const connection = telegram.connectBusiness(bot.id, { user, canManageStories });
  await forward(bot, connection);
  return connection;
}

function storyRequest(bot: EmulatedBot, init: Omit<MessageInitShape<typeof PostStoryRequestSchema>, '$typeName'> = {}): PostStoryRequest {
  return create(PostStoryRequestSchema, {
    ownerTelegramId: OWNER,
    botId: BigInt(bot.id),
    content: { kind: StoryMediaKind.PHOTO, mediaUrl: `${mediaRoot}/story.jpg` },
    activePeriodSeconds: 86_400,
    caption: 'New in the shop',
    ...init,
  });
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a refusal');
}

async function storyRows(): Promise<number> {
  const result = await database.query<{ n: number }>('SELECT count(*)::int AS n FROM publisher_service.stories');
  return result.rows[0]?.n ?? -1;
}

beforeAll(async () => {
  database = await createTestDatabase('nova_stories');
  domainBus = await DomainBus.start('publisher-stories-test');
  publisher = domainBus.publisher;
  await migrate({ connectionString: database.url, schema: 'publisher_service', migrationsDir: PUBLISHER_MIGRATIONS_DIR });
  db = openPublisherDatabase({ connectionString: database.url, maxConnections: 4 });
  telegram = await TelegramEmulator.start({ rateLimits: false });
  clients = new TelegramClients({ apiRoot: telegram.apiRoot, registry: new Registry(), limits: false, retry: { maxServerRetries: 0, maxRateLimitRetries: 0 } });
  media = createServer((request, response) => {
    if (request.url === '/story.jpg') response.writeHead(200, { 'content-type': 'image/jpeg' }).end(PHOTO);
    else if (request.url === '/flaky.jpg') response.writeHead(flakyStatus).end(flakyStatus === 200 ? PHOTO : '');
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
  mediaRoot = `http://127.0.0.1:${String((media.address() as AddressInfo).port)}`;
  const channelTelegram = new ClientChannelTelegram(clients, tokens);
  const grants = new GrantTableEntitlement(db);
  handlers = createPublisherHandlers({
    db,
    publisher,
    telegram: channelTelegram,
    notifier: new MainBotNotifier(clients, telegram.createBot({ username: 'NovaMainBot' }).token),
    locales: { localeOf: () => Promise.resolve('en' as const) },
    bots: ownership,
    entitlement: grants,
    sendLeaseMs: 30_000,
    stories: { telegram: channelTelegram, entitlement: grants },
  });
  const until = timestampFromDate(new Date(Date.now() + 86_400_000));
  for (const user of [OWNER, STRANGER]) await handlers.grant_posting(create(GrantPostingRequestSchema, { telegramId: user, grantedBy: 1n, until }), ctx);
});

afterAll(async () => {
  await clients.idle();
  clients.close();
  await telegram.stop();
  await new Promise<void>((resolve) => media.close(() => { resolve(); }));
  await db.$disconnect();
  await domainBus.close();
  await database.drop();
});

beforeEach(() => {
  flakyStatus = 503;
});

describe('stories', () => {
  it('posts a story through the owner\'s business connection, the media uploaded as a new file', async () => {
    const bot = childBot(OWNER, 'story_ok_bot');
    const connection = await connect(bot);
    const { story } = await handlers.post_story(storyRequest(bot), ctx);
    expect(story).toMatchObject({ status: StoryStatus.POSTED, botId: BigInt(bot.id), businessConnectionId: connection.id, telegramChatId: OWNER, telegramStoryId: 1n, activePeriodSeconds: 86_400, caption: 'New in the shop' });
    expect(telegram.storiesOf(bot.id)).toEqual([expect.objectContaining({ businessConnectionId: connection.id, kind: 'photo', activePeriod: 86_400, caption: 'New in the shop', mediaSize: PHOTO.length })]);
    const listed = await handlers.list_stories(create(ListStoriesRequestSchema, { ownerTelegramId: OWNER }), ctx);
    expect(listed.stories[0]?.storyId).toBe(story?.storyId);
  });

  it('answers a repeated effect_key with the first story and posts once', async () => {
    const bot = childBot(OWNER, 'story_repeat_bot');
    await connect(bot);
    const request = storyRequest(bot, { effectKey: 'update:1:77' });
    const [first, second] = await Promise.all([handlers.post_story(request, ctx), handlers.post_story(request, ctx)]);
    const third = await handlers.post_story(request, ctx);
    expect(new Set([first.story?.storyId, second.story?.storyId, third.story?.storyId]).size).toBe(1);
    expect(third.story?.status).toBe(StoryStatus.POSTED);
    expect(telegram.storiesOf(bot.id)).toHaveLength(1);
  });

  it('refuses, storing nothing and posting nothing, with a reason the owner can act on', async () => {
    const bot = childBot(OWNER, 'story_refused_bot');
    const foreign = childBot(STRANGER, 'story_foreign_bot');
    const before = await storyRows();
    // No connection yet.
    expect(await refusal(handlers.post_story(storyRequest(bot), ctx))).toMatchObject({ code: ErrorCode.FAILED_PRECONDITION, details: { reason: 'business-connection-missing' }, message: expect.stringContaining('Telegram Business') as unknown });
    // A connection without the right to manage stories.
    await connect(bot, false);
    expect(await refusal(handlers.post_story(storyRequest(bot), ctx))).toMatchObject({ code: ErrorCode.FAILED_PRECONDITION, details: { reason: 'business-no-story-right' }, message: expect.stringContaining('Manage stories') as unknown });
    // Another user's business account connected the bot: not the owner's own, so not used unless named.
    const other = await connect(foreign, true, { id: 555, first_name: 'Ivan' });
    expect(await refusal(handlers.post_story(storyRequest(foreign, { ownerTelegramId: STRANGER }), ctx))).toMatchObject({ code: ErrorCode.FAILED_PRECONDITION });
    // Form, subscription, ownership.
    const cases: [PostStoryRequest, ErrorCode][] = [
      [storyRequest(bot, { activePeriodSeconds: 3_600 }), ErrorCode.INVALID_ARGUMENT],
      [storyRequest(bot, { caption: 'x'.repeat(2049) }), ErrorCode.INVALID_ARGUMENT],
      [storyRequest(bot, { content: { kind: StoryMediaKind.PHOTO, mediaUrl: 'AgACAgIAAxkBAAIB' } }), ErrorCode.INVALID_ARGUMENT],
      [storyRequest(bot, { content: { mediaUrl: `${mediaRoot}/story.jpg` } }), ErrorCode.INVALID_ARGUMENT],
      [storyRequest(bot, { ownerTelegramId: UNSUBSCRIBED }), ErrorCode.FAILED_PRECONDITION],
      [storyRequest(foreign), ErrorCode.PERMISSION_DENIED],
      [storyRequest(bot, { botId: 123_456n }), ErrorCode.NOT_FOUND],
      [storyRequest(bot, { businessConnectionId: other.id }), ErrorCode.FAILED_PRECONDITION],
    ];
    for (const [request, code] of cases) expect(await refusal(handlers.post_story(request, ctx))).toMatchObject({ code });
    expect(await refusal(handlers.post_story(storyRequest(bot, { ownerTelegramId: UNSUBSCRIBED }), ctx))).toMatchObject({ details: { subscription: 'stories' } });
    expect(await storyRows()).toBe(before);
    expect(telegram.calls((call) => call.method === 'postStory' && (call.botId === bot.id || call.botId === foreign.id))).toEqual([]);
  });

  it('asks Telegram before posting: a right taken away since the last update is refused, and an older report never undoes a newer one', async () => {
    const bot = childBot(OWNER, 'story_revoked_bot');
    const granted = await connect(bot);
    // Olga takes the right away; the update has not reached Nova yet.
    const revoked = telegram.connectBusiness(bot.id, { id: granted.id, user: olga, canManageStories: false });
    expect(await refusal(handlers.post_story(storyRequest(bot), ctx))).toMatchObject({ code: ErrorCode.FAILED_PRECONDITION, details: { reason: 'business-no-story-right' } });
    expect(telegram.calls((call) => call.method === 'getBusinessConnection' && call.botId === bot.id).length).toBeGreaterThan(0);
    // The late, older "granted" report arrives after the newer one: the stored row keeps "no right".
    await forward(bot, revoked);
    const older = businessConnectionOf({ update_id: 1, business_connection: granted } as unknown as Update, BigInt(bot.id));
    if (older === undefined) throw new Error('no connection read');
    older.date = timestampFromDate(new Date((granted.date - 60) * 1000));
    const stale = await handlers.record_business_connection(create(RecordBusinessConnectionRequestSchema, { connection: older }), ctx);
    expect(stale.connection?.canManageStories).toBe(false);
    expect(telegram.storiesOf(bot.id)).toEqual([]);
  });

  it('fails a story whose media cannot be had, and goes on after a transient download failure', async () => {
    const bot = childBot(OWNER, 'story_media_bot');
    await connect(bot);
    const missing = await handlers.post_story(storyRequest(bot, { content: { kind: StoryMediaKind.PHOTO, mediaUrl: `${mediaRoot}/gone.jpg` } }), ctx);
    expect(missing.story).toMatchObject({ status: StoryStatus.FAILED, errorCode: 0, error: 'the story\'s photo could not be downloaded: HTTP 404' });
    const request = storyRequest(bot, { content: { kind: StoryMediaKind.PHOTO, mediaUrl: `${mediaRoot}/flaky.jpg` }, effectKey: 'update:2:1' });
    expect(await refusal(handlers.post_story(request, ctx))).toMatchObject({ code: ErrorCode.UNAVAILABLE });
    flakyStatus = 200;
    const retried = await handlers.post_story(request, ctx);
    expect(retried.story?.status).toBe(StoryStatus.POSTED);
    expect(telegram.storiesOf(bot.id)).toHaveLength(1);
  });
});
