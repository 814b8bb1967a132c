/**
 * The publisher context against the test bed's real PostgreSQL (its own database) and a real
 * JetStream (events through the production busEventPublisher, on a nats-server of the file's own),
 * with Telegram played by @nova/telegram-emulator behind the real TelegramClients (the services'
 * ClientChannelTelegram): linking channels only where the bot may post, posts refused with nothing
 * stored, publication per channel with a report, a lost channel failing alone, scheduled posts
 * edited, cancelled and published when due, and no channel posted twice under repeated, concurrent
 * and retried publishes. The bots context's answers (who owns a bot, its token) come from a table
 * here, as svc.bot.get and svc.bot.sealed_token would give them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  CancelPostRequestSchema,
  CreatePostRequestSchema,
  ErrorCode,
  GrantPostingRequestSchema,
  LinkChannelRequestSchema,
  ListChannelsRequestSchema,
  ListPostsRequestSchema,
  PostStatus,
  PublishDueRequestSchema,
  PublisherStatsRequestSchema,
  UnlinkChannelRequestSchema,
  UpdatePostRequestSchema,
  type CreatePostRequest,
  type Post,
  type PostPublished,
} from '@nova/contracts';
import { migrate } from '@nova/db';
import type { DomainError, EventPublisher } from '@nova/domain';
import {
  GrantTableEntitlement,
  PUBLISHER_MIGRATIONS_DIR,
  createPublisherHandlers,
  openPublisherDatabase,
  type BotOwnership,
  type PublisherDatabase,
} from '@nova/publisher-service/domain';
import { ClientChannelTelegram, MainBotNotifier, type BotTokenSource } from '@nova/publisher-service/wiring';
import { TelegramClients } from '@nova/telegram';
import { TelegramEmulator, type EmulatedBot } from '@nova/telegram-emulator';
import { Registry } from 'prom-client';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { DomainBus } from './support/domain-bus.js';
import { migrationNames } from './support/migrations.js';

const ctx = {};
const OWNER = 9_001n;
const STRANGER = 9_002n;
const ADMIN = 1n;
let database: TestDatabase;
let db: PublisherDatabase;
let domainBus: DomainBus;
let publisher: EventPublisher;
let telegram: TelegramEmulator;
let clients: TelegramClients;
let handlers: ReturnType<typeof createPublisherHandlers>;
let mainBot: EmulatedBot;
let now = new Date();
const clock = (): Date => now;
let nextChat = -1_001_000_000_001;

/** The bots context's answers: who owns which bot, and its token. */
const bots = new Map<bigint, { owner: bigint; token: string }>();
const ownership: BotOwnership = { ownerOf: (botId) => Promise.resolve(bots.get(botId)?.owner) };
const tokens: BotTokenSource = { tokenFor: (botId) => Promise.resolve(bots.get(botId)?.token) };

function childBot(owner: bigint, username: string): EmulatedBot {
  const bot = telegram.createBot({ username });
  bots.set(BigInt(bot.id), { owner, token: bot.token });
  return bot;
}

/** A channel the bot administers with the right to post (unless told otherwise). */
function channel(bot: EmulatedBot, rights: { status?: 'administrator' | 'member'; canPostMessages?: boolean } = {}): number {
  const id = nextChat--;
  telegram.joinChat(bot.id, { id, type: 'channel', title: `Channel ${String(-id)}` }, { status: rights.status ?? 'administrator', canPostMessages: rights.canPostMessages ?? true });
  return id;
}

async function link(owner: bigint, bot: EmulatedBot, chatId: number): Promise<void> {
  await handlers.link_channel(create(LinkChannelRequestSchema, { ownerTelegramId: owner, botId: BigInt(bot.id), chatId: BigInt(chatId) }), ctx);
}

