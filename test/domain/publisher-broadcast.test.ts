/**
 * The broadcaster on real parts: PostgreSQL (a database of its own), a nats-server of its own
 * (JetStream: the publications' work items on stream NOVA; KV: the bots' send leases), and the
 * Telegram emulator enforcing Telegram's documented limits (no limit turned off). Two
 * "replicas" of the publisher run in this process, each with its own bus connection, Telegram
 * clients and send leases, as two pods would:
 *
 * - a post to 240 channels through three bots is answered PUBLISHING at once and finished by its
 *   work item: every channel gets it exactly once, the report is published once, Telegram
 *   answered no 429, and no bot ever had more than its 30 messages in any second (by arrival);
 * - two replicas broadcasting two posts through the same bots at the same time hand each bot's
 *   budget over (one sender per bot at a time): again no 429 and never more than 30 in a second;
 * - a work item that finds rows of its post held by another sender (the request publishing it,
 *   the other side of a migration) waits for them instead of failing: a failed delivery is an
 *   error of the publisher context in the analysis of stage 4, which rolled the stage back;
 * - a create_post whose bot is busy (its budget with the other replica) answers PUBLISHING within
 *   its deadline, its channel freed and not sent, and the post goes out once the bot is free;
 * - a channel post or report Telegram took whose record the database refused is counted as
 *   unrecorded, its lease kept (a report goes out again only after it); a report the main bot
 *   could not start in the first half of its lease is given up (lease freed) and sent once the
 *   bot is free.
 *
 * No speed is asserted: the limits are ceilings, and what this machine reaches under them is for
 * bench/broadcast.ts to say.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { connectJetStreamBus, type NovaBus } from '@nova/bus';
import { CreatePostRequestSchema, GrantPostingRequestSchema, LinkChannelRequestSchema, PostStatus, PublicationRequestedSchema, PublishDueRequestSchema } from '@nova/contracts';
import { migrate } from '@nova/db';
import type { EventPublisher } from '@nova/domain';
import {
  GrantTableEntitlement,
  PUBLISHER_MIGRATIONS_DIR,
  createPublicationWorker,
  createPublisherHandlers,
  openPublisherDatabase,
  type PublisherContextDeps,
  type PublisherDatabase,
} from '@nova/publisher-service/domain';
import { BotSendLeases, ClientChannelTelegram, MainBotNotifier, PUBLICATIONS_CONSUMER, openSendLeasesBucket, type BotTokenSource } from '@nova/publisher-service/wiring';
import { TelegramClients } from '@nova/telegram';
import { TelegramEmulator, type EmulatedBot, type RecordedCall } from '@nova/telegram-emulator';
import { busEventPublisher } from '@nova/wiring';
import { Registry } from 'prom-client';
import { memoryLogger, startPrivateNats, testMetrics, until, type PrivateNats } from '../bus/support/nats.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { DomainBus } from './support/domain-bus.js';

jest.setTimeout(180_000);

const OWNER = 7_001n;
const ctx = {};
let nats: PrivateNats;
let database: TestDatabase;
let telegram: TelegramEmulator;
let mainBot: EmulatedBot;
let bots: EmulatedBot[];
const tokens = new Map<bigint, string>();
const tokenSource: BotTokenSource = { tokenFor: (botId) => Promise.resolve(tokens.get(botId)) };
let nextChat = -1_003_000_000_001;

interface Replica {
  readonly name: string;
  readonly bus: NovaBus;
  readonly db: PublisherDatabase;
  readonly clients: TelegramClients;
  readonly leases: BotSendLeases;
  readonly deps: PublisherContextDeps;
  readonly handlers: ReturnType<typeof createPublisherHandlers>;
}
const replicas: Replica[] = [];

/** A publisher replica: its own bus connection, database pool, Telegram clients and send leases. */
async function startReplica(name: string): Promise<Replica> {
  const bus = await connectJetStreamBus({ servers: [nats.info.url], name, metrics: testMetrics(), logger: memoryLogger(name).logger });
  const leases = new BotSendLeases(await openSendLeasesBucket(bus.transport.nc), { holder: name });
  const clients = new TelegramClients({ apiRoot: telegram.apiRoot, registry: new Registry(), gateFor: (botId) => leases.gate(botId) });
  const db = openPublisherDatabase({ connectionString: database.url, maxConnections: 8 });
  const deps: PublisherContextDeps = {
    db,
    publisher: busEventPublisher(bus),
    telegram: new ClientChannelTelegram(clients, tokenSource),
    notifier: new MainBotNotifier(clients, mainBot.token),
    locales: { localeOf: () => Promise.resolve('en' as const) },
    bots: { ownerOf: (botId) => Promise.resolve(tokens.has(botId) ? OWNER : undefined) },
    entitlement: new GrantTableEntitlement(db),
    sendLeaseMs: 30_000,
  };
  const replica = { name, bus, db, clients, leases, deps, handlers: createPublisherHandlers(deps) };
  replicas.push(replica);
  return replica;
}

