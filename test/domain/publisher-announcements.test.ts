/**
 * Announcements on real parts: PostgreSQL (a database of its own) and the Telegram emulator with
 * Telegram's limits, through the real Telegram clients and the main bot's sender. The recipients
 * come from a stand-in for the users context (svc.user.list_recipients is tested in
 * user-service.test.ts, and through the real processes in test/services/announcements.test.ts)
 * that answers in small pages, with each recipient's language, and can fail mid-listing. Events go out through
 * the production busEventPublisher, on a nats-server of the file's own (support/domain-bus.ts):
 *
 * - a worker that fails while listing (the users context gone) leaves the pages it listed and its
 *   cursor; two workers then take the same announcement at once (a redelivery beside a replica
 *   still at it): each user gets it exactly once, no 429, the one who blocked the bot counted;
 * - announce stores one announcement and one work item per idempotency key, even when the same
 *   key comes twice at once, and the stream holds that work item's event once.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { AnnounceRequestSchema, AnnouncementRequestedSchema, AnnouncementStatus, GetAnnouncementStatusRequestSchema } from '@nova/contracts';
import { migrate } from '@nova/db';
import { UnavailableError } from '@nova/domain';
import {
  PUBLISHER_MIGRATIONS_DIR,
  announcementWorker,
  createPublisherHandlers,
  openPublisherDatabase,
  type AnnouncementRecipients,
  type PublisherDatabase,
} from '@nova/publisher-service/domain';
import { MainBotNotifier } from '@nova/publisher-service/wiring';
import { TelegramClients } from '@nova/telegram';
import { TelegramEmulator, type EmulatedBot } from '@nova/telegram-emulator';
import { Registry } from 'prom-client';
import { until } from '../bus/support/nats.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { DomainBus } from './support/domain-bus.js';

jest.setTimeout(120_000);

const ctx = {};
const USERS = Array.from({ length: 70 }, (_, i) => BigInt(90_001 + i));
const BLOCKED_THE_BOT = USERS[30] ?? 0n;
let database: TestDatabase;
let db: PublisherDatabase;
let telegram: TelegramEmulator;
let mainBot: EmulatedBot;
let clients: TelegramClients;
let domainBus: DomainBus;

/** Every third user reads Russian (as the users context would list them); the others English. */
const localeOf = (id: bigint) => (id % 3n === 0n ? 'ru' as const : 'en' as const);

/** The users context as the worker sees it: pages of 25 by id, each with their language; `failAfter` pages answered, then unreachable once. */
function recipients(failAfter = Infinity): AnnouncementRecipients {
  let answered = 0;
  let failed = false;
  return {
    page(after) {
      if (answered >= failAfter && !failed) {
        failed = true;
        return Promise.reject(new UnavailableError('the users context did not answer', {}));
      }
      answered++;
      const ids = USERS.filter((id) => id > after).slice(0, 25);
      return Promise.resolve({ recipients: ids.map((telegramId) => ({ telegramId, locale: localeOf(telegramId) })), done: ids.length < 25 });
    },
  };
}

function worker(source: AnnouncementRecipients) {
  return announcementWorker({ db, publisher: domainBus.publisher, telegram: new MainBotNotifier(clients, mainBot.token), recipients: source, clock: () => new Date(), sendLeaseMs: 30_000 }, { pollMs: 50 });
}

beforeAll(async () => {
  domainBus = await DomainBus.start('publisher-announcements');
  database = await createTestDatabase('nova_publisher_announce');
  await migrate({ connectionString: database.url, schema: 'publisher_service', migrationsDir: PUBLISHER_MIGRATIONS_DIR });
  db = openPublisherDatabase({ connectionString: database.url, maxConnections: 8 });
  telegram = await TelegramEmulator.start();
  mainBot = telegram.createBot({ username: 'NovaMainBot', firstName: 'Nova' });
  // Everyone started the main bot (Telegram lets it write to them); one blocked it since.
  for (const id of USERS) telegram.userSends(mainBot.token, { from: { id: Number(id), first_name: `User ${id.toString()}` }, text: '/start' });
  telegram.userBlocksBot(mainBot.id, Number(BLOCKED_THE_BOT));
  clients = new TelegramClients({ apiRoot: telegram.apiRoot, registry: new Registry() });
});

afterAll(async () => {
  clients.close();
  await db.$disconnect();
  await telegram.stop();
  await database.drop();
  await domainBus.close();
});