function postRequest(chatIds: readonly number[], init: Omit<MessageInitShape<typeof CreatePostRequestSchema>, 'chatIds' | '$typeName'> = {}): CreatePostRequest {
  return create(CreatePostRequestSchema, { ownerTelegramId: OWNER, chatIds: chatIds.map(BigInt), content: { text: 'Hello, channel' }, ...init });
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a refusal');
}

async function counts(): Promise<{ posts: number; deliveries: number; effects: number; outbox: number }> {
  const result = await database.query<{ posts: number; deliveries: number; effects: number; outbox: number }>(
    `SELECT (SELECT count(*) FROM publisher_service.posts)::int AS posts,
            (SELECT count(*) FROM publisher_service.published_posts)::int AS deliveries,
            (SELECT count(*) FROM publisher_service.processed_effects)::int AS effects,
            (SELECT count(*) FROM publisher_service.outbox_events)::int AS outbox`,
  );
  const row = result.rows[0];
  if (row === undefined) throw new Error('no counts');
  return row;
}

/** Successful posts Telegram holds per chat (sendMessage and sendPhoto). */
function sentTo(chatId: number): number {
  return telegram.calls((call) => call.ok && (call.method === 'sendMessage' || call.method === 'sendPhoto') && Number(call.params['chat_id']) === chatId).length;
}

/** The main bot's reports to the owner about one post. */
function ownerReports(postId: bigint): string[] {
  return telegram
    .calls((call) => call.ok && call.botId === mainBot.id && call.method === 'sendMessage' && Number(call.params['chat_id']) === Number(OWNER))
    .map((call) => String(call.params['text']))
    .filter((text) => text.startsWith(`Post #${postId.toString()} `));
}

async function reportOf(postId: bigint): Promise<PostPublished[]> {
  return (await domainBus.stored())
    .filter((event) => event.subject === 'nova.publisher.post_published' && event.msgId === `nova.publisher.post_published:${postId.toString()}`)
    .map((event) => event.message as PostPublished);
}

beforeAll(async () => {
  database = await createTestDatabase('nova_publisher');
  domainBus = await DomainBus.start('publisher-test');
  publisher = domainBus.publisher;
  await migrate({ connectionString: database.url, schema: 'publisher_service', migrationsDir: PUBLISHER_MIGRATIONS_DIR });
  db = openPublisherDatabase({ connectionString: database.url, maxConnections: 8 });
  // Pacing to Telegram's limits is the client's job, tested in test/telegram; here it would only slow the file down.
  telegram = await TelegramEmulator.start({ rateLimits: false });
  // A failed call fails at once (no client-side retries): the publisher's own retry is what is tested.
  clients = new TelegramClients({ apiRoot: telegram.apiRoot, registry: new Registry(), limits: false, retry: { maxServerRetries: 0, maxRateLimitRetries: 0 } });
  mainBot = telegram.createBot({ username: 'NovaMainBot' });
  // The owner talked to the main bot (that is how they added their bots): it may write to them.
  telegram.addChat(mainBot.id, { id: Number(OWNER), type: 'private', first_name: 'Olga' });
  handlers = createPublisherHandlers({
    db,
    publisher,
    telegram: new ClientChannelTelegram(clients, tokens),
    notifier: new MainBotNotifier(clients, mainBot.token),
    // Olga reads English. The users context's svc.user.get is not on this file's bus; the report in
    // both languages is services/publisher-service/src/domain/report.test.ts's, the lookup over the
    // bus test/domain/main-bot-publishing.test.ts's.
    locales: { localeOf: () => Promise.resolve('en' as const) },
    bots: ownership,
    entitlement: new GrantTableEntitlement(db),
    clock,
    sendLeaseMs: 30_000,
  });
  await handlers.grant_posting(create(GrantPostingRequestSchema, { telegramId: OWNER, grantedBy: ADMIN, until: timestampFromDate(new Date(Date.now() + 86_400_000 * 30)) }), ctx);
  await handlers.grant_posting(create(GrantPostingRequestSchema, { telegramId: STRANGER, grantedBy: ADMIN, until: timestampFromDate(new Date(Date.now() + 86_400_000 * 30)) }), ctx);
});

