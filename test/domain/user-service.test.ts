/**
 * The users context against the test bed's real PostgreSQL (its own database) and a real JetStream
 * (events through the production busEventPublisher, on a nats-server of the file's own):
 * migrations through @nova/db, every handler's behaviour and errors, registration exactly once
 * under repeated and concurrent calls, and events that survive a JetStream outage through the
 * outbox.
 */
import { waitFor } from '@nova/testbed';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import {
  ErrorCode,
  GetUserRequestSchema,
  ListRecipientsRequestSchema,
  SetUserBlockedRequestSchema,
  SetUserLanguageRequestSchema,
  UpsertUserRequestSchema,
  UserStatsRequestSchema,
  type UpsertUserRequest,
} from '@nova/contracts';
import { migrate, migrationChecksum } from '@nova/db';
import { InvalidArgumentError, NotFoundError, OutboxPublishError, type EventPublisher } from '@nova/domain';
import {
  USER_MIGRATIONS_DIR,
  createUserHandlers,
  flushUserOutbox,
  openUserDatabase,
  pruneUserHistory,
  type UserDatabase,
} from '@nova/user-service/domain';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { DomainBus } from './support/domain-bus.js';
import { migrationNames } from './support/migrations.js';
import { outboxPublished } from './support/outbox.js';

const ctx = {};
const MAIN_BOT = 5_000_000_001n;
let database: TestDatabase;
let db: UserDatabase;
let domainBus: DomainBus;
let publisher: EventPublisher;
/** The msgId of every event this file's handlers published, in order (beforeAll's recording publisher). */
const publishedMsgIds: string[] = [];
let now = new Date('2026-11-25T12:00:00.000Z');
const clock = (): Date => now;
let handlers: ReturnType<typeof createUserHandlers>;

function upsertRequest(telegramId: bigint, init: Partial<Omit<UpsertUserRequest, '$typeName'>> = {}): UpsertUserRequest {
  return create(UpsertUserRequestSchema, { telegramId, firstName: 'Анна', botId: MAIN_BOT, ...init });
}

async function counts(): Promise<{ users: number; effects: number; outbox: number }> {
  const result = await database.query<{ users: number; effects: number; outbox: number }>(
    `SELECT (SELECT count(*) FROM user_service.users)::int AS users,
            (SELECT count(*) FROM user_service.processed_effects)::int AS effects,
            (SELECT count(*) FROM user_service.outbox_events)::int AS outbox`,
  );
  const row = result.rows[0];
  if (row === undefined) throw new Error('no counts');
  return row;
}

/** The user's nova.user.registered events on the bus, once the background publish is done (upsert-user.ts). */
async function registeredEventsFor(telegramId: bigint): Promise<number> {
  await outboxPublished(database, 'user_service');
  return (await domainBus.stored()).filter((event) => event.subject === 'nova.user.registered' && event.msgId === `nova.user.registered:${telegramId}`).length;
}

beforeAll(async () => {
  database = await createTestDatabase('nova_users');
  domainBus = await DomainBus.start('user-service-test');
  // Every publish of every handler set in this file is recorded (its msgId), so a test can count a
  // row's publishes whichever handler set's background flush took it.
  const bus = domainBus.publisher;
  publisher = { publish: (subject, message, options) => { publishedMsgIds.push(options.msgId); return bus.publish(subject, message, options); } };
  await migrate({ connectionString: database.url, schema: 'user_service', migrationsDir: USER_MIGRATIONS_DIR });
  db = openUserDatabase({ connectionString: database.url, maxConnections: 8 });
  handlers = createUserHandlers({ db, publisher, clock });
});

afterAll(async () => {
  await db.$disconnect();
  await domainBus.close();
  await database.drop();
});