/** `count` channels administered by `bot`, linked by the owner. */
async function linkChannels(replica: Replica, bot: EmulatedBot, count: number): Promise<number[]> {
  const chats = Array.from({ length: count }, () => nextChat--);
  for (const id of chats) telegram.joinChat(bot.id, { id, type: 'channel', title: `Channel ${String(-id)}` }, { status: 'administrator', canPostMessages: true });
  for (const id of chats) await replica.handlers.link_channel(create(LinkChannelRequestSchema, { ownerTelegramId: OWNER, botId: BigInt(bot.id), chatId: BigInt(id) }), ctx);
  return chats;
}

function sendsOf(bot: EmulatedBot): RecordedCall[] {
  return telegram.calls((call) => call.botId === bot.id && call.method === 'sendMessage');
}

/** The most messages Telegram admitted from the bot in any one second, by arrival. */
function mostInAnySecond(bot: EmulatedBot): number {
  const arrivals = sendsOf(bot).filter((call) => call.ok).map((call) => call.at);
  return Math.max(0, ...arrivals.map((at) => arrivals.filter((other) => other >= at && other < at + 1_000).length));
}

function tooManyRequests(): number {
  return telegram.calls((call) => call.status === 429).length;
}

/** Posts of `text` each chat received (sendMessage answered ok). */
function receivedPerChat(text: string): Map<number, number> {
  const received = new Map<number, number>();
  for (const call of telegram.calls((c) => c.ok && c.method === 'sendMessage' && c.params['text'] === text)) {
    const chat = Number(call.params['chat_id']);
    received.set(chat, (received.get(chat) ?? 0) + 1);
  }
  return received;
}

/**
 * Makes the database refuse to record a send (`column` set from NULL on `table`), as when the
 * service lost its privileges, and nothing else: a real trigger. Resolves to its undo.
 */
async function refuseRecordOf(db: PublisherDatabase, table: 'posts' | 'published_posts', column: 'report_sent_at' | 'sent_at'): Promise<() => Promise<void>> {
  const name = `refuse_${table}_record`;
  await db.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION publisher_service.${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.${column} IS NOT NULL AND OLD.${column} IS NULL THEN RAISE EXCEPTION 'permission denied for table ${table}'; END IF;
      RETURN NEW;
    END $$`);
  await db.$executeRawUnsafe(`CREATE TRIGGER ${name} BEFORE UPDATE ON publisher_service.${table} FOR EACH ROW EXECUTE FUNCTION publisher_service.${name}()`);
  return async () => {
    await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS ${name} ON publisher_service.${table}`);
  };
}

async function postStatus(db: PublisherDatabase, postId: bigint): Promise<string> {
  return (await db.post.findUniqueOrThrow({ where: { id: postId } })).status;
}

beforeAll(async () => {
  nats = await startPrivateNats();
  database = await createTestDatabase('nova_broadcast');
  await migrate({ connectionString: database.url, schema: 'publisher_service', migrationsDir: PUBLISHER_MIGRATIONS_DIR });
  // Telegram's documented limits, as the emulator enforces them by default.
  telegram = await TelegramEmulator.start();
  mainBot = telegram.createBot({ username: 'NovaMainBot' });
  telegram.addChat(mainBot.id, { id: Number(OWNER), type: 'private', first_name: 'Olga' });
  bots = ['first', 'second', 'third'].map((name) => {
    const bot = telegram.createBot({ username: `broadcast_${name}_bot` });
    tokens.set(BigInt(bot.id), bot.token);
    return bot;
  });
  const first = await startReplica('publisher-a');
  await startReplica('publisher-b');
  await first.handlers.grant_posting(create(GrantPostingRequestSchema, { telegramId: OWNER, grantedBy: 1n, until: timestampFromDate(new Date(Date.now() + 86_400_000)) }), ctx);
});

afterAll(async () => {
  for (const replica of replicas) {
    await replica.clients.idle();
    replica.clients.close();
    await replica.leases.close();
    await replica.bus.close();
    await replica.db.$disconnect();
  }
  await telegram.stop();
  await database.drop();
  await nats.stop();
});