afterAll(async () => {
  await clients.idle();
  clients.close();
  await telegram.stop();
  await db.$disconnect();
  await domainBus.close();
  await database.drop();
});

beforeEach(() => {
  now = new Date();
});

describe('migrations', () => {
  it('apply through the runner into publisher_service, once', async () => {
    const history = await database.query<{ migration_name: string }>('SELECT migration_name FROM publisher_service._prisma_migrations ORDER BY migration_name');
    expect(history.rows.map((row) => row.migration_name)).toEqual(migrationNames(PUBLISHER_MIGRATIONS_DIR));
    const tables = await database.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'publisher_service' ORDER BY 1`,
    );
    expect(tables.rows.map((row) => row.name)).toEqual(['_prisma_migrations', 'announcement_deliveries', 'announcements', 'business_connections', 'channels', 'outbox_events', 'posting_grants', 'posts', 'processed_effects', 'published_posts', 'stories']);
    const again = await migrate({ connectionString: database.url, schema: 'publisher_service', migrationsDir: PUBLISHER_MIGRATIONS_DIR });
    expect(again.applied).toEqual([]);
  });
});

describe('linking channels', () => {
  it('links a channel where the bot is an administrator allowed to post, lists and unlinks it', async () => {
    const bot = childBot(OWNER, 'link_ok_bot');
    const chatId = channel(bot);
    const answer = await handlers.link_channel(create(LinkChannelRequestSchema, { ownerTelegramId: OWNER, botId: BigInt(bot.id), chatId: BigInt(chatId) }), ctx);
    expect(answer.channel).toMatchObject({ chatId: BigInt(chatId), botId: BigInt(bot.id), ownerTelegramId: OWNER, title: `Channel ${String(-chatId)}` });
    expect(telegram.calls((call) => call.method === 'getChatMember' && call.botId === bot.id).at(-1)?.params).toMatchObject({ chat_id: chatId, user_id: bot.id });
    const listed = await handlers.list_channels(create(ListChannelsRequestSchema, { ownerTelegramId: OWNER }), ctx);
    expect(listed.channels.map((linked) => linked.chatId)).toContain(BigInt(chatId));
    await handlers.unlink_channel(create(UnlinkChannelRequestSchema, { ownerTelegramId: OWNER, chatId: BigInt(chatId) }), ctx);
    const after = await handlers.list_channels(create(ListChannelsRequestSchema, { ownerTelegramId: OWNER }), ctx);
    expect(after.channels.map((linked) => linked.chatId)).not.toContain(BigInt(chatId));
    expect(await refusal(handlers.unlink_channel(create(UnlinkChannelRequestSchema, { ownerTelegramId: OWNER, chatId: BigInt(chatId) }), ctx))).toMatchObject({ code: ErrorCode.NOT_FOUND });
  });

  it('refuses, with a reason the owner can act on, where the bot may not post', async () => {
    const bot = childBot(OWNER, 'link_refused_bot');
    const member = channel(bot, { status: 'member' });
    const noRight = channel(bot, { canPostMessages: false });
    expect(await refusal(link(OWNER, bot, member))).toMatchObject({ code: ErrorCode.FAILED_PRECONDITION, details: { reason: 'bot-not-admin' }, message: expect.stringContaining('is not an administrator') as unknown });
    expect(await refusal(link(OWNER, bot, noRight))).toMatchObject({ code: ErrorCode.FAILED_PRECONDITION, details: { reason: 'bot-cannot-post' }, message: expect.stringContaining('without the right to post') as unknown });
    expect(await refusal(link(OWNER, bot, -1_009_999_999_999))).toMatchObject({ code: ErrorCode.NOT_FOUND, details: { telegram_error: '400 Bad Request: chat not found' } });
    const kickedFrom = channel(bot);
    telegram.kickFromChat(bot.id, kickedFrom);
    expect(await refusal(link(OWNER, bot, kickedFrom))).toMatchObject({ code: ErrorCode.FAILED_PRECONDITION, details: { telegram_error: '403 Forbidden: bot was kicked from the channel chat' } });
    expect((await handlers.list_channels(create(ListChannelsRequestSchema, { ownerTelegramId: OWNER }), ctx)).channels.map((linked) => linked.chatId)).not.toEqual(
      expect.arrayContaining([BigInt(member), BigInt(noRight), BigInt(kickedFrom)]),
    );
  });

  it('refuses another user\'s bot, an unknown bot, a private chat and a channel another user linked', async () => {
    const mine = childBot(OWNER, 'link_mine_bot');
    const theirs = childBot(STRANGER, 'link_theirs_bot');
    const chatId = channel(theirs);
    expect(await refusal(link(OWNER, theirs, chatId))).toMatchObject({ code: ErrorCode.PERMISSION_DENIED, details: { bot_id: String(theirs.id) } });
    expect(await refusal(handlers.link_channel(create(LinkChannelRequestSchema, { ownerTelegramId: OWNER, botId: 123_456n, chatId: -100n }), ctx))).toMatchObject({ code: ErrorCode.NOT_FOUND });
    expect(await refusal(link(OWNER, mine, 42))).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT, details: { field: 'chat_id' } });
    await link(STRANGER, theirs, chatId);
    telegram.joinChat(mine.id, { id: chatId, type: 'channel', title: 'Contested' }, { status: 'administrator', canPostMessages: true });
    expect(await refusal(link(OWNER, mine, chatId))).toMatchObject({ code: ErrorCode.PERMISSION_DENIED, details: { chat_id: String(chatId) } });
  });
});

describe('creating posts: bad input is refused and nothing is stored', () => {
  it('refuses no channel, an unlinked or foreign channel, text over 4096, a caption over 1024, a time in the past, no subscription', async () => {
    const bot = childBot(OWNER, 'refusals_bot');
    const linked = channel(bot);
    await link(OWNER, bot, linked);
    const unlinked = channel(bot);
    const foreignBot = childBot(STRANGER, 'refusals_foreign_bot');
    const foreign = channel(foreignBot);
    await link(STRANGER, foreignBot, foreign);
    const before = await counts();
    const cases: [CreatePostRequest, ErrorCode, Record<string, string>][] = [
      [postRequest([]), ErrorCode.INVALID_ARGUMENT, { field: 'chat_ids' }],
      [postRequest([linked, unlinked]), ErrorCode.NOT_FOUND, { chat_id: String(unlinked), field: 'chat_ids' }],
      [postRequest([linked, foreign]), ErrorCode.NOT_FOUND, { chat_id: String(foreign), field: 'chat_ids' }],
      [postRequest([linked], { content: { text: 'x'.repeat(4097) } }), ErrorCode.INVALID_ARGUMENT, { field: 'content.text' }],
      [postRequest([linked], { content: { text: 'y'.repeat(1025), photo: 'https://cdn.example/p.jpg' } }), ErrorCode.INVALID_ARGUMENT, { field: 'content.text' }],
      [postRequest([linked], { publishAt: timestampFromDate(new Date(now.getTime() - 60_000)) }), ErrorCode.INVALID_ARGUMENT, { field: 'publish_at' }],
      [postRequest([linked], { ownerTelegramId: 9_999n }), ErrorCode.FAILED_PRECONDITION, { owner_telegram_id: '9999', subscription: 'posting' }],
      [postRequest([linked], { effectKey: 'has space' }), ErrorCode.INVALID_ARGUMENT, { field: 'effect_key' }],
    ];
    for (const [request, code, details] of cases) {
      expect(await refusal(handlers.create_post(request, ctx))).toMatchObject({ code, details });
    }
    expect(await counts()).toEqual(before);
    expect(sentTo(linked)).toBe(0);
  });
});

describe('publishing', () => {
  it('publishes now to every channel, text with entities and buttons or a photo with its caption, and reports it once', async () => {
    const bot = childBot(OWNER, 'publish_now_bot');
    const [first, second] = [channel(bot), channel(bot)];
    await link(OWNER, bot, first);
    await link(OWNER, bot, second);
    const content = { text: 'Big news', entities: [{ type: 'bold', offset: 0, length: 3 }], buttons: [{ buttons: [{ text: 'Read', url: 'https://news.example/1' }] }] };
    const { post } = await handlers.create_post(postRequest([first, second], { content }), ctx);
    expect(post).toMatchObject({ status: PostStatus.PUBLISHED, chatIds: [BigInt(first), BigInt(second)] });
    expect(post?.outcomes.map((outcome) => [outcome.chatId, outcome.sent, outcome.botId])).toEqual([[BigInt(first), true, BigInt(bot.id)], [BigInt(second), true, BigInt(bot.id)]]);
    const [message] = telegram.messagesTo(first);
    expect(message).toMatchObject({ text: 'Big news', entities: [{ type: 'bold', offset: 0, length: 3 }], reply_markup: { inline_keyboard: [[{ text: 'Read', url: 'https://news.example/1' }]] } });
    expect(BigInt(message?.message_id ?? 0)).toBe(post?.outcomes[0]?.messageId);
    const reports = await reportOf(post?.postId ?? 0n);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.post?.outcomes.every((outcome) => outcome.sent)).toBe(true);
    expect(ownerReports(post?.postId ?? 0n)).toEqual([
      `Post #${String(post?.postId)} published in 2 of 2 channels.\n✓ Channel ${String(-first)}\n✓ Channel ${String(-second)}`,
    ]);

    const photo = await handlers.create_post(postRequest([first], { content: { text: 'Look', photo: 'https://cdn.example/look.jpg' } }), ctx);
    expect(photo.post?.status).toBe(PostStatus.PUBLISHED);
    expect(telegram.messagesTo(first).at(-1)).toMatchObject({ caption: 'Look', photo: expect.any(Array) as unknown });
  });

  it('fails only the channel where the bot lost its rights, and says why in the report', async () => {
    const bot = childBot(OWNER, 'publish_partial_bot');
    const [kept, kicked, demoted] = [channel(bot), channel(bot), channel(bot)];
    for (const chatId of [kept, kicked, demoted]) await link(OWNER, bot, chatId);
    telegram.kickFromChat(bot.id, kicked);
    telegram.joinChat(bot.id, { id: demoted, type: 'channel', title: 'Demoted' }, { status: 'administrator', canPostMessages: false });
    const { post } = await handlers.create_post(postRequest([kept, kicked, demoted]), ctx);
    expect(post?.status).toBe(PostStatus.PUBLISHED);
    const [report] = await reportOf(post?.postId ?? 0n);
    expect(report?.post?.outcomes.map((outcome) => ({ chat: Number(outcome.chatId), sent: outcome.sent, code: outcome.errorCode, error: outcome.error }))).toEqual([
      { chat: kept, sent: true, code: 0, error: '' },
      { chat: kicked, sent: false, code: 403, error: 'Forbidden: bot was kicked from the channel chat' },
      { chat: demoted, sent: false, code: 400, error: 'Bad Request: need administrator rights in the channel chat' },
    ]);
    expect(sentTo(kept)).toBe(1);
    expect(ownerReports(post?.postId ?? 0n)).toEqual([[
      `Post #${String(post?.postId)} published in 1 of 3 channels.`,
      `✓ Channel ${String(-kept)}`,
      // Telegram's reasons in the owner's words (English here): the bot removed, the right to post taken away.
      `✗ Channel ${String(-kicked)}: the bot was removed from this chat`,
      `✗ Channel ${String(-demoted)}: the bot lacks the administrator right to post here`,
    ].join('\n')]);
  });

  it('schedules a post, lets the owner edit and cancel it while scheduled, and publishes it when due', async () => {
    const bot = childBot(OWNER, 'scheduled_bot');
    const chatId = channel(bot);
    await link(OWNER, bot, chatId);
    const at = new Date(now.getTime() + 3_600_000);
    const { post } = await handlers.create_post(postRequest([chatId], { publishAt: timestampFromDate(at) }), ctx);
    const postId = post?.postId ?? 0n;
    expect(post?.status).toBe(PostStatus.SCHEDULED);
    expect(sentTo(chatId)).toBe(0);
    const edited = await handlers.update_post(create(UpdatePostRequestSchema, { ownerTelegramId: OWNER, postId, content: { text: 'Edited text' } }), ctx);
    expect(edited.post?.content?.text).toBe('Edited text');
    expect(await refusal(handlers.update_post(create(UpdatePostRequestSchema, { ownerTelegramId: STRANGER, postId, content: { text: 'Hijack' } }), ctx))).toMatchObject({ code: ErrorCode.NOT_FOUND });

    const other = await handlers.create_post(postRequest([chatId], { publishAt: timestampFromDate(at) }), ctx);
    const cancelled = await handlers.cancel_post(create(CancelPostRequestSchema, { ownerTelegramId: OWNER, postId: other.post?.postId ?? 0n }), ctx);
    expect(cancelled.post?.status).toBe(PostStatus.CANCELLED);

    // Not due yet: nothing happens.
    expect((await handlers.publish_due(create(PublishDueRequestSchema, {}), ctx)).publishedPostIds).not.toContain(postId);
    now = new Date(at.getTime() + 1);
    const due = await handlers.publish_due(create(PublishDueRequestSchema, {}), ctx);
    expect(due.publishedPostIds).toContain(postId);
    expect(due.publishedPostIds).not.toContain(other.post?.postId);
    expect(telegram.messagesTo(chatId).map((message) => message.text)).toEqual(['Edited text']);
    expect(await refusal(handlers.update_post(create(UpdatePostRequestSchema, { ownerTelegramId: OWNER, postId, content: { text: 'Too late' } }), ctx))).toMatchObject({ code: ErrorCode.FAILED_PRECONDITION });
    expect(await refusal(handlers.cancel_post(create(CancelPostRequestSchema, { ownerTelegramId: OWNER, postId }), ctx))).toMatchObject({ code: ErrorCode.FAILED_PRECONDITION });
    const listed = await handlers.list_posts(create(ListPostsRequestSchema, { ownerTelegramId: OWNER, status: PostStatus.CANCELLED }), ctx);
    expect(listed.posts.map((listedPost: Post) => listedPost.postId)).toEqual([other.post?.postId]);
  });
});

