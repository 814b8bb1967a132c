/**
 * Issue 21: a channel post Telegram accepted while PostgreSQL restarts. The publisher context
 * (in this process: its handlers on a real PostgreSQL of this file's own, a nats-server of its own
 * for the bots' send leases, the Telegram emulator, since the real Telegram cannot be reached from
 * here) sends a post; Telegram does it and answers only 5 s later (the emulator's `answerDelayMs`),
 * and meanwhile the test stops PostgreSQL (fast shutdown: every session ended, as a pod restarted
 * or a failover). The "sent" record then fails. Before the change the row stayed leased and
 * unsettled, and whoever took it after the lease posted it again (Telegram has no idempotency
 * key); now the record is retried while the row's lease is still this sender's (ports.ts,
 * recordDeadline), so once the database is back the post is recorded sent, once, and nothing
 * is left to send again.
 *
 * The database is this file's own (the test bed's PostgresServer on a stack of its own): the test
 * bed's shared one serves every other file running meanwhile and is never restarted.
 */
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { connectJetStreamBus } from '@nova/bus';
import { CreatePostRequestSchema, GrantPostingRequestSchema, LinkChannelRequestSchema, PostStatus, PublishDueRequestSchema } from '@nova/contracts';
import { migrate } from '@nova/db';
import { createPublisherHandlers, GrantTableEntitlement, openPublisherDatabase, PUBLISHER_MIGRATIONS_DIR, type PublisherDatabase, type UnrecordedKind } from '@nova/publisher-service/domain';
import { BotSendLeases, ClientChannelTelegram, MainBotNotifier, openSendLeasesBucket } from '@nova/publisher-service/wiring';
import { TelegramClients } from '@nova/telegram';
import { TelegramEmulator, type EmulatedBot } from '@nova/telegram-emulator';
import { createDatabase, PostgresServer, Stack } from '@nova/testbed';
import { busEventPublisher } from '@nova/wiring';
import { Registry } from 'prom-client';
import { memoryLogger, startPrivateNats, testMetrics, until, type PrivateNats } from '../bus/support/nats.js';

jest.setTimeout(120_000);

const OWNER = 7_101n;
const CHANNEL = -1_003_100_000_001;
const TEXT = 'Posted while the database restarts';
const ctx = {};

let stack: Stack;
let postgres: PostgresServer;
let nats: PrivateNats;
let telegram: TelegramEmulator;
let channelBot: EmulatedBot;
let bus: Awaited<ReturnType<typeof connectJetStreamBus>>;
let leases: BotSendLeases;
let clients: TelegramClients;
let db: PublisherDatabase;
const retried: UnrecordedKind[] = [];
const unrecorded: UnrecordedKind[] = [];
let handlers: ReturnType<typeof createPublisherHandlers>;

beforeAll(async () => {
  stack = Stack.create();
  postgres = await PostgresServer.start(stack);
  nats = await startPrivateNats();
  const databaseUrl = await createDatabase(postgres.info.url, 'nova_publisher_restart');
  await migrate({ connectionString: databaseUrl, schema: 'publisher_service', migrationsDir: PUBLISHER_MIGRATIONS_DIR });
  telegram = await TelegramEmulator.start();
  const mainBot = telegram.createBot({ username: 'NovaMainBot' });
  telegram.addChat(mainBot.id, { id: Number(OWNER), type: 'private', first_name: 'Olga' });
  channelBot = telegram.createBot({ username: 'restart_channel_bot' });
  telegram.joinChat(channelBot.id, { id: CHANNEL, type: 'channel', title: 'Restart channel' }, { status: 'administrator', canPostMessages: true });
  bus = await connectJetStreamBus({ servers: [nats.info.url], name: 'publisher-restart', metrics: testMetrics(), logger: memoryLogger('publisher-restart').logger });
  leases = new BotSendLeases(await openSendLeasesBucket(bus.transport.nc), { holder: 'publisher-restart' });
  clients = new TelegramClients({ apiRoot: telegram.apiRoot, registry: new Registry(), gateFor: (botId) => leases.gate(botId) });
  db = openPublisherDatabase({ connectionString: databaseUrl, maxConnections: 4 });
  handlers = createPublisherHandlers({
    db,
    publisher: busEventPublisher(bus),
    telegram: new ClientChannelTelegram(clients, { tokenFor: (botId) => Promise.resolve(botId === BigInt(channelBot.id) ? channelBot.token : undefined) }),
    notifier: new MainBotNotifier(clients, mainBot.token),
    locales: { localeOf: () => Promise.resolve('en' as const) },
    bots: { ownerOf: (botId) => Promise.resolve(botId === BigInt(channelBot.id) ? OWNER : undefined) },
    entitlement: new GrantTableEntitlement(db),
    // The production default lease (60 s): the record is retried up to 30 s, within it.
    sendLeaseMs: 60_000,
    onRecordRetry: (kind) => { retried.push(kind); },
    onUnrecordedSend: (kind) => { unrecorded.push(kind); },
  });
  await handlers.grant_posting(create(GrantPostingRequestSchema, { telegramId: OWNER, grantedBy: 1n, until: timestampFromDate(new Date(Date.now() + 86_400_000)) }), ctx);
  await handlers.link_channel(create(LinkChannelRequestSchema, { ownerTelegramId: OWNER, botId: BigInt(channelBot.id), chatId: BigInt(CHANNEL) }), ctx);
});

afterAll(async () => {
  await clients.idle();
  clients.close();
  await leases.close();
  await bus.close();
  await db.$disconnect();
  await telegram.stop();
  await nats.stop();
  await stack.stop();
});

function postsInChannel(): number {
  return telegram.calls((call) => call.ok && call.method === 'sendMessage' && call.botId === channelBot.id && call.params['text'] === TEXT).length;
}

it('records a channel post Telegram accepted while PostgreSQL restarted, once the database is back: posted once, nothing left to post again', async () => {
  // Telegram does the post at once and answers 5 s later: the database is stopped in between.
  telegram.injectFault(channelBot.id, { answerDelayMs: 5_000, times: 1, methods: ['sendMessage'] });
  const answer = handlers.create_post(create(CreatePostRequestSchema, { ownerTelegramId: OWNER, chatIds: [BigInt(CHANNEL)], content: { text: TEXT } }), ctx);
  answer.catch(() => undefined);
  await until('Telegram did the post', () => postsInChannel() === 1, 30_000);
  await postgres.stop();
  // The answer came and the "sent" record failed on the stopped database: a retry is under way
  // (before the change: given up at once, counted as unrecorded).
  await until('the sent record failed', () => retried.includes('channel') || unrecorded.includes('channel'), 30_000);
  await postgres.start();

  const created = await answer;
  expect(created.post?.status).toBe(PostStatus.PUBLISHED);
  expect(postsInChannel()).toBe(1);
  expect(unrecorded).toEqual([]);
  const postId = created.post?.postId ?? 0n;
  const delivery = await db.postDelivery.findFirstOrThrow({ where: { postId, chatId: BigInt(CHANNEL) } });
  // Settled: no later run (publish_due, another replica, a redelivered work item) can claim it again.
  expect(delivery.sentAt).not.toBeNull();
  expect(delivery.leaseUntil).toBeNull();
  await handlers.publish_due(create(PublishDueRequestSchema, { postIds: [postId] }), ctx);
  expect(postsInChannel()).toBe(1);
});
