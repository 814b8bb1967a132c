/**
 * The fleet's database on stage 7's "before" (docs/database-split.md, "The fleet on the before
 * arrangement"), on the real PostgreSQL: every context's migrations applied by the start-up path the
 * monolith and the services use (`migrateSchemas`), then
 * - the engine's `status` reads every context "before" (the tables in public, views in the schemas),
 *   and a second start changes nothing;
 * - a later migration that alters a table which is a view here is refused before anything of the
 *   upgrade is applied;
 * - all four contexts moved and reversed while each context's own generated Prisma client, as its own
 *   login, writes through its schema (upsert, create with an autoincrement id, the payment activation's
 *   conditional updateMany): no write fails, every acknowledged row is there after. The plan names
 *   the logins, as the operator's will: the swap grants on the relations it creates only to those.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openBotDatabase, BOT_MIGRATIONS_DIR } from '@nova/bot-service/domain';
import { migrate, MigrationOnViewError } from '@nova/db';
import { SchemaRole } from '@nova/fleet';
import { openPaymentDatabase, PAYMENT_MIGRATIONS_DIR } from '@nova/payment-service/domain';
import { createLogger } from '@nova/platform';
import { openPublisherDatabase, PUBLISHER_MIGRATIONS_DIR } from '@nova/publisher-service/domain';
import { FLEET_PLAN, moveAll, reverseAll, status } from '@nova/schema-move';
import { component, createDatabase } from '@nova/testbed';
import { openUserDatabase, USER_MIGRATIONS_DIR } from '@nova/user-service/domain';
import { ADMIN_MIGRATIONS_DIR } from '@nova/admin-panel/domain';
import { migrateSchemas } from '@nova/wiring';
import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { dropDatabaseAndRoles } from './support/legacy-database.js';

const SCHEMAS = [
  { schema: 'user_service', migrationsDir: USER_MIGRATIONS_DIR },
  { schema: 'bot_service', migrationsDir: BOT_MIGRATIONS_DIR },
  { schema: 'publisher_service', migrationsDir: PUBLISHER_MIGRATIONS_DIR },
  { schema: 'payment_service', migrationsDir: PAYMENT_MIGRATIONS_DIR },
  { schema: 'admin_panel', migrationsDir: ADMIN_MIGRATIONS_DIR },
];
const name = `fleetbefore_${randomBytes(3).toString('hex')}`;
const logger = createLogger({ name: 'fleet-before-test', level: 'warn' });
let url: string;
let admin: pg.Client;
const roles: SchemaRole[] = [];

beforeAll(async () => {
  url = await createDatabase(component('postgres').url, name);
  await migrateSchemas(url, SCHEMAS, logger);
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
});

afterAll(async () => {
  await admin.end();
  await dropDatabaseAndRoles(name, roles.map((r) => r.role));
});

async function kinds(): Promise<Record<string, string>> {
  const { rows } = await admin.query<{ name: string; kind: string }>(
    `SELECT n.nspname || '.' || c.relname AS name, c.relkind::text AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = ANY($1::text[]) AND n.nspname = ANY($2::text[]) ORDER BY 1`,
    [FLEET_PLAN.contexts.flatMap((c) => c.tables), ['public', ...FLEET_PLAN.contexts.map((c) => c.schema)]],
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.kind]));
}

describe('the fleet on the "before" arrangement', () => {
  it('has every context "before" after the start-up migrations, and a second start changes nothing', async () => {
    const first = await kinds();
    for (const context of FLEET_PLAN.contexts) {
      for (const table of context.tables) {
        expect([`public.${table}`, first[`public.${table}`]]).toEqual([`public.${table}`, 'r']);
        expect([`${context.schema}.${table}`, first[`${context.schema}.${table}`]]).toEqual([`${context.schema}.${table}`, 'v']);
      }
    }
    expect((await status(admin, FLEET_PLAN)).map((c) => [c.schema, c.state])).toEqual(FLEET_PLAN.contexts.map((c) => [c.schema, 'before']));
    await migrateSchemas(url, SCHEMAS, logger);
    expect(await kinds()).toEqual(first);
  });

  it('refuses an upgrade that alters a table which is a view here, applying none of it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nova-view-guard-'));
    try {
      cpSync(USER_MIGRATIONS_DIR, dir, { recursive: true });
      const add = (folder: string, sql: string) => {
        mkdirSync(join(dir, folder));
        writeFileSync(join(dir, folder, 'migration.sql'), sql);
      };
      add('20270101000000_notes', 'CREATE TABLE "user_service"."notes" ("id" BIGSERIAL NOT NULL, CONSTRAINT "notes_pkey" PRIMARY KEY ("id"));\n');
      add('20270102000000_nickname', '-- AlterTable\nALTER TABLE "user_service"."users" ADD COLUMN "nickname" TEXT;\n');
      const history = async () => (await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM user_service._prisma_migrations')).rows[0]?.n;
      const before = await history();
      const attempt = migrate({ connectionString: url, schema: 'user_service', migrationsDir: dir });
      await expect(attempt).rejects.toBeInstanceOf(MigrationOnViewError);
      await expect(attempt).rejects.toMatchObject({ migration: '20270102000000_nickname', relation: 'user_service.users', table: 'public.users' });
      expect(await history()).toBe(before);
      expect((await admin.query("SELECT to_regclass('user_service.notes') AS r")).rows[0]).toEqual({ r: null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('moves and reverses all four contexts while each context writes through its own Prisma client', async () => {
    for (const { schema } of SCHEMAS.slice(0, 4)) roles.push(await SchemaRole.create(url, schema));
    const [userRole, botRole, publisherRole, paymentRole] = roles as [SchemaRole, SchemaRole, SchemaRole, SchemaRole];
    // The plan names each context's login: a swap drops and creates views, and grants on the new
    // relations only to the logins its plan names (without them every write failed with "permission
    // denied for view users" once the tables had moved).
    const plan = { contexts: FLEET_PLAN.contexts.map((context, i) => ({ ...context, role: roles[i]?.role ?? '' })) };
    const users = openUserDatabase({ connectionString: userRole.url(), maxConnections: 2 });
    const bots = openBotDatabase({ connectionString: botRole.url(), maxConnections: 2 });
    const publisher = openPublisherDatabase({ connectionString: publisherRole.url(), maxConnections: 2 });
    const payments = openPaymentDatabase({ connectionString: paymentRole.url(), maxConnections: 2 });
    const failures: string[] = [];
    const acknowledged = { users: [] as bigint[], bots: [] as bigint[], posts: [] as bigint[], invoices: [] as string[] };
    let stop = false;
    const deadline = Date.now() + 120_000;
    async function writer(kind: string, write: (i: number) => Promise<void>): Promise<void> {
      for (let i = 0; i < 5_000 && !stop && Date.now() < deadline; i += 1) {
        try {
          await write(i);
        } catch (error) {
          failures.push(`${kind} #${String(i)}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    const now = () => new Date();
    const writers = [
      writer('users', async (i) => {
        const telegramId = 9_000_000n + BigInt(i);
        await users.user.upsert({ where: { telegramId }, create: { telegramId, firstName: `u${String(i)}`, firstBotId: 1n, createdAt: now(), lastSeenAt: now() }, update: { lastSeenAt: now() } });
        acknowledged.users.push(telegramId);
      }),
      writer('bots', async (i) => {
        const botId = 7_000_000n + BigInt(i);
        await bots.bot.create({ data: { botId, ownerTelegramId: 1n, username: `b${String(i)}`, greeting: 'hi', tokenCiphertext: randomBytes(8), tokenKeyId: 'k', tokenSha256: randomBytes(32), webhookSecretSha256: randomBytes(32), createdAt: now(), updatedAt: now() } });
        acknowledged.bots.push(botId);
      }),
      writer('posts', async (i) => {
        const post = await publisher.post.create({ data: { ownerTelegramId: BigInt(i), text: `p${String(i)}`, entities: [], buttons: [], publishAt: now(), status: 'SCHEDULED', createdAt: now(), updatedAt: now() } });
        acknowledged.posts.push(post.id);
      }),
      writer('invoices', async (i) => {
        const id = `inv-${String(i)}`;
        await payments.invoice.create({ data: { id, telegramId: BigInt(i), planId: 'bots_30d', provider: 'cryptobot', amountMinor: 29900n, currency: 'RUB', status: 'pending', createdAt: now(), expiresAt: new Date(Date.now() + 60_000) } });
        // The activation's exactly-once step: one conditional update, then the subscription, in one transaction.
        await payments.$transaction(async (tx) => {
          const paid = await tx.invoice.updateMany({ where: { id, status: 'pending' }, data: { status: 'paid', paidAt: now() } });
          if (paid.count === 1) await tx.subscription.create({ data: { id: `sub-${String(i)}`, telegramId: BigInt(i), kind: 'bots', planId: 'bots_30d', invoiceId: id, status: 'active', startsAt: now(), endsAt: new Date(Date.now() + 86_400_000), createdAt: now() } });
        });
        acknowledged.invoices.push(id);
      }),
    ];
    try {
      // Let every writer get going before the first swap.
      const started = Date.now();
      while ((Object.values(acknowledged).some((rows) => rows.length === 0)) && failures.length === 0 && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 20));
      const moved = await moveAll(admin, plan);
      expect(moved.moved.map((step) => step.verification.ok)).toEqual([true, true, true, true]);
      expect((await status(admin, FLEET_PLAN)).map((c) => c.state)).toEqual(['moved', 'moved', 'moved', 'moved']);
      const reversed = await reverseAll(admin, plan);
      expect(reversed.map((step) => step.verification.ok)).toEqual([true, true, true, true]);
    } finally {
      stop = true;
      await Promise.all(writers);
    }
    expect(failures).toEqual([]);
    expect((await status(admin, FLEET_PLAN)).map((c) => c.state)).toEqual(['before', 'before', 'before', 'before']);
    const count = async (sql: string, values: unknown[]) => (await admin.query<{ n: number }>(sql, values)).rows[0]?.n;
    expect(await count('SELECT count(*)::int AS n FROM public.users WHERE telegram_id = ANY($1::bigint[])', [acknowledged.users.map(String)])).toBe(acknowledged.users.length);
    expect(await count('SELECT count(*)::int AS n FROM public.user_bots WHERE bot_id = ANY($1::bigint[])', [acknowledged.bots.map(String)])).toBe(acknowledged.bots.length);
    expect(await count('SELECT count(*)::int AS n FROM public.posts WHERE id = ANY($1::bigint[])', [acknowledged.posts.map(String)])).toBe(acknowledged.posts.length);
    expect(await count("SELECT count(*)::int AS n FROM public.payments WHERE id = ANY($1::text[]) AND status = 'paid'", [acknowledged.invoices])).toBe(acknowledged.invoices.length);
    expect(await count('SELECT count(*)::int AS n FROM public.purchases WHERE invoice_id = ANY($1::text[])', [acknowledged.invoices])).toBe(acknowledged.invoices.length);
    process.stdout.write(`fleet-before: ${String(acknowledged.users.length)} users, ${String(acknowledged.bots.length)} bots, ${String(acknowledged.posts.length)} posts, ${String(acknowledged.invoices.length)} payments written across the move and reverse\n`);
    await Promise.all([users.$disconnect(), bots.$disconnect(), publisher.$disconnect(), payments.$disconnect()]);
  }, 180_000);
});