describe('nothing posted twice', () => {
  it('a repeated create with the same effect key stores one post and sends once per channel', async () => {
    const bot = childBot(OWNER, 'effect_key_bot');
    const chatId = channel(bot);
    await link(OWNER, bot, chatId);
    const request = postRequest([chatId], { effectKey: `update:${String(bot.id)}:77` });
    const first = await handlers.create_post(request, ctx);
    const second = await handlers.create_post(request, ctx);
    expect(second.post?.postId).toBe(first.post?.postId);
    expect(second.post?.status).toBe(PostStatus.PUBLISHED);
    expect(sentTo(chatId)).toBe(1);
    expect(await reportOf(first.post?.postId ?? 0n)).toHaveLength(1);
  });

  it('concurrent publish_due calls (two replicas) send every channel exactly once', async () => {
    const bot = childBot(OWNER, 'concurrent_bot');
    const chats = [channel(bot), channel(bot), channel(bot), channel(bot)];
    for (const chatId of chats) await link(OWNER, bot, chatId);
    const at = new Date(now.getTime() + 60_000);
    const ids: bigint[] = [];
    for (let i = 0; i < 3; i++) ids.push((await handlers.create_post(postRequest(chats, { publishAt: timestampFromDate(at) }), ctx)).post?.postId ?? 0n);
    now = new Date(at.getTime() + 1);
    const answers = await Promise.allSettled([0, 1, 2].map(() => handlers.publish_due(create(PublishDueRequestSchema, { limit: 50 }), ctx)));
    // A call that found a channel leased by another leaves that post to a later call (the scheduler's next tick).
    for (let tick = 0; tick < 20 && (await db.post.count({ where: { id: { in: ids }, status: { not: 'PUBLISHED' } } })) > 0; tick++) {
      await handlers.publish_due(create(PublishDueRequestSchema, { limit: 50 }), ctx);
    }
    const published = answers.flatMap((answer) => (answer.status === 'fulfilled' ? answer.value.publishedPostIds : []));
    for (const chatId of chats) expect(sentTo(chatId)).toBe(3);
    const statuses = await db.post.findMany({ where: { id: { in: ids } }, select: { status: true } });
    expect(statuses.every((row) => row.status === 'PUBLISHED')).toBe(true);
    for (const id of ids) expect(await reportOf(id)).toHaveLength(1);
    expect(new Set(published).size).toBe(published.length);
  });

  it('a Telegram failure leaves the channel for the next publish, which sends it once', async () => {
    const bot = childBot(OWNER, 'transient_bot');
    const [flaky, steady] = [channel(bot), channel(bot)];
    await link(OWNER, bot, flaky);
    await link(OWNER, bot, steady);
    const at = new Date(now.getTime() + 60_000);
    const { post } = await handlers.create_post(postRequest([flaky, steady], { publishAt: timestampFromDate(at) }), ctx);
    const postId = post?.postId ?? 0n;
    now = new Date(at.getTime() + 1);
    // The first send gets a 502 from Telegram; the other channel goes out.
    telegram.injectFault(bot.id, { status: 502, times: 1, methods: ['sendMessage'] });
    await handlers.publish_due(create(PublishDueRequestSchema, {}), ctx).catch(() => undefined);
    const afterFirst = await db.post.findUniqueOrThrow({ where: { id: postId }, include: { deliveries: true } });
    expect(afterFirst.status).toBe('PUBLISHING');
    expect(afterFirst.deliveries.filter((delivery) => delivery.sentAt !== null)).toHaveLength(1);
    expect(await reportOf(postId)).toHaveLength(0);

    const retry = await handlers.publish_due(create(PublishDueRequestSchema, {}), ctx);
    expect(retry.publishedPostIds).toContain(postId);
    expect([sentTo(steady), sentTo(flaky)]).toEqual([1, 1]);
    const [report] = await reportOf(postId);
    expect(report?.post?.outcomes.every((outcome) => outcome.sent)).toBe(true);
    expect(ownerReports(postId)).toHaveLength(1);
  });

  it('a post for now that Telegram could not take yet comes back PUBLISHING, and publish_due finishes it', async () => {
    const bot = childBot(OWNER, 'now_later_bot');
    const chatId = channel(bot);
    await link(OWNER, bot, chatId);
    telegram.injectFault(bot.id, { status: 503, times: 1, methods: ['sendMessage'] });
    const { post } = await handlers.create_post(postRequest([chatId]), ctx);
    expect(post?.status).toBe(PostStatus.PUBLISHING);
    expect(post?.outcomes).toEqual([]);
    expect(sentTo(chatId)).toBe(0);
    const due = await handlers.publish_due(create(PublishDueRequestSchema, {}), ctx);
    expect(due.publishedPostIds).toContain(post?.postId);
    expect(sentTo(chatId)).toBe(1);
  });

  it('a scheduled post whose owner\'s subscription ended meanwhile fails every channel, saying why', async () => {
    const owner = 9_003n;
    const bot = childBot(owner, 'lapsed_bot');
    const chatId = channel(bot);
    await link(owner, bot, chatId);
    await handlers.grant_posting(create(GrantPostingRequestSchema, { telegramId: owner, grantedBy: ADMIN, until: timestampFromDate(new Date(now.getTime() + 60_000)) }), ctx);
    const at = new Date(now.getTime() + 30_000);
    const { post } = await handlers.create_post(postRequest([chatId], { ownerTelegramId: owner, publishAt: timestampFromDate(at) }), ctx);
    now = new Date(now.getTime() + 120_000);
    const due = await handlers.publish_due(create(PublishDueRequestSchema, {}), ctx);
    expect(due.publishedPostIds).toContain(post?.postId);
    expect(sentTo(chatId)).toBe(0);
    const [report] = await reportOf(post?.postId ?? 0n);
    expect(report?.post?.outcomes).toMatchObject([{ chatId: BigInt(chatId), sent: false, errorCode: 0, error: 'the owner\'s posting subscription has ended' }]);
  });

  it('an owner\'s report that failed is sent by the next publish_due, once', async () => {
    const bot = childBot(OWNER, 'report_retry_bot');
    const chatId = channel(bot);
    await link(OWNER, bot, chatId);
    telegram.injectFault(mainBot.id, { status: 502, times: 1, methods: ['sendMessage'] });
    const { post } = await handlers.create_post(postRequest([chatId]), ctx);
    const postId = post?.postId ?? 0n;
    expect(post?.status).toBe(PostStatus.PUBLISHED);
    expect(ownerReports(postId)).toEqual([]);
    await handlers.publish_due(create(PublishDueRequestSchema, {}), ctx);
    await handlers.publish_due(create(PublishDueRequestSchema, {}), ctx);
    expect(ownerReports(postId)).toHaveLength(1);
    expect(sentTo(chatId)).toBe(1);
  });
});

