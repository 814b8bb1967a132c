/**
 * The plan's table names (docs/database-split.md, "The plan's table names"), on the real PostgreSQL:
 * a database made by the services' migrations before the rename (tables `bots`, `post_deliveries`,
 * `invoices`, `subscriptions`), with rows in them, two contexts on "before" (the tables in public, views
 * in the schemas) and two already moved by stage 7 (the tables in the schemas, compatibility views in
 * public), is started by the fleet's start-up path (`migrateSchemas`). After it:
 * - the tables and their views carry the plan's names (`user_bots`, `published_posts`, `payments`,
 *   `purchases`) on both sides, nothing carries the old ones, each context is where it was and verifies;
 * - the tables' indexes and constraints carry the names Prisma derives from the new names;
 * - every row is there, unchanged, and the services' generated Prisma clients write through both
 *   arrangements.
 * A fresh database's names are checked by fleet-before.test.ts (its FLEET_PLAN is the plan's).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openBotDatabase, BOT_MIGRATIONS_DIR } from '@nova/bot-service/domain';
import { migrate } from '@nova/db';
import { openPaymentDatabase, PAYMENT_MIGRATIONS_DIR } from '@nova/payment-service/domain';
import { createLogger } from '@nova/platform';
import { PUBLISHER_MIGRATIONS_DIR } from '@nova/publisher-service/domain';
import { arrangeBefore, FLEET_PLAN, status, swapContext, verifyContext, type ContextMove } from '@nova/schema-move';
import { component, createDatabase } from '@nova/testbed';
import { USER_MIGRATIONS_DIR } from '@nova/user-service/domain';
import { migrateSchemas } from '@nova/wiring';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { dropDatabaseAndRoles } from './support/legacy-database.js';

const RENAME = '20261220000000_stage7_plan_names';
const SCHEMAS = [
  { schema: 'user_service', migrationsDir: USER_MIGRATIONS_DIR },
  { schema: 'bot_service', migrationsDir: BOT_MIGRATIONS_DIR },
  { schema: 'publisher_service', migrationsDir: PUBLISHER_MIGRATIONS_DIR },
  { schema: 'payment_service', migrationsDir: PAYMENT_MIGRATIONS_DIR },
];
/** The fleet's tables as they were named before the rename migration. */
const OLD: readonly ContextMove[] = [
  { schema: 'user_service', tables: ['users'] },
  { schema: 'bot_service', tables: ['bots'] },
  { schema: 'publisher_service', tables: ['posts', 'post_deliveries', 'stories'] },
  { schema: 'payment_service', tables: ['invoices', 'subscriptions'] },
];
const RENAMED: Readonly<Record<string, string>> = { bots: 'user_bots', post_deliveries: 'published_posts', invoices: 'payments', subscriptions: 'purchases' };
const name = `plannames_${randomBytes(3).toString('hex')}`;
const logger = createLogger({ name: 'plan-names-test', level: 'warn' });
const folders: string[] = [];
let url: string;
let admin: pg.Client;

/** A copy of a context's migrations as they were before the rename. */
function withoutRename(dir: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'nova-plan-names-'));
  folders.push(copy);
  cpSync(dir, copy, { recursive: true, filter: (source) => !source.includes(RENAME) });
  return copy;
}

async function rowsOf(schema: string, table: string): Promise<unknown> {
  return (await admin.query(`SELECT coalesce(json_agg(t ORDER BY t::text), '[]') AS rows FROM ${schema}.${table} t`)).rows[0];
}

beforeAll(async () => {
  url = await createDatabase(component('postgres').url, name);
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  for (const { schema, migrationsDir } of SCHEMAS) await migrate({ connectionString: url, schema, migrationsDir: withoutRename(migrationsDir) });
  await admin.query(`
    INSERT INTO bot_service.bots (bot_id, owner_telegram_id, username, greeting, token_ciphertext, token_key_id, token_sha256, webhook_secret_sha256, created_at, updated_at)
      VALUES (11, 1, 'a_bot', 'hi', '\\x01', 'k', '\\x02', '\\x03', now(), now()), (12, 1, 'b_bot', 'hi', '\\x04', 'k', '\\x05', '\\x06', now(), now());
    INSERT INTO publisher_service.posts (owner_telegram_id, text, entities, buttons, publish_at, status, created_at, updated_at)
      VALUES (1, 'hello', '[]', '[]', now(), 'SCHEDULED', now(), now());
    INSERT INTO publisher_service.post_deliveries (post_id, chat_id, position) SELECT id, -100, 0 FROM publisher_service.posts;
    INSERT INTO payment_service.invoices (id, telegram_id, plan_id, provider, amount_minor, currency, status, created_at, expires_at, paid_at)
      VALUES ('inv-1', 1, 'bots-30d', 'cryptobot', 29900, 'RUB', 'paid', now(), now() + interval '1 hour', now());
    INSERT INTO payment_service.subscriptions (id, telegram_id, kind, plan_id, invoice_id, status, starts_at, ends_at, created_at)
      VALUES ('sub-1', 1, 'bots', 'bots-30d', 'inv-1', 'active', now(), now() + interval '30 days', now());
  `);
  // users and bots "before" as the fleet's start-up left them; publisher and payments moved by stage 7 since.
  for (const context of OLD) await arrangeBefore(admin, context);
  for (const context of OLD.slice(2)) await swapContext(admin, { contexts: OLD }, context, 'move');
  expect((await status(admin, { contexts: OLD })).map((c) => c.state)).toEqual(['before', 'before', 'moved', 'moved']);
});