describe('migrations', () => {
  it('apply through the runner into user_service and are recorded in its _prisma_migrations', async () => {
    const history = await database.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM user_service._prisma_migrations ORDER BY migration_name',
    );
    const names = migrationNames(USER_MIGRATIONS_DIR);
    expect(history.rows.map((row) => row.migration_name)).toEqual(names);
    for (const row of history.rows) {
      const sql = readFileSync(join(USER_MIGRATIONS_DIR, row.migration_name, 'migration.sql'), 'utf8');
      expect(row.checksum).toBe(migrationChecksum(sql));
      expect(row.finished_at).toBeInstanceOf(Date);
    }
    const tables = await database.query<{ name: string }>(
      `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
        WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    );
    expect(tables.rows.map((row) => row.name)).toEqual([
      'user_service._prisma_migrations',
      'user_service.outbox_events',
      'user_service.processed_effects',
      'user_service.users',
    ]);
    const again = await migrate({ connectionString: database.url, schema: 'user_service', migrationsDir: USER_MIGRATIONS_DIR });
    expect(again).toMatchObject({ applied: [], alreadyApplied: names });
  });
});

describe('get', () => {
  it('is NOT_FOUND for a user never seen, naming the id in details', async () => {
    const attempt = handlers.get(create(GetUserRequestSchema, { telegramId: 404n }), ctx);
    await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
    await expect(attempt).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND, details: { telegram_id: '404' } });
  });

  it('refuses an id that is not a Telegram user id', async () => {
    for (const telegramId of [0n, -1n, 2n ** 60n]) {
      await expect(handlers.get(create(GetUserRequestSchema, { telegramId }), ctx)).rejects.toMatchObject({
        code: ErrorCode.INVALID_ARGUMENT,
        details: { field: 'telegram_id' },
      });
    }
  });
});

describe('upsert', () => {
  it('registers on first sight, publishes nova.user.registered, and get returns the user', async () => {
    now = new Date('2026-11-25T12:00:00.000Z');
    const response = await handlers.upsert(
      upsertRequest(1001n, { lastName: 'Иванова', username: 'anna_i', languageCode: 'ru', effectKey: `${MAIN_BOT}:1` }),
      ctx,
    );
    expect(response.created).toBe(true);
    expect(response.user).toMatchObject({ telegramId: 1001n, firstName: 'Анна', lastName: 'Иванова', username: 'anna_i', languageCode: 'ru' });
    expect(response.user?.createdAt && timestampDate(response.user.createdAt).toISOString()).toBe(now.toISOString());

    const fetched = await handlers.get(create(GetUserRequestSchema, { telegramId: 1001n }), ctx);
    expect(fetched.user).toEqual(response.user);

    // Answered after the commit; the event follows from the outbox.
    await outboxPublished(database, 'user_service');
    const registered = (await domainBus.stored()).filter((event) => event.msgId === 'nova.user.registered:1001');
    expect(registered).toHaveLength(1);
    expect(registered[0]?.message).toMatchObject({ user: { telegramId: 1001n, firstName: 'Анна' }, botId: MAIN_BOT });
    expect(await flushUserOutbox(db, publisher)).toBe(0);
  });

  it('on a later sighting refreshes names and last_seen_at, keeps created_at, and publishes nothing', async () => {
    now = new Date('2026-11-25T13:00:00.000Z');
    const response = await handlers.upsert(upsertRequest(1001n, { firstName: 'Anna', botId: 77n, effectKey: `77:5` }), ctx);
    expect(response.created).toBe(false);
    expect(response.user).toMatchObject({ firstName: 'Anna', lastName: '', username: '', languageCode: '' });
    expect(response.user?.lastSeenAt && timestampDate(response.user.lastSeenAt).toISOString()).toBe('2026-11-25T13:00:00.000Z');
    expect(response.user?.createdAt && timestampDate(response.user.createdAt).toISOString()).toBe('2026-11-25T12:00:00.000Z');
    const row = await database.query('SELECT first_bot_id::text AS first_bot FROM user_service.users WHERE telegram_id = 1001');
    expect(row.rows[0]).toEqual({ first_bot: MAIN_BOT.toString() });
    expect(await registeredEventsFor(1001n)).toBe(1);
  });

  it('a repeated effect key returns the first answer and changes nothing', async () => {
    now = new Date('2026-11-25T14:00:00.000Z');
    const first = await handlers.upsert(upsertRequest(1002n, { firstName: 'Борис', effectKey: `${MAIN_BOT}:2` }), ctx);
    const before = await counts();
    now = new Date('2026-11-25T15:00:00.000Z');
    // Same key, different content (a redelivery never differs; this shows the key alone decides).
    const again = await handlers.upsert(upsertRequest(1002n, { firstName: 'Boris', effectKey: `${MAIN_BOT}:2` }), ctx);
    expect(again).toEqual(first);
    expect(again.created).toBe(true);
    expect(await counts()).toEqual(before);
    const row = await database.query('SELECT first_name, last_seen_at FROM user_service.users WHERE telegram_id = 1002');
    expect(row.rows[0]).toEqual({ first_name: 'Борис', last_seen_at: new Date('2026-11-25T14:00:00.000Z') });
    expect(await registeredEventsFor(1002n)).toBe(1);
  });

  it('an upsert with an effect key is one statement, a known user\'s, a first sighting and a repeat of either (issue 20)', async () => {
    await handlers.upsert(upsertRequest(1016n, { effectKey: 'trips:1' }), ctx);
    // Its event published, so the repeat's flush below finds nothing to publish and mark.
    await outboxPublished(database, 'user_service');
    const operations: string[] = [];
    const counted = db.$extends({
      query: {
        // Model operations and raw statements alike (a raw one has no model).
        $allOperations({ model, operation, args, query }) { operations.push(model === undefined ? operation : `${model}.${operation}`); return query(args); },
      },
    }) as unknown as UserDatabase;
    const measured = createUserHandlers({ db: counted, publisher, clock });
    expect(await measured.upsert(upsertRequest(1016n, { firstName: 'Анна-Мария', effectKey: 'trips:2' }), ctx)).toMatchObject({ created: false, user: { firstName: 'Анна-Мария' } });
    // Before: BEGIN, the UPDATE, the key's INSERT with its answer, COMMIT (and 6 before that).
    expect(operations).toEqual(['$queryRaw']);
    operations.length = 0;
    now = new Date(now.getTime() + 60_000);
    const again = await measured.upsert(upsertRequest(1016n, { firstName: 'Other', effectKey: 'trips:2' }), ctx);
    expect(again).toMatchObject({ created: false, user: { firstName: 'Анна-Мария' } });
    // The stored answer came with the statement, which changed nothing; the outbox is flushed (in
    // the background) in case the first call's publish failed.
    await waitFor(() => Promise.resolve(operations.includes('OutboxEvent.findMany')), { timeoutMs: 20_000, intervalMs: 10 });
    expect(operations).toEqual(['$queryRaw', 'OutboxEvent.findMany']);
    const row = await database.query('SELECT first_name FROM user_service.users WHERE telegram_id = 1016');
    expect(row.rows[0]).toEqual({ first_name: 'Анна-Мария' });
    // A first sighting is the same statement (before: it found no user, then a transaction of six
    // more), and its repeat too; the event is in the outbox once, the flush after it publishes it.
    operations.length = 0;
    const created = await measured.upsert(upsertRequest(1017n, { firstName: 'Новый', effectKey: 'trips:3' }), ctx);
    expect(created).toMatchObject({ created: true, user: { telegramId: 1017n, firstName: 'Новый' } });
    expect(operations[0]).toBe('$queryRaw');
    expect(operations.filter((operation) => !operation.startsWith('OutboxEvent.'))).toEqual(['$queryRaw']);
    expect(await measured.upsert(upsertRequest(1017n, { firstName: 'Other', effectKey: 'trips:3' }), ctx)).toEqual(created);
    await outboxPublished(database, 'user_service');
    expect(await registeredEventsFor(1017n)).toBe(1);
    const registered = await database.query('SELECT first_name, first_bot_id::text AS first_bot FROM user_service.users WHERE telegram_id = 1017');
    expect(registered.rows).toEqual([{ first_name: 'Новый', first_bot: String(MAIN_BOT) }]);
  });

  it('concurrent calls with one key for a known user: one refresh is kept and every call answers with it (issue 20)', async () => {
    await handlers.upsert(upsertRequest(1018n, { effectKey: 'held:0' }), ctx);
    now = new Date(now.getTime() + 60_000);
    // The test holds the user's row, so every call's statement starts, then waits on the lock;
    // when it is let go the first to get it refreshes and records the key, and each later one's
    // UPDATE goes through (its snapshot saw no key) until its INSERT finds the key taken: that
    // statement must undo its refresh and answer with the stored one.
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    const names = ['Первый', 'Second', 'Третий', 'Fourth', 'Пятый', 'Sixth'];
    const calls: Promise<Awaited<ReturnType<typeof handlers.upsert>>>[] = [];
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM user_service.users WHERE telegram_id = 1018 FOR UPDATE');
      for (const firstName of names) calls.push(handlers.upsert(upsertRequest(1018n, { firstName, effectKey: 'held:1' }), ctx));
      await waitFor(async () => {
        const waiting = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%refreshed AS%'");
        return waiting.rows[0]?.n === names.length;
      }, { timeoutMs: 20_000, intervalMs: 20 });
    } finally {
      await holder.query('COMMIT');
      await holder.end();
    }
    const answers = await Promise.all(calls);
    expect(answers).toHaveLength(names.length);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    const row = await database.query<{ first_name: string }>('SELECT first_name FROM user_service.users WHERE telegram_id = 1018');
    expect(row.rows[0]?.first_name).toBe(answers[0]?.user?.firstName);
    expect(names).toContain(row.rows[0]?.first_name);
    const effects = await database.query("SELECT count(*)::int AS n FROM user_service.processed_effects WHERE effect_key = 'held:1'");
    expect(effects.rows[0]).toEqual({ n: 1 });
  });

  it('concurrent first sightings register once; concurrent repeats of one key all get the same answer', async () => {
    const distinctKeys = await Promise.all(
      Array.from({ length: 8 }, (_, i) => handlers.upsert(upsertRequest(1003n, { effectKey: `race:${i}` }), ctx)),
    );
    expect(distinctKeys.filter((response) => response.created)).toHaveLength(1);
    expect(await registeredEventsFor(1003n)).toBe(1);

    const sameKey = await Promise.all(Array.from({ length: 6 }, () => handlers.upsert(upsertRequest(1004n, { effectKey: 'same:1' }), ctx)));
    for (const response of sameKey) expect(response).toEqual(sameKey[0]);
    expect(sameKey[0]?.created).toBe(true);
    const effects = await database.query("SELECT count(*)::int AS n FROM user_service.processed_effects WHERE effect_key = 'same:1'");
    expect(effects.rows[0]).toEqual({ n: 1 });
    expect(await registeredEventsFor(1004n)).toBe(1);
  });

  it('concurrent registrations of different users publish each event once: one outbox flush at a time, not one per commit over every pending row', async () => {
    const throughThisSet: string[] = [];
    const counting: EventPublisher = { publish: (subject, message, options) => { throughThisSet.push(options.msgId); return publisher.publish(subject, message, options); } };
    const shared = createUserHandlers({ db, publisher: counting, clock });
    const ids = Array.from({ length: 16 }, (_, i) => 1100n + BigInt(i));
    const answers = await Promise.all(ids.map((id) => shared.upsert(upsertRequest(id, { effectKey: `burst:${id}` }), ctx)));
    expect(answers.every((answer) => answer.created)).toBe(true);
    await outboxPublished(database, 'user_service');
    // Before, each of the 16 commits flushed every row pending at that moment: up to 16² publishes and
    // marks by this one handler set. Now at most one each through it, and each row published. The
    // last test's handler set may still run a background flush as these commit and take some of
    // them (fc12, beside two hogs: 15 through this set, 1 through that one), so "every row" counts
    // every handler set of the file; two flushes of two sets reading the same row before either
    // marks it may both publish it (JetStream keeps one by its msgId): that is not this set's doubling.
    const key = (id: bigint): string => `nova.user.registered:${id}`;
    expect(ids.filter((id) => throughThisSet.filter((msgId) => msgId === key(id)).length > 1)).toEqual([]);
    expect(ids.filter((id) => !publishedMsgIds.includes(key(id)))).toEqual([]);
    for (const id of ids) expect(await registeredEventsFor(id)).toBe(1);
    expect((await database.query('SELECT count(*)::int AS n FROM user_service.outbox_events WHERE published_at IS NULL')).rows[0]).toEqual({ n: 0 });
  });

  it('records the effect key in the same transaction as the change: a failed change leaves no key', async () => {
    // A trigger makes the insert of this one user fail after the key was claimed.
    await database.query(`CREATE FUNCTION user_service.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.telegram_id = 1005 THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$`);
    await database.query('CREATE TRIGGER refuse BEFORE INSERT ON user_service.users FOR EACH ROW EXECUTE FUNCTION user_service.refuse()');
    const before = await counts();
    try {
      await expect(handlers.upsert(upsertRequest(1005n, { effectKey: 'atomic:1' }), ctx)).rejects.toThrow();
      expect(await counts()).toEqual(before);
    } finally {
      await database.query('DROP TRIGGER refuse ON user_service.users');
      await database.query('DROP FUNCTION user_service.refuse()');
    }
    const retried = await handlers.upsert(upsertRequest(1005n, { effectKey: 'atomic:1' }), ctx);
    expect(retried.created).toBe(true);
    expect(await registeredEventsFor(1005n)).toBe(1);
  });

  it('answers a registration while JetStream is down, keeps its event, and publishes it once when a later flush runs', async () => {
    await domainBus.deleteStream();
    const failures: unknown[] = [];
    const outage = createUserHandlers({
      db, publisher, clock,
      publishOutboxSoon: () => { void flushUserOutbox(db, publisher).catch((error: unknown) => failures.push(error)); },
    });
    try {
      // Answered after the commit (issue 20): before, the call failed with the publish.
      const answered = await outage.upsert(upsertRequest(1006n, { effectKey: 'outage:1' }), ctx);
      expect(answered.created).toBe(true);
      await waitFor(() => Promise.resolve(failures.length > 0), { timeoutMs: 20_000, intervalMs: 10 });
    } finally {
      await domainBus.createStream();
    }
    expect(failures[0]).toBeInstanceOf(OutboxPublishError);
    expect(failures[0]).toMatchObject({ code: ErrorCode.UNAVAILABLE });
    // The registration committed; its event waits in the outbox.
    const pending = await database.query("SELECT subject, msg_id FROM user_service.outbox_events WHERE published_at IS NULL");
    expect(pending.rows).toEqual([{ subject: 'nova.user.registered', msg_id: 'nova.user.registered:1006' }]);

    // A redelivered call (or the relay's next pass) publishes it.
    const redelivered = await handlers.upsert(upsertRequest(1006n, { effectKey: 'outage:1' }), ctx);
    expect(redelivered.created).toBe(true);
    expect(await registeredEventsFor(1006n)).toBe(1);
    expect((await database.query('SELECT count(*)::int AS n FROM user_service.outbox_events WHERE published_at IS NULL')).rows[0]).toEqual({ n: 0 });
    // A relay flushing again publishes nothing new; republishing an event JetStream already has is dropped by msgID.
    expect(await flushUserOutbox(db, publisher)).toBe(0);
    const storedBefore = (await domainBus.stored()).length;
    await database.query("UPDATE user_service.outbox_events SET published_at = NULL WHERE msg_id = 'nova.user.registered:1006'");
    expect(await flushUserOutbox(db, publisher)).toBe(1);
    expect((await domainBus.stored()).length).toBe(storedBefore);
    expect(await registeredEventsFor(1006n)).toBe(1);
  });

  it('refuses bad input with INVALID_ARGUMENT naming the field, and writes nothing', async () => {
    const before = await counts();
    const cases: [Partial<Omit<UpsertUserRequest, '$typeName'>>, string][] = [
      [{ firstName: '' }, 'first_name'],
      [{ firstName: 'a\u0000b' }, 'first_name'],
      [{ lastName: 'x'.repeat(300) }, 'last_name'],
      [{ username: 'not a username' }, 'username'],
      [{ languageCode: 'english please' }, 'language_code'],
      [{ botId: 0n }, 'bot_id'],
      [{ effectKey: 'has space' }, 'effect_key'],
    ];
    for (const [init, field] of cases) {
      const attempt = handlers.upsert(upsertRequest(1010n, { effectKey: 'bad:1', ...init }), ctx);
      await expect(attempt).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(attempt).rejects.toMatchObject({ details: { field } });
    }
    await expect(handlers.upsert(upsertRequest(0n), ctx)).rejects.toMatchObject({ details: { field: 'telegram_id' } });
    expect(await counts()).toEqual(before);
  });

  it('prunes effect keys and published events older than a bound, keeping newer and unpublished ones', async () => {
    await database.query("UPDATE user_service.processed_effects SET processed_at = now() - interval '8 days' WHERE effect_key = 'race:0'");
    await database.query("UPDATE user_service.outbox_events SET published_at = now() - interval '8 days' WHERE msg_id = 'nova.user.registered:1001'");
    await database.query("INSERT INTO user_service.outbox_events (subject, msg_id, payload, created_at) VALUES ('nova.user.registered', 'old-unpublished', '', now() - interval '30 days')");
    const pruned = await pruneUserHistory(db, new Date(Date.now() - 7 * 24 * 3_600_000));
    expect(pruned).toEqual({ effects: 1, events: 1 });
    const events = await database.query("SELECT msg_id FROM user_service.outbox_events WHERE msg_id IN ('nova.user.registered:1001', 'old-unpublished')");
    expect(events.rows).toEqual([{ msg_id: 'old-unpublished' }]);
    await database.query("DELETE FROM user_service.outbox_events WHERE msg_id = 'old-unpublished'");
    const left = await database.query("SELECT count(*)::int AS n FROM user_service.processed_effects WHERE effect_key IN ('race:0', 'race:1')");
    expect(left.rows[0]).toEqual({ n: 1 });
  });
});

describe('stats', () => {
  let statsDatabase: TestDatabase;
  let statsDb: UserDatabase;

  beforeAll(async () => {
    statsDatabase = await createTestDatabase('nova_user_stats');
    await migrate({ connectionString: statsDatabase.url, schema: 'user_service', migrationsDir: USER_MIGRATIONS_DIR });
    statsDb = openUserDatabase({ connectionString: statsDatabase.url });
  });

  afterAll(async () => {
    await statsDb.$disconnect();
    await statsDatabase.drop();
  });

  it('counts totals, new in 24 h and today (UTC), active in 24 h and 7 days, as of one instant', async () => {
    let at = new Date();
    const statsHandlers = createUserHandlers({ db: statsDb, publisher, clock: () => at });
    const asOf = new Date('2026-11-25T12:00:00.000Z');
    const hoursBefore = (hours: number): Date => new Date(asOf.getTime() - hours * 3_600_000);
    const sightings: [bigint, Date][] = [
      [1n, hoursBefore(240)], // registered 10 days ago, not seen since
      [2n, hoursBefore(48)], // registered 2 days ago
      [3n, hoursBefore(30)], // registered 30 h ago...
      [3n, hoursBefore(1)], // ...and active an hour ago
      [6n, hoursBefore(13)], // 23:00 UTC yesterday: within 24 h, not today
      [4n, new Date('2026-11-25T00:30:00.000Z')], // today
      [5n, hoursBefore(1 / 60)], // a minute ago
    ];
    for (const [telegramId, when] of sightings) {
      at = when;
      await statsHandlers.upsert(upsertRequest(telegramId), ctx);
    }
    at = asOf;
    const stats = await statsHandlers.stats(create(UserStatsRequestSchema), ctx);
    expect(stats).toMatchObject({
      totalUsers: 6n,
      registeredLast24h: 3n,
      registeredToday: 2n,
      activeLast24h: 4n,
      activeLast7d: 5n,
    });
    expect(stats.asOf && timestampDate(stats.asOf).toISOString()).toBe(asOf.toISOString());
  });
});

describe('list_recipients', () => {
  let recipientsDatabase: TestDatabase;
  let recipientsDb: UserDatabase;

  beforeAll(async () => {
    recipientsDatabase = await createTestDatabase('nova_user_recipients');
    await migrate({ connectionString: recipientsDatabase.url, schema: 'user_service', migrationsDir: USER_MIGRATIONS_DIR });
    recipientsDb = openUserDatabase({ connectionString: recipientsDatabase.url });
  });

  afterAll(async () => {
    await recipientsDb.$disconnect();
    await recipientsDatabase.drop();
  });

  it('pages through every user not blocked by an admin, by id, each once, and says when the last page is reached', async () => {
    const listing = createUserHandlers({ db: recipientsDb, publisher, clock });
    for (const telegramId of [5n, 1n, 4n, 2n, 3n]) await listing.upsert(upsertRequest(telegramId), ctx);
    await listing.set_blocked(create(SetUserBlockedRequestSchema, { telegramId: 3n, blocked: true, reason: 'spam' }), ctx);
    const pages: { ids: bigint[]; done: boolean }[] = [];
    let after = 0n;
    for (;;) {
      const page = await listing.list_recipients(create(ListRecipientsRequestSchema, { afterTelegramId: after, limit: 2 }), ctx);
      pages.push({ ids: page.telegramIds, done: page.done });
      if (page.done) break;
      after = page.telegramIds.at(-1) ?? after;
    }
    expect(pages).toEqual([{ ids: [1n, 2n], done: false }, { ids: [4n, 5n], done: false }, { ids: [], done: true }]);
    expect((await listing.list_recipients(create(ListRecipientsRequestSchema, {}), ctx))).toMatchObject({ telegramIds: [1n, 2n, 4n, 5n], done: true });
    await expect(listing.list_recipients(create(ListRecipientsRequestSchema, { limit: 5_001 }), ctx)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it("carries each recipient's language: their choice, else their Telegram app's, English when it says nothing", async () => {
    const listing = createUserHandlers({ db: recipientsDb, publisher, clock });
    await listing.upsert(upsertRequest(11n, { languageCode: 'ru' }), ctx);
    await listing.upsert(upsertRequest(12n, { languageCode: 'en-US' }), ctx);
    await listing.upsert(upsertRequest(13n, { languageCode: 'kk' }), ctx);
    await listing.upsert(upsertRequest(14n, { languageCode: 'ru' }), ctx);
    await listing.set_language(create(SetUserLanguageRequestSchema, { telegramId: 14n, language: 'en' }), ctx);
    await listing.upsert(upsertRequest(15n, { languageCode: 'de' }), ctx);
    await listing.set_language(create(SetUserLanguageRequestSchema, { telegramId: 15n, language: 'ru' }), ctx);
    await listing.upsert(upsertRequest(16n), ctx);
    const page = await listing.list_recipients(create(ListRecipientsRequestSchema, { afterTelegramId: 10n }), ctx);
    expect(page.recipients.map((recipient) => [recipient.telegramId, recipient.language])).toEqual([[11n, 'ru'], [12n, 'en'], [13n, 'ru'], [14n, 'en'], [15n, 'ru'], [16n, 'en']]);
    expect(page.telegramIds).toEqual([11n, 12n, 13n, 14n, 15n, 16n]);
  });
});

describe('set_language', () => {
  it("stores the person's chosen language (en, ru, or none again), refuses anything else, and is NOT_FOUND for a user never seen", async () => {
    await handlers.upsert(upsertRequest(9_001n, { languageCode: 'de' }), ctx);
    const language = (value: string) => create(SetUserLanguageRequestSchema, { telegramId: 9_001n, language: value });
    expect((await handlers.get(create(GetUserRequestSchema, { telegramId: 9_001n }), ctx)).user).toMatchObject({ languageCode: 'de', chosenLanguage: '' });
    expect((await handlers.set_language(language('ru'), ctx)).user).toMatchObject({ telegramId: 9_001n, languageCode: 'de', chosenLanguage: 'ru' });
    // A later sighting refreshes Telegram's language_code and keeps the choice; the upsert answer carries it.
    expect((await handlers.upsert(upsertRequest(9_001n, { languageCode: 'en' }), ctx)).user).toMatchObject({ languageCode: 'en', chosenLanguage: 'ru' });
    expect((await handlers.set_language(language('ru'), ctx)).user?.chosenLanguage).toBe('ru');
    expect((await handlers.set_language(language(''), ctx)).user?.chosenLanguage).toBe('');
    const row = await database.query('SELECT chosen_language FROM user_service.users WHERE telegram_id = 9001');
    expect(row.rows).toEqual([{ chosen_language: null }]);
    for (const bad of ['fr', 'RU', 'ru-RU']) await expect(handlers.set_language(language(bad), ctx)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(handlers.set_language(create(SetUserLanguageRequestSchema, { telegramId: 9_002n, language: 'ru' }), ctx)).rejects.toBeInstanceOf(NotFoundError);
  });
});