describe('the broadcaster', () => {
  it('sends a post to 240 channels through three bots as one work item: each channel once, no 429, never over a bot\'s 30 a second', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const handled: string[] = [];
    for (const replica of [a, b]) {
      const work = createPublicationWorker(replica.deps);
      await replica.bus.consumeEvents({
        name: PUBLICATIONS_CONSUMER,
        context: 'publisher',
        subjects: ['nova.publisher.publication_requested'],
        ackWaitMs: 5_000,
        handle: async (request) => { handled.push(replica.name); await work(request); },
      });
    }
    const chats = (await Promise.all(bots.map((bot) => linkChannels(a, bot, 80)))).flat();

    const created = await a.handlers.create_post(create(CreatePostRequestSchema, { ownerTelegramId: OWNER, chatIds: chats.map(BigInt), content: { text: 'Broadcast one' } }), ctx);
    // A broadcast is not sent within the request: its work item is.
    expect(created.post?.status).toBe(PostStatus.PUBLISHING);
    const postId = created.post?.postId ?? 0n;
    await until('the broadcast is published', async () => (await postStatus(a.db, postId)) === 'PUBLISHED', 120_000);

    const received = receivedPerChat('Broadcast one');
    expect(received.size).toBe(chats.length);
    expect([...received.values()].every((count) => count === 1)).toBe(true);
    expect(tooManyRequests()).toBe(0);
    for (const bot of bots) expect(mostInAnySecond(bot)).toBeLessThanOrEqual(30);
    const rows = await a.db.postDelivery.findMany({ where: { postId } });
    expect(rows.every((row) => row.sentAt !== null && row.messageId !== null && row.leaseUntil === null)).toBe(true);
    // The owner's report, once, counted rather than listed line by line when it would not fit.
    await until('the owner\'s report', () => telegram.calls((call) => call.ok && call.botId === mainBot.id && String(call.params['text']).startsWith(`Post #${postId.toString()} `)).length === 1);
    expect(handled.length).toBeGreaterThanOrEqual(1);
  });

  it('lends each bot\'s budget to one replica at a time when two broadcast through the same bots at once', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const before = new Map(bots.map((bot) => [bot.id, sendsOf(bot).length]));
    const chats = (await Promise.all(bots.map((bot) => linkChannels(a, bot, 60)))).flat();
    const post = async (text: string): Promise<bigint> => {
      // Scheduled a moment ahead, so that no work item takes it: each replica's worker runs one post here.
      const created = await a.handlers.create_post(create(CreatePostRequestSchema, { ownerTelegramId: OWNER, chatIds: chats.map(BigInt), content: { text }, publishAt: timestampFromDate(new Date(Date.now() + 2_000)) }), ctx);
      return created.post?.postId ?? 0n;
    };
    const [first, second] = [await post('Broadcast A'), await post('Broadcast B')];
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    // Both replicas at once, as two pods whose consumers took one work item each.
    await Promise.all([createPublicationWorker(a.deps)(create(PublicationRequestedSchema, { postId: first })), createPublicationWorker(b.deps)(create(PublicationRequestedSchema, { postId: second }))]);

    expect(await postStatus(a.db, first)).toBe('PUBLISHED');
    expect(await postStatus(a.db, second)).toBe('PUBLISHED');
    for (const text of ['Broadcast A', 'Broadcast B']) {
      const received = receivedPerChat(text);
      expect(received.size).toBe(chats.length);
      expect([...received.values()].every((count) => count === 1)).toBe(true);
    }
    expect(tooManyRequests()).toBe(0);
    for (const bot of bots) {
      expect(sendsOf(bot).length - (before.get(bot.id) ?? 0)).toBe(2 * 60);
      expect(mostInAnySecond(bot)).toBeLessThanOrEqual(30);
    }
  });

  it('keeps a work item waiting, not failing, while another sender holds rows of its post, and finishes the rest', async () => {
    const [a] = replicas as [Replica, Replica];
    const chats = (await linkChannels(a, bots[0] as EmulatedBot, 3)).map(BigInt);
    const created = await a.handlers.create_post(create(CreatePostRequestSchema, { ownerTelegramId: OWNER, chatIds: chats, content: { text: 'Held elsewhere' }, publishAt: timestampFromDate(new Date(Date.now() + 1_000)) }), ctx);
    const postId = created.post?.postId ?? 0n;
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // Another sender (the request that made the post due, on the other side of a migration) took
    // it and holds two of its rows; it will settle the first one as sent, and the second one's
    // lease will run out (that sender died).
    const heldUntil = new Date(Date.now() + 2_000);
    await a.db.post.update({ where: { id: postId }, data: { status: 'PUBLISHING' } });
    await a.db.postDelivery.updateMany({ where: { postId, chatId: { in: [chats[0] ?? 0n, chats[1] ?? 0n] } }, data: { leaseUntil: heldUntil } });
    const started = Date.now();
    const working = createPublicationWorker(a.deps, { pollMs: 100 })(create(PublicationRequestedSchema, { postId }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await a.db.postDelivery.update({ where: { postId_chatId: { postId, chatId: chats[0] ?? 0n } }, data: { leaseUntil: null, sentAt: new Date(), messageId: 1n } });

    await expect(working).resolves.toBeUndefined();
    expect(Date.now()).toBeGreaterThanOrEqual(heldUntil.getTime()); // it waited for the lease, then sent that row
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await postStatus(a.db, postId)).toBe('PUBLISHED');
    const received = receivedPerChat('Held elsewhere');
    expect([received.get(Number(chats[0])), received.get(Number(chats[1])), received.get(Number(chats[2]))]).toEqual([undefined, 1, 1]);
  });

  it('answers create_post within its deadline while the other replica holds the bot\'s budget, and sends the post once the bot is free', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const bot = bots[2] as EmulatedBot;
    const [chat] = (await linkChannels(a, bot, 1)).map(BigInt);
    const leave = await b.leases.gate(String(bot.id)).enter(); // b sends for the bot (a broadcast of its own)
    const deadline = Date.now() + 3_000;
    const created = await a.handlers.create_post(create(CreatePostRequestSchema, { ownerTelegramId: OWNER, chatIds: [chat ?? 0n], content: { text: 'While the bot is busy' } }), { signal: AbortSignal.timeout(3_000), deadline });
    expect(Date.now()).toBeLessThan(deadline);
    expect(created.post?.status).toBe(PostStatus.PUBLISHING);
    const postId = created.post?.postId ?? 0n;
    // Surely not sent (it never left its queue): the row is free for the next sender at once.
    expect((await a.db.postDelivery.findFirstOrThrow({ where: { postId } })).leaseUntil).toBeNull();
    expect(receivedPerChat('While the bot is busy').size).toBe(0);

    leave();
    await until('the post is published once the bot is free', async () => {
      if ((await postStatus(a.db, postId)) === 'PUBLISHED') return true;
      await a.handlers.publish_due(create(PublishDueRequestSchema, {}), ctx);
      return false;
    }, 30_000);
    expect(receivedPerChat('While the bot is busy').get(Number(chat))).toBe(1);
  });
});

