/**
 * The broadcaster against Telegram's documented limits, beside the peer a Node user would pick.
 *
 * Telegram is the emulator in a process of its own (broadcast-emulator.ts), enforcing the
 * documented limits (30 messages a second per bot, by arrival, in any window; 1 a second per
 * chat; 20 a minute per group). Each channel gets one message. Two scenarios, each run by both
 * senders against the same emulator, on bots of their own:
 *
 * 1. one bot to N channels (--chats, default 10,000: about 5.5 minutes at 30/s);
 * 2. three bots together to N channels (N/3 each).
 *
 * Nova: the publisher's broadcaster as it runs in the service: a post with one delivery row per
 * channel in PostgreSQL, published by the publication worker (batches claimed under lease,
 * settled one by one), through the real Telegram clients with the bots' send leases in NATS KV
 * (test bed PostgreSQL and nats-server, started here). The peer: grammY 1.46 with
 * @grammyjs/transformer-throttler (its default limits) and @grammyjs/auto-retry, sending the same
 * messages with `bot.api.sendMessage`, all queued at once, as its docs show.
 *
 * Printed per sender and scenario, from the emulator's own record: the sustained rate after the
 * first second (messages that arrived after it, over the time from its end to the last arrival),
 * as a ratio to the documented limit; the most messages of one bot in any second; the 429s
 * Telegram answered; the wall time from the start to the last accepted message against the ideal
 * N / limit; and whether every channel got exactly one message.
 *
 * Usage: node bench/dist/broadcast.js [--chats 10000] [--skip-peer]
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { create } from '@bufbuild/protobuf';
import { connect } from '@nats-io/transport-node';
import { autoRetry } from '@grammyjs/auto-retry';
import { apiThrottler } from '@grammyjs/transformer-throttler';
import { PublicationRequestedSchema } from '@nova/contracts';
import { migrate } from '@nova/db';
import { PUBLISHER_MIGRATIONS_DIR, createPublicationWorker, openPublisherDatabase, type PublisherDatabase } from '@nova/publisher-service/domain';
import { BotSendLeases, ClientChannelTelegram, openSendLeasesBucket } from '@nova/publisher-service/wiring';
import { TELEGRAM_DOCUMENTED_LIMITS, TelegramClients } from '@nova/telegram';
import { createDatabase, startTestbed } from '@nova/testbed';
import { Bot } from 'grammy';
import { Registry } from 'prom-client';
import { channelOf } from './broadcast-chats.js';
import { option, sustainedAfterFirstSecond } from './support.js';

const CHATS = option('chats', 10_000);
const WITH_PEER = !process.argv.includes('--skip-peer');
const PER_BOT = TELEGRAM_DOCUMENTED_LIMITS.perBotPerSecond;
const OWNER = 42n;
const ROOT = resolve(import.meta.dirname, '../..');

interface BenchBot {
  readonly index: number;
  readonly id: number;
  readonly token: string;
}

interface Call {
  readonly botId: number;
  readonly at: number;
  readonly ok: boolean;
  readonly status: number;
  readonly params: Record<string, unknown>;
}

interface Figures {
  readonly sustained: number;
  readonly mostInAnySecond: number;
  readonly tooMany: number;
  readonly wallSeconds: number;
  readonly idealSeconds: number;
  readonly exactlyOnce: boolean;
}

const fmt = (value: number, digits = 2): string => value.toFixed(digits);

/** The emulator in its own process; answers its API root and bots (tokens through a private file). */
async function startEmulator(bots: number, chats: number): Promise<{ apiRoot: string; bots: BenchBot[]; stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'nova-broadcast-'));
  const tokensFile = join(dir, 'tokens.json');
  const child = spawn(resolve(ROOT, 'node_modules/.bin/node'), [resolve(ROOT, 'bench/dist/broadcast-emulator.js'), '--bots', String(bots), '--chats', String(chats), '--tokens-out', tokensFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((done) => child.once('exit', () => { done(); }));
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((done, fail) => {
    lines.once('line', done);
    child.once('exit', (code) => { fail(new Error(`the emulator exited with ${String(code)} before it was ready`)); });
  });
  const { apiRoot } = JSON.parse(first) as { apiRoot: string };
  const made = JSON.parse(await readFile(tokensFile, 'utf8')) as { id: number; token: string }[];
  await rm(dir, { recursive: true, force: true });
  return {
    apiRoot,
    bots: made.map((bot, index) => ({ index, ...bot })),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function sendsOf(apiRoot: string, bot: BenchBot): Promise<Call[]> {
  const response = await fetch(`${apiRoot}/_emulator/calls?botId=${String(bot.id)}&method=sendMessage`);
  return (await response.json()) as Call[];
}

function chatsOf(bot: BenchBot, count: number): number[] {
  return Array.from({ length: count }, (_, n) => channelOf(bot.index, n));
}

async function measure(apiRoot: string, bots: readonly BenchBot[], perBot: number, startedAt: number): Promise<Figures> {
  const calls = (await Promise.all(bots.map((bot) => sendsOf(apiRoot, bot)))).flat();
  const accepted = calls.filter((call) => call.ok).sort((a, b) => a.at - b.at);
  const last = accepted[accepted.length - 1]?.at ?? 0;
  const limit = PER_BOT * bots.length;
  let most = 0;
  for (const bot of bots) {
    const arrivals = accepted.filter((call) => call.botId === bot.id).map((call) => call.at);
    let from = 0;
    for (let to = 0; to < arrivals.length; to++) {
      while ((arrivals[to] ?? 0) - (arrivals[from] ?? 0) >= 1_000) from++;
      most = Math.max(most, to - from + 1);
    }
  }
  const perChat = new Map<string, number>();
  for (const call of accepted) perChat.set(`${String(call.botId)}:${String(call.params['chat_id'])}`, (perChat.get(`${String(call.botId)}:${String(call.params['chat_id'])}`) ?? 0) + 1);
  return {
    sustained: sustainedAfterFirstSecond(accepted.map((call) => call.at)),
    mostInAnySecond: most,
    tooMany: calls.filter((call) => call.status === 429).length,
    wallSeconds: (last - startedAt) / 1000,
    idealSeconds: (perBot * bots.length) / limit,
    exactlyOnce: perChat.size === perBot * bots.length && [...perChat.values()].every((count) => count === 1),
  };
}

function report(name: string, bots: number, figures: Figures): void {
  const limit = PER_BOT * bots;
  console.log(
    `  ${name.padEnd(34)} ${fmt(figures.sustained, 1).padStart(5)} msg/s = ${fmt(figures.sustained / limit)}× the limit (${String(limit)}/s); ` +
      `most of one bot in any 1 s: ${String(figures.mostInAnySecond)}; 429s: ${String(figures.tooMany)}; ` +
      `wall ${fmt(figures.wallSeconds, 1)} s = ${fmt(figures.wallSeconds / figures.idealSeconds)}× ideal (${fmt(figures.idealSeconds, 1)} s); ` +
      `each channel once: ${figures.exactlyOnce ? 'yes' : 'NO'}`,
  );
}

/** Nova's publisher broadcasting one post to every bot's channels (one post per bot's owner is the same as one post through many bots). */
async function novaBroadcast(db: PublisherDatabase, nc: Awaited<ReturnType<typeof connect>>, apiRoot: string, bots: readonly BenchBot[], perBot: number): Promise<number> {
  const tokens = new Map(bots.map((bot) => [BigInt(bot.id), bot.token]));
  const leases = new BotSendLeases(await openSendLeasesBucket(nc), { holder: `bench-${randomUUID().slice(0, 8)}` });
  const clients = new TelegramClients({ apiRoot, registry: new Registry(), gateFor: (botId) => leases.gate(botId) });
  const now = new Date();
  for (const bot of bots) {
    await db.$executeRaw`
      INSERT INTO publisher_service.channels (chat_id, bot_id, owner_telegram_id, title, kind, linked_at)
      SELECT ${channelOf(bot.index, 0)}::bigint - n, ${bot.id}, ${OWNER}, 'Bench ' || n, 'CHANNEL', ${now}
        FROM generate_series(0, ${perBot - 1}) AS n`;
  }
  const post = await db.post.create({ data: { ownerTelegramId: OWNER, text: 'Broadcast', entities: [], buttons: [], publishAt: now, status: 'SCHEDULED', createdAt: now, updatedAt: now } });
  for (const bot of bots) {
    await db.$executeRaw`
      INSERT INTO publisher_service.published_posts (post_id, chat_id, position)
      SELECT ${post.id}, ${channelOf(bot.index, 0)}::bigint - n, ${bot.index * perBot} + n FROM generate_series(0, ${perBot - 1}) AS n`;
  }
  const publish = createPublicationWorker({
    db,
    publisher: { publish: () => Promise.resolve() },
    telegram: new ClientChannelTelegram(clients, { tokenFor: (botId) => Promise.resolve(tokens.get(botId)) }),
    notifier: { sendReport: () => Promise.resolve() },
    locales: { localeOf: () => Promise.resolve('en' as const) },
    bots: { ownerOf: () => Promise.resolve(OWNER) },
    entitlement: { hasPostingSubscription: () => Promise.resolve(true) },
    sendLeaseMs: 60_000,
  });
  const startedAt = Date.now();
  await publish(create(PublicationRequestedSchema, { postId: post.id }));
  const status = (await db.post.findUniqueOrThrow({ where: { id: post.id } })).status;
  if (status !== 'PUBLISHED') throw new Error(`the broadcast ended ${status}`);
  await clients.idle();
  clients.close();
  await leases.close();
  return startedAt;
}

/** grammY with its throttler and auto-retry, every message queued at once. */
async function grammyBroadcast(apiRoot: string, bots: readonly BenchBot[], perBot: number): Promise<number> {
  const startedAt = Date.now();
  await Promise.all(bots.map(async (bench) => {
    // bot.api needs no getMe (bot.init): a broadcast script sends without polling for updates.
    const bot = new Bot(bench.token, { client: { apiRoot } });
    bot.api.config.use(apiThrottler());
    bot.api.config.use(autoRetry());
    await Promise.all(chatsOf(bench, perBot).map((chat) => bot.api.sendMessage(chat, 'Broadcast')));
  }));
  return startedAt;
}

console.log(`broadcast benchmark: ${String(cpus().length)} cores (${cpus()[0]?.model.trim() ?? '?'}), ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}, load ${loadavg().map((n) => fmt(n, 1)).join(' ')}`);
console.log(`  emulator in its own process enforcing Telegram's documented limits (${String(PER_BOT)}/s per bot in any window, by arrival); ${String(CHATS)} channels per scenario, one message each`);
const bed = await startTestbed({ components: ['nats', 'postgres'] });
const { nats, postgres } = bed.info;
if (nats === undefined || postgres === undefined) throw new Error('the test bed started without NATS or PostgreSQL');
const emulator = await startEmulator(8, CHATS);
const nc = await connect({ servers: nats.url });
try {
  const databaseUrl = await createDatabase(postgres.url, `bench_broadcast_${randomBytes(3).toString('hex')}`);
  await migrate({ connectionString: databaseUrl, schema: 'publisher_service', migrationsDir: PUBLISHER_MIGRATIONS_DIR });
  const db = openPublisherDatabase({ connectionString: databaseUrl, maxConnections: 10 });
  const [nova1, peer1, nova3a, nova3b, nova3c, peer3a, peer3b, peer3c] = emulator.bots as [BenchBot, BenchBot, BenchBot, BenchBot, BenchBot, BenchBot, BenchBot, BenchBot];
  const third = Math.floor(CHATS / 3);
  console.log(`one bot to ${String(CHATS)} channels:`);
  report('nova (publisher broadcaster)', 1, await measure(emulator.apiRoot, [nova1], CHATS, await novaBroadcast(db, nc, emulator.apiRoot, [nova1], CHATS)));
  if (WITH_PEER) report('grammY + throttler + auto-retry', 1, await measure(emulator.apiRoot, [peer1], CHATS, await grammyBroadcast(emulator.apiRoot, [peer1], CHATS)));
  console.log(`three bots together to ${String(3 * third)} channels (${String(third)} each):`);
  report('nova (publisher broadcaster)', 3, await measure(emulator.apiRoot, [nova3a, nova3b, nova3c], third, await novaBroadcast(db, nc, emulator.apiRoot, [nova3a, nova3b, nova3c], third)));
  if (WITH_PEER) report('grammY + throttler + auto-retry', 3, await measure(emulator.apiRoot, [peer3a, peer3b, peer3c], third, await grammyBroadcast(emulator.apiRoot, [peer3a, peer3b, peer3c], third)));
  await db.$disconnect();
} finally {
  await nc.close();
  await emulator.stop();
  await bed.stop();
}
