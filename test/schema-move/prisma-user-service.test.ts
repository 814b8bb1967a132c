/**
 * The users context's own generated Prisma client (`openUserDatabase`, @@schema("user_service")),
 * run as the context's own login before the move (through the views in user_service onto public's
 * tables) and after it (on the tables): create, upsert (ON CONFLICT DO UPDATE), an outbox row with
 * an autoincrement id and a now() default, createManyAndReturn with skipDuplicates (ON CONFLICT DO
 * NOTHING RETURNING), an interactive transaction, updateMany, deleteMany, and the context's upsert
 * of a known user (one raw statement with data-modifying CTEs). The "before" is made from
 * the service's real migrations, with its three tables set into public, as the legacy database has
 * them. The migration login here is the test bed's superuser.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { migrate } from '@nova/db';
import { moveAll, prepare, reverseAll, status, type MovePlan } from '@nova/schema-move';
import { component, createDatabase } from '@nova/testbed';
import { create } from '@bufbuild/protobuf';
import { UpsertUserRequestSchema } from '@nova/contracts';
import { createUserHandlers, openUserDatabase, USER_MIGRATIONS_DIR } from '@nova/user-service/domain';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropDatabaseAndRoles } from './support/legacy-database.js';

const TABLES = ['users', 'processed_effects', 'outbox_events'];
const suffix = randomBytes(3).toString('hex');
const name = `moveprisma_${suffix}`;
const role = `user_service_${suffix}`;
let url: string;
let roleUrl: string;
let admin: pg.Client;
let plan: MovePlan;

beforeAll(async () => {
  url = await createDatabase(component('postgres').url, name);
  await migrate({ connectionString: url, schema: 'user_service', migrationsDir: USER_MIGRATIONS_DIR });
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  for (const table of TABLES) await admin.query(`ALTER TABLE user_service.${table} SET SCHEMA public`);
  await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${randomBytes(12).toString('hex')}'`);
  const parsed = new URL(url);
  parsed.username = role;
  roleUrl = parsed.toString();
  plan = { contexts: [{ schema: 'user_service', tables: TABLES, role }] };
  await prepare(admin, plan);
});

afterAll(async () => {
  await admin.end();
  await dropDatabaseAndRoles(name, [role]);
});

/** The same calls each time; `base` keeps the runs' keys apart; ids are reported relative to the run's first. */
async function calls(base: bigint): Promise<unknown[]> {
  const db = openUserDatabase({ connectionString: roleUrl, maxConnections: 2 });
  const lines: unknown[] = [];
  try {
    const now = new Date();
    const created = await db.user.create({ data: { telegramId: base, firstName: 'Anna', firstBotId: 1n, createdAt: now, lastSeenAt: now } });
    lines.push(['created', created.telegramId - base, created.firstName, created.blockedAt]);
    const upserted = await db.user.upsert({ where: { telegramId: base }, create: { telegramId: base, firstName: 'x', firstBotId: 1n, createdAt: now, lastSeenAt: now }, update: { firstName: 'Anna K' } });
    lines.push(['upserted', upserted.firstName]);
    const first = await db.outboxEvent.create({ data: { subject: 'nova.user.registered', msgId: `m-${String(base)}`, payload: new Uint8Array([1, 2]) } });
    lines.push(['outbox', typeof first.id, first.createdAt instanceof Date, first.publishedAt]);
    const effects = await db.processedEffect.createManyAndReturn({ data: [{ effectKey: `k-${String(base)}` }], skipDuplicates: true });
    const again = await db.processedEffect.createManyAndReturn({ data: [{ effectKey: `k-${String(base)}` }], skipDuplicates: true });
    lines.push(['effects', effects.length, again.length, effects[0]?.processedAt instanceof Date]);
    const second = await db.$transaction(async (tx) => {
      await tx.user.update({ where: { telegramId: base }, data: { lastSeenAt: new Date() } });
      return tx.outboxEvent.create({ data: { subject: 'nova.user.seen', msgId: `s-${String(base)}`, payload: new Uint8Array([3]) } });
    });
    lines.push(['transaction', second.id - first.id]);
    lines.push(['published', (await db.outboxEvent.updateMany({ where: { msgId: { in: [`m-${String(base)}`, `s-${String(base)}`] }, publishedAt: null }, data: { publishedAt: new Date() } })).count]);
    lines.push(['deleted', (await db.outboxEvent.deleteMany({ where: { msgId: { in: [`m-${String(base)}`, `s-${String(base)}`] } } })).count]);
    // The context's own upsert of a known user: one raw statement (UPDATE … RETURNING and INSERT …
    // ON CONFLICT in data-modifying CTEs, sighting-statement.ts), and its repeat. A known user's
    // sighting publishes no event: the publisher only has to exist.
    const handlers = createUserHandlers({ db, publisher: { publish: () => Promise.resolve() }, clock: () => new Date() });
    const seen = await handlers.upsert(create(UpsertUserRequestSchema, { telegramId: base, firstName: 'Anna S', botId: 1n, effectKey: `h-${String(base)}` }), {});
    const repeated = await handlers.upsert(create(UpsertUserRequestSchema, { telegramId: base, firstName: 'Other', botId: 1n, effectKey: `h-${String(base)}` }), {});
    lines.push(['sighting', seen.created, seen.user?.firstName, repeated.user?.firstName, (await db.user.findUniqueOrThrow({ where: { telegramId: base } })).firstName]);
    // A first sighting through the same statement: the user, the event's outbox row (its id and
    // created_at the table's defaults through the view) and the key, and its repeat.
    const newcomer = base + 1n;
    const registered = await handlers.upsert(create(UpsertUserRequestSchema, { telegramId: newcomer, firstName: 'Boris', botId: 1n, effectKey: `h-${String(newcomer)}` }), {});
    const registeredAgain = await handlers.upsert(create(UpsertUserRequestSchema, { telegramId: newcomer, firstName: 'Other', botId: 1n, effectKey: `h-${String(newcomer)}` }), {});
    const events = await db.outboxEvent.findMany({ where: { msgId: { contains: String(newcomer) } } });
    lines.push(['registration', registered.created, registeredAgain.created, registeredAgain.user?.firstName, events.map((e) => [e.subject, typeof e.id, e.createdAt instanceof Date])]);
  } finally {
    await db.$disconnect();
  }
  return lines;
}

it('the users context\'s Prisma client works the same through the views (before), the tables (after) and the views again (reversed)', async () => {
  const before = await calls(1_000n);
  expect(before).toEqual([
    ['created', 0n, 'Anna', null],
    ['upserted', 'Anna K'],
    ['outbox', 'bigint', true, null],
    ['effects', 1, 0, true],
    ['transaction', 1n],
    ['published', 2],
    ['deleted', 2],
    ['sighting', false, 'Anna S', 'Anna S', 'Anna S'],
    ['registration', true, true, 'Boris', [['nova.user.registered', 'bigint', true]]],
  ]);
  await moveAll(admin, plan, { log: () => undefined });
  expect((await status(admin, plan)).map((s) => s.state)).toEqual(['moved']);
  expect(await calls(2_000n)).toEqual(before);
  await reverseAll(admin, plan, { log: () => undefined });
  expect(await calls(3_000n)).toEqual(before);
});