describe('sends under a lease: counted when unrecorded, started in its first half', () => {
  // No work items reach the workers of the tests above: each test here is the only sender of its
  // post. Its events still go out through the production publisher, to a nats-server of their own
  // that no worker reads.
  let unread: DomainBus;
  let noWorkItems: EventPublisher;
  beforeAll(async () => {
    unread = await DomainBus.start('publisher-broadcast-unread');
    noWorkItems = unread.publisher;
  });
  afterAll(() => unread.close());
  /** The main bot's reports of the post that Telegram took. */
  const reportsOf = (postId: bigint): number => telegram.calls((call) => call.ok && call.botId === mainBot.id && String(call.params['text']).startsWith(`Post #${postId.toString()} `)).length;
  const publishDue = (handlers: ReturnType<typeof createPublisherHandlers>, postId: bigint) => handlers.publish_due(create(PublishDueRequestSchema, { postIds: [postId] }), ctx);

  it('counts a report Telegram took whose record was refused; it goes out again only once its lease ran out, then once', async () => {
    const [a] = replicas as [Replica, Replica];
    const counted: string[] = [];
    // recordRetryMs 0: the path after the record's retries gave up (the retry itself: test/services/publisher-record-restart.test.ts).
    const handlers = createPublisherHandlers({ ...a.deps, publisher: noWorkItems, sendLeaseMs: 4_000, recordRetryMs: 0, onUnrecordedSend: (kind) => { counted.push(kind); } });
    const [chat] = (await linkChannels(a, bots[1] as EmulatedBot, 1)).map(BigInt);
    const allowRecord = await refuseRecordOf(a.db, 'posts', 'report_sent_at');
    let postId = 0n;
    try {
      const created = await handlers.create_post(create(CreatePostRequestSchema, { ownerTelegramId: OWNER, chatIds: [chat ?? 0n], content: { text: 'Report not recorded' } }), ctx);
      postId = created.post?.postId ?? 0n;
      expect(created.post?.status).toBe(PostStatus.PUBLISHED);
      expect(reportsOf(postId)).toBe(1);
      expect(counted).toEqual(['report']);
      // Its lease holds: another call does not send it again meanwhile.
      await publishDue(handlers, postId);
      expect(reportsOf(postId)).toBe(1);
    } finally {
      await allowRecord();
    }
    // The lease ran out: the next call sends it again (the double that was counted) and records it.
    await until('the report sent once more after its lease', async () => {
      await publishDue(handlers, postId);
      return reportsOf(postId) === 2;
    }, 30_000);
    expect((await a.db.post.findUniqueOrThrow({ where: { id: postId } })).reportSentAt).not.toBeNull();
    await publishDue(handlers, postId);
    expect(reportsOf(postId)).toBe(2);
    expect(counted).toEqual(['report']);
  });

  it('counts a channel post Telegram took whose record was refused, and leaves its row leased (not sent again meanwhile)', async () => {
    const [a] = replicas as [Replica, Replica];
    const counted: string[] = [];
    const handlers = createPublisherHandlers({ ...a.deps, publisher: noWorkItems, sendLeaseMs: 60_000, recordRetryMs: 0, onUnrecordedSend: (kind) => { counted.push(kind); } });
    const [chat] = (await linkChannels(a, bots[1] as EmulatedBot, 1)).map(BigInt);
    const allowRecord = await refuseRecordOf(a.db, 'published_posts', 'sent_at');
    try {
      const answer = await handlers.create_post(create(CreatePostRequestSchema, { ownerTelegramId: OWNER, chatIds: [chat ?? 0n], content: { text: 'Channel post not recorded' } }), ctx).then((created) => created.post?.status, (error: unknown) => error);
      expect(answer).not.toBe(PostStatus.PUBLISHED);
      expect(receivedPerChat('Channel post not recorded').get(Number(chat))).toBe(1);
      expect(counted).toEqual(['channel']);
      const postId = (await a.db.postDelivery.findFirstOrThrow({ where: { chatId: chat ?? 0n } })).postId;
      await handlers.publish_due(create(PublishDueRequestSchema, { postIds: [postId] }), ctx);
      expect(receivedPerChat('Channel post not recorded').get(Number(chat))).toBe(1);
      expect((await a.db.postDelivery.findFirstOrThrow({ where: { postId, chatId: chat ?? 0n } })).leaseUntil).not.toBeNull();
      // Settled by hand so that no later test's publish_due sends it after its lease.
      await allowRecord();
      await a.db.postDelivery.updateMany({ where: { postId }, data: { leaseUntil: null, sentAt: new Date(), messageId: 1n } });
      await a.db.post.update({ where: { id: postId }, data: { status: 'CANCELLED' } });
    } finally {
      await allowRecord();
    }
  });

  it('gives a report up, its lease freed, when the main bot stays busy past half its lease; sends it once the bot is free', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const handlers = createPublisherHandlers({ ...a.deps, publisher: noWorkItems, sendLeaseMs: 2_000 });
    const [chat] = (await linkChannels(a, bots[1] as EmulatedBot, 1)).map(BigInt);
    const leave = await b.leases.gate(String(mainBot.id)).enter(); // b sends for the main bot meanwhile
    let postId = 0n;
    try {
      const started = Date.now();
      const created = await handlers.create_post(create(CreatePostRequestSchema, { ownerTelegramId: OWNER, chatIds: [chat ?? 0n], content: { text: 'Report while the main bot is busy' } }), ctx);
      // Given up after half its lease (1 s), not when the wait for the bot's budget ran out (a
      // minute, which is how long the unbounded report held its request before).
      expect(Date.now() - started).toBeLessThan(20_000);
      postId = created.post?.postId ?? 0n;
      expect(created.post?.status).toBe(PostStatus.PUBLISHED);
      // Not sent (it never left its queue), so nothing holds it: the next sender may send it at once.
      expect(reportsOf(postId)).toBe(0);
      expect(await a.db.post.findUniqueOrThrow({ where: { id: postId }, select: { reportSentAt: true, reportLeaseUntil: true } })).toEqual({ reportSentAt: null, reportLeaseUntil: null });
    } finally {
      leave();
    }
    await until('the report sent once the main bot is free', async () => {
      await publishDue(handlers, postId);
      return reportsOf(postId) === 1;
    }, 30_000);
    await publishDue(handlers, postId);
    expect(reportsOf(postId)).toBe(1);
  });
});
