/**
 * An admin's announcement through the real processes: the gateway, the user and bot services and
 * the publisher service on their own nats-server and database, Telegram played by the emulator
 * with its limits (30 messages a second per bot, 429 beyond). Fifty people start the main bot; one
 * of them blocks it in Telegram (403), one is blocked by an admin. The announcement goes to every
 * other user exactly once, through the main bot, without a 429; its progress ends at the counts
 * Telegram's answers say; the same idempotency key again creates and sends nothing.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { connectJetStreamBus, type NovaBus } from '@nova/bus';
import { AnnouncementStatus, ErrorCode, type Announcement } from '@nova/contracts';
import type { UserSpec } from '@nova/telegram-emulator';
import { memoryLogger, testMetrics } from '../bus/support/nats.js';
import { say } from './support/script.js';
import { expectNoSecretsInLogs, secretsOfRun } from './support/secrets.js';
import type { RunningService } from './support/services.js';
import { eventually, until } from './support/until.js';
import { World, type Fleet } from './support/world.js';

jest.setTimeout(300_000);

const N = 50;
const PEOPLE: readonly UserSpec[] = Array.from({ length: N }, (_, i) => ({ id: 81_000 + i, first_name: `Person ${String(i)}` }));
const [BLOCKED_THE_BOT, BLOCKED_BY_ADMIN] = [PEOPLE[7] ?? PEOPLE[0], PEOPLE[11] ?? PEOPLE[1]] as [UserSpec, UserSpec];
const ADMIN = 70_001n;
const TEXT = 'Nova will be down for maintenance tonight, 02:00–02:30 UTC.';

let world: World;
let fleet: Fleet;
let publisherService: RunningService;
let bus: NovaBus;

beforeAll(async () => {
  world = await World.create('svc_announce');
  fleet = await world.startFleet();
  publisherService = await world.start('publisher-service', {
    NOVA_NATS_URL: world.nats.url,
    NOVA_DATABASE_URL: world.databaseUrl,
    NOVA_TOKEN_ENCRYPTION_KEY: world.secrets.encryptionKey,
    NOVA_MAIN_BOT_TOKEN: world.secrets.mainBotToken,
    NOVA_TELEGRAM_API_ROOT: world.emulator.apiRoot,
  });
  bus = await connectJetStreamBus({ servers: [world.nats.url], name: 'announce-test', metrics: testMetrics(), logger: memoryLogger('announce-test').logger });
  // Everyone starts the main bot (the bot service registers them with the users context).
  await Promise.all(PEOPLE.map((person) => say(world.emulator, world.mainBot, person, '/start')));
  await until(`${String(N)} users registered`, async () => (await bus.request('svc.user.stats', {})).totalUsers === BigInt(N));
  world.emulator.userBlocksBot(world.mainBot.id, BLOCKED_THE_BOT.id);
  await bus.request('svc.user.set_blocked', { telegramId: BigInt(BLOCKED_BY_ADMIN.id), blocked: true, reason: 'spam' }, { routingKey: BLOCKED_BY_ADMIN.id });
});

afterAll(async () => {
  await bus.close();
  await world.close();
});

/** The main bot's calls that carried the announcement. */
function announcementCalls() {
  return world.emulator.calls((call) => call.botId === world.mainBot.id && call.method === 'sendMessage' && call.params['text'] === TEXT);
}

describe('an announcement from the main bot to every user', () => {
  let first: Announcement;

  it('reaches every user once, counts the one who blocked the bot, skips the one an admin blocked, and reports its progress to the end', async () => {
    const answer = await bus.request('svc.publisher.announce', { text: TEXT, adminTelegramId: ADMIN, idempotencyKey: 'form-1' }, { routingKey: ADMIN });
    expect(answer.created).toBe(true);
    if (answer.announcement === undefined) throw new Error('announce answered no announcement');
    first = answer.announcement;
    expect(first).toMatchObject({ text: TEXT, adminTelegramId: ADMIN });
    const seen: Announcement[] = [];
    const done = await eventually('the announcement done', async () => {
      const { announcement } = await bus.request('svc.publisher.announcement_status', { announcementId: first.id });
      if (announcement !== undefined) seen.push(announcement);
      return announcement?.status === AnnouncementStatus.DONE ? announcement : undefined;
    }, 120_000, 100);
    expect(done).toMatchObject({ recipients: BigInt(N - 1), sent: BigInt(N - 2), blockedByUser: 1n, failed: 0n, remaining: 0n, ratePerSecond: 0 });
    expect(done.finishedAt).toBeDefined();
    // Progress only grows, and every answer adds up.
    seen.reduce((previous, next) => {
      expect(next.sent).toBeGreaterThanOrEqual(previous.sent);
      return next;
    });
    for (const s of seen) expect(s.sent + s.blockedByUser + s.failed + s.remaining).toBe(s.recipients);

    for (const person of PEOPLE) {
      const got = world.emulator.messagesTo(person.id, { botId: world.mainBot.id }).filter((message) => message.text === TEXT);
      expect({ person: person.id, got: got.length }).toEqual({ person: person.id, got: person === BLOCKED_THE_BOT || person === BLOCKED_BY_ADMIN ? 0 : 1 });
    }
    const calls = announcementCalls();
    expect(calls.filter((call) => call.status === 429)).toEqual([]);
    expect(calls.filter((call) => !call.ok).map((call) => [Number(call.params['chat_id']), call.errorCode, call.description])).toEqual([[BLOCKED_THE_BOT.id, 403, 'Forbidden: bot was blocked by the user']]);
    expect(calls.some((call) => Number(call.params['chat_id']) === BLOCKED_BY_ADMIN.id)).toBe(false);
  });

  it('creates and sends nothing when the same form comes again (same idempotency key)', async () => {
    const before = announcementCalls().length;
    const again = await bus.request('svc.publisher.announce', { text: TEXT, adminTelegramId: ADMIN, idempotencyKey: 'form-1' }, { routingKey: ADMIN });
    expect(again.created).toBe(false);
    expect(again.announcement).toMatchObject({ id: first.id, status: AnnouncementStatus.DONE, sent: BigInt(N - 2) });
    const listed = await bus.request('svc.publisher.list_announcements', {});
    expect(listed.announcements.map((a) => a.id)).toEqual([first.id]);
    expect(announcementCalls()).toHaveLength(before);
  });

  it('refuses an empty or too long text with its typed error and stores nothing; no log holds a secret', async () => {
    const refused = (text: string) => bus.request('svc.publisher.announce', { text, adminTelegramId: ADMIN, idempotencyKey: `bad-${String(text.length)}` }, { routingKey: ADMIN }).then(() => undefined, (error: unknown) => error);
    expect(await refused('   ')).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT, details: { field: 'text' } });
    expect(await refused('x'.repeat(4097))).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT, message: expect.stringContaining('at most 4096') });
    expect((await bus.request('svc.publisher.list_announcements', {})).announcements).toHaveLength(1);
    expectNoSecretsInLogs([fleet.gateway, fleet.users, fleet.bots, publisherService], secretsOfRun(world.secrets, []));
  });
});