afterAll(async () => {
  await admin.end();
  await dropDatabaseAndRoles(name, []);
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('the rename to the plan\'s table names', () => {
  it('renames the tables, their views and their indexes on a database already "before" or moved, rows intact', async () => {
    const before: Record<string, unknown> = {};
    for (const context of OLD) for (const table of context.tables) before[RENAMED[table] ?? table] = await rowsOf(context.schema, table);

    await migrateSchemas(url, SCHEMAS, logger);

    const { rows: relations } = await admin.query<{ name: string; kind: string }>(
      `SELECT n.nspname || '.' || c.relname AS name, c.relkind::text AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'v') AND n.nspname = ANY($1::text[]) AND c.relname = ANY($2::text[]) ORDER BY 1`,
      [['public', ...SCHEMAS.map((s) => s.schema)], [...Object.keys(RENAMED), ...Object.values(RENAMED)]],
    );
    expect(relations).toEqual([
      { name: 'payment_service.payments', kind: 'r' },
      { name: 'payment_service.purchases', kind: 'r' },
      { name: 'public.payments', kind: 'v' },
      { name: 'public.published_posts', kind: 'v' },
      { name: 'public.purchases', kind: 'v' },
      { name: 'public.user_bots', kind: 'r' },
      { name: 'publisher_service.published_posts', kind: 'r' },
      { name: 'bot_service.user_bots', kind: 'v' },
    ].sort((a, b) => (a.name < b.name ? -1 : 1)));
    expect((await status(admin, FLEET_PLAN)).map((c) => [c.schema, c.state])).toEqual([
      ['user_service', 'before'], ['bot_service', 'before'], ['publisher_service', 'moved'], ['payment_service', 'moved'],
    ]);
    for (const [i, context] of FLEET_PLAN.contexts.entries()) {
      const verified = await verifyContext(admin, FLEET_PLAN, context, i < 2 ? 'before' : 'moved');
      expect([context.schema, verified.problems]).toEqual([context.schema, []]);
    }

    const { rows: names } = await admin.query<{ name: string }>(
      `SELECT i.relname AS name FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relkind = 'r' AND t.relname = ANY($1::text[])
       UNION ALL
       SELECT conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid WHERE t.relkind = 'r' AND t.relname = ANY($1::text[])
       ORDER BY 1`,
      [Object.values(RENAMED)],
    );
    expect([...new Set(names.map((n) => n.name))]).toEqual([
      'payments_amount_minor_check', 'payments_effect_key_key', 'payments_pkey', 'payments_provider_check', 'payments_provider_provider_invoice_id_key',
      'payments_status_check', 'payments_status_expires_at_idx', 'payments_telegram_id_created_at_idx',
      'published_posts_pkey', 'published_posts_post_id_fkey',
      'purchases_invoice_id_key', 'purchases_kind_check', 'purchases_pkey', 'purchases_source_check', 'purchases_status_check',
      'purchases_status_ends_at_idx', 'purchases_telegram_id_kind_status_ends_at_idx',
      'user_bots_owner_telegram_id_idx', 'user_bots_pkey', 'user_bots_token_sha256_key',
    ]);

    for (const context of FLEET_PLAN.contexts) {
      for (const table of context.tables) expect([table, await rowsOf(context.schema, table)]).toEqual([table, before[table]]);
    }

    // The generated clients (@@map to the plan's names) write through the view ("before") and the table (moved).
    const bots = openBotDatabase({ connectionString: url, maxConnections: 1 });
    const payments = openPaymentDatabase({ connectionString: url, maxConnections: 1 });
    try {
      await bots.bot.update({ where: { botId: 11n }, data: { greeting: 'hello again' } });
      await payments.invoice.create({ data: { id: 'inv-2', telegramId: 2n, planId: 'bots-30d', provider: 'platega', amountMinor: 29900n, currency: 'RUB', status: 'pending', createdAt: new Date(), expiresAt: new Date(Date.now() + 60_000) } });
    } finally {
      await Promise.all([bots.$disconnect(), payments.$disconnect()]);
    }
    expect((await admin.query('SELECT greeting FROM public.user_bots WHERE bot_id = 11')).rows).toEqual([{ greeting: 'hello again' }]);
    expect((await admin.query("SELECT status FROM public.payments WHERE id = 'inv-2'")).rows).toEqual([{ status: 'pending' }]);

    // A second start changes nothing.
    await migrateSchemas(url, SCHEMAS, logger);
    expect((await status(admin, FLEET_PLAN)).map((c) => c.state)).toEqual(['before', 'before', 'moved', 'moved']);
  });
});