describe('stats (the admin panel\'s numbers)', () => {
  it('counts posts by status, those published in the last 24 hours, and channels, as the tables hold them', async () => {
    const bot = childBot(OWNER, 'stats_bot');
    const chatId = channel(bot);
    await link(OWNER, bot, chatId);
    await handlers.create_post(postRequest([chatId], { publishAt: timestampFromDate(new Date(now.getTime() + 3_600_000)) }), ctx);
    await handlers.create_post(postRequest([chatId]), ctx);
    const stats = await handlers.stats(create(PublisherStatsRequestSchema, {}), ctx);
    const expected = await database.query<{ posts: string; scheduled: string; published: string; published_24h: string; channels: string }>(
      `SELECT (SELECT count(*) FROM publisher_service.posts) AS posts,
              (SELECT count(*) FROM publisher_service.posts WHERE status = 'SCHEDULED') AS scheduled,
              (SELECT count(*) FROM publisher_service.posts WHERE status = 'PUBLISHED') AS published,
              (SELECT count(*) FROM publisher_service.posts WHERE status = 'PUBLISHED' AND published_at > $1::timestamptz - interval '24 hours' AND published_at <= $1::timestamptz) AS published_24h,
              (SELECT count(*) FROM publisher_service.channels) AS channels`,
      [now],
    );
    const row = expected.rows[0];
    expect(stats).toMatchObject({
      posts: BigInt(row?.posts ?? -1), postsScheduled: BigInt(row?.scheduled ?? -1), postsPublished: BigInt(row?.published ?? -1),
      postsPublished24h: BigInt(row?.published_24h ?? -1), channels: BigInt(row?.channels ?? -1),
    });
    expect(stats.postsScheduled).toBeGreaterThan(0n);
    expect(stats.postsPublished24h).toBeGreaterThan(0n);
    expect(stats.posts).toBeGreaterThanOrEqual(stats.postsScheduled + stats.postsPublished);
  });
});