function handlers() {
  return createPublisherHandlers({
    db, publisher: domainBus.publisher, clock: () => new Date(),
    telegram: { getChat: () => Promise.reject(new Error('unused')), getBotMembership: () => Promise.reject(new Error('unused')), sendPost: () => Promise.reject(new Error('unused')) },
    notifier: { sendReport: () => Promise.resolve() },
    locales: { localeOf: () => Promise.resolve('en' as const) },
    bots: { ownerOf: () => Promise.resolve(undefined) },
    entitlement: { hasPostingSubscription: () => Promise.resolve(false) },
  });
}

describe('an announcement\'s work item', () => {
  it('resumes a listing that failed half way, and two workers at once send each user exactly once', async () => {
    const text = 'Two workers, one message each.';
    const { announcement } = await handlers().announce(create(AnnounceRequestSchema, { text, adminTelegramId: 1n, idempotencyKey: 'workers' }), ctx);
    const id = announcement?.id ?? 0n;
    const item = create(AnnouncementRequestedSchema, { announcementId: id });
    await expect(worker(recipients(2))(item)).rejects.toBeInstanceOf(UnavailableError);
    const halfway = await db.announcement.findUniqueOrThrow({ where: { id } });
    expect(halfway).toMatchObject({ status: 'PREPARING', listedThrough: USERS[49] });
    expect(await db.announcementDelivery.count({ where: { announcementId: id } })).toBe(50);

    await Promise.all([worker(recipients())(item), worker(recipients())(item)]);
    const perChat = new Map<number, number>();
    for (const call of telegram.calls((c) => c.ok && c.method === 'sendMessage' && c.params['text'] === text)) {
      perChat.set(Number(call.params['chat_id']), (perChat.get(Number(call.params['chat_id'])) ?? 0) + 1);
    }
    expect([...perChat.keys()].sort()).toEqual(USERS.filter((u) => u !== BLOCKED_THE_BOT).map(Number).sort());
    expect([...perChat.values()].every((n) => n === 1)).toBe(true);
    expect(telegram.calls((c) => c.status === 429)).toEqual([]);
    const status = await handlers().announcement_status(create(GetAnnouncementStatusRequestSchema, { announcementId: id }), ctx);
    expect(status.announcement).toMatchObject({ status: AnnouncementStatus.DONE, recipients: 70n, sent: 69n, blockedByUser: 1n, failed: 0n, remaining: 0n });
  });

  it("sends each recipient the version in their language, the text to those it has none for, each once", async () => {
    const text = 'Maintenance tonight.';
    const russian = 'Плановые работы сегодня ночью.';
    const { announcement } = await handlers().announce(create(AnnounceRequestSchema, { text, translations: { ru: russian }, adminTelegramId: 1n, idempotencyKey: 'languages' }), ctx);
    await worker(recipients())(create(AnnouncementRequestedSchema, { announcementId: announcement?.id ?? 0n }));
    const got = (version: string) => telegram.calls((c) => c.ok && c.method === 'sendMessage' && c.params['text'] === version).map((c) => BigInt(Number(c.params['chat_id']))).sort();
    const reached = USERS.filter((u) => u !== BLOCKED_THE_BOT);
    expect(got(russian)).toEqual(reached.filter((u) => localeOf(u) === 'ru'));
    expect(got(text)).toEqual(reached.filter((u) => localeOf(u) === 'en'));
    const stored = await db.announcementDelivery.findMany({ where: { announcementId: announcement?.id ?? 0n }, select: { chatId: true, locale: true } });
    expect(stored.every((row) => row.locale === localeOf(row.chatId))).toBe(true);
  });

  it('is stored once per idempotency key, even when the key comes twice at once', async () => {
    const request = create(AnnounceRequestSchema, { text: 'Once.', adminTelegramId: 1n, idempotencyKey: 'twice-at-once' });
    const [a, b] = await Promise.all([handlers().announce(request, ctx), handlers().announce(request, ctx)]);
    expect(a.announcement?.id).toBe(b.announcement?.id);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(await db.announcement.count({ where: { idempotencyKey: 'twice-at-once' } })).toBe(1);
    const msgId = `nova.publisher.announcement_requested:${(a.announcement?.id ?? 0n).toString()}`;
    expect(await db.outboxEvent.count({ where: { msgId } })).toBe(1);
    const inStream = async () => (await domainBus.stored()).filter((event) => event.msgId === msgId).length;
    await until('the work item\'s event is in the stream', async () => (await inStream()) > 0, 10_000);
    expect(await inStream()).toBe(1);
  });
});
