/**
 * Prisma 7 on the real PostgreSQL of the test bed, offline: two services (fixture in
 * ./prisma/, laid out like services/<context>/prisma) each own one schema and its migration
 * history; @nova/db applies their Prisma-format SQL migrations and keeps Prisma's
 * `_prisma_migrations`; the generated Rust-free clients query through @prisma/adapter-pg.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ChecksumMismatchError,
  MigrationFailedError,
  MigrationLockTimeoutError,
  PRISMA_ADVISORY_LOCK_KEY,
  migrate,
  prismaPgAdapter,
} from '@nova/db';
import { component } from '@nova/testbed';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PrismaClient as BotClient } from './prisma/bot-service/src/generated/prisma/client.js';
import { PrismaClient as UserClient } from './prisma/user-service/src/generated/prisma/client.js';

const fixture = fileURLToPath(new URL('./prisma/', import.meta.url));
const services = {
  user_service: join(fixture, 'user-service', 'prisma', 'migrations'),
  bot_service: join(fixture, 'bot-service', 'prisma', 'migrations'),
} as const;

const database = `nova_prisma_${randomBytes(4).toString('hex')}`;
let url: string;
let admin: pg.Client;
let db: pg.Client;
let work: string;
const clients: { $disconnect(): Promise<void> }[] = [];

function migrationNames(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

async function history(schema: string): Promise<Record<string, unknown>[]> {
  const result = await db.query(`SELECT * FROM "${schema}"._prisma_migrations ORDER BY migration_name`);
  return result.rows as Record<string, unknown>[];
}

async function tableExists(schema: string, table: string): Promise<boolean> {
  const result = await db.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [schema, table]);
  return result.rowCount === 1;
}

beforeAll(async () => {
  const server = component('postgres').url;
  admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const target = new URL(server);
  target.pathname = `/${database}`;
  url = target.toString();
  db = new pg.Client({ connectionString: url });
  await db.connect();
  work = mkdtempSync(join(tmpdir(), 'nova-prisma-'));
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.$disconnect()));
  await db.end();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
  rmSync(work, { recursive: true, force: true });
});

describe('migrations in Prisma folder format, applied per schema', () => {
  it('applies each service\'s migrations to its own schema and records them as Prisma does', async () => {
    for (const [schema, dir] of Object.entries(services)) {
      const result = await migrate({ connectionString: url, schema, migrationsDir: dir });
      expect(result).toEqual({ schema, applied: migrationNames(dir), alreadyApplied: [], missingLocally: [] });

      const rows = await history(schema);
      expect(rows.map((row) => row.migration_name)).toEqual(migrationNames(dir));
      for (const row of rows) {
        const file = readFileSync(join(dir, String(row.migration_name), 'migration.sql'));
        expect(row).toMatchObject({
          checksum: createHash('sha256').update(file).digest('hex'),
          logs: null,
          rolled_back_at: null,
          applied_steps_count: 1,
        });
        expect(String(row.id)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(row.finished_at).toBeInstanceOf(Date);
        expect((row.finished_at as Date).getTime()).toBeGreaterThanOrEqual((row.started_at as Date).getTime());
      }
    }
    const tables = await db.query<{ table_schema: string; table_name: string }>(
      `SELECT table_schema, table_name FROM information_schema.tables
        WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
    );
    expect(tables.rows.map((row) => `${row.table_schema}.${row.table_name}`)).toEqual([
      'bot_service._prisma_migrations',
      'bot_service.bot_audience',
      'bot_service.bots',
      'user_service._prisma_migrations',
      'user_service.users',
    ]);
  });

  it('keeps the history table with Prisma\'s exact column types', async () => {
    const columns = await db.query(
      `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
         FROM information_schema.columns WHERE table_schema = 'user_service' AND table_name = '_prisma_migrations'
        ORDER BY ordinal_position`,
    );
    expect(columns.rows).toEqual([
      { column_name: 'id', data_type: 'character varying', character_maximum_length: 36, is_nullable: 'NO', column_default: null },
      { column_name: 'checksum', data_type: 'character varying', character_maximum_length: 64, is_nullable: 'NO', column_default: null },
      { column_name: 'finished_at', data_type: 'timestamp with time zone', character_maximum_length: null, is_nullable: 'YES', column_default: null },
      { column_name: 'migration_name', data_type: 'character varying', character_maximum_length: 255, is_nullable: 'NO', column_default: null },
      { column_name: 'logs', data_type: 'text', character_maximum_length: null, is_nullable: 'YES', column_default: null },
      { column_name: 'rolled_back_at', data_type: 'timestamp with time zone', character_maximum_length: null, is_nullable: 'YES', column_default: null },
      { column_name: 'started_at', data_type: 'timestamp with time zone', character_maximum_length: null, is_nullable: 'NO', column_default: 'now()' },
      { column_name: 'applied_steps_count', data_type: 'integer', character_maximum_length: null, is_nullable: 'NO', column_default: '0' },
    ]);
  });

  it('a Prisma query round-trips through @prisma/adapter-pg in both schemas', async () => {
    const users = new UserClient({ adapter: prismaPgAdapter({ connectionString: url, schema: 'user_service' }) });
    const bots = new BotClient({ adapter: prismaPgAdapter({ connectionString: url, schema: 'bot_service' }) });
    clients.push(users, bots);

    await users.user.create({ data: { telegramId: 7_000_000_001n, firstName: 'Анна', languageCode: 'ru' } });
    expect(await users.user.findUnique({ where: { telegramId: 7_000_000_001n } })).toMatchObject({
      telegramId: 7_000_000_001n,
      firstName: 'Анна',
      languageCode: 'ru',
    });

    await bots.bot.create({
      data: {
        botId: 123_456_789n,
        ownerTelegramId: 7_000_000_001n,
        username: 'hello_anna_bot',
        greeting: 'Привет!',
        audience: { create: [{ telegramId: 11n }, { telegramId: 12n }] },
      },
    });
    const bot = await bots.bot.findUnique({ where: { botId: 123_456_789n }, include: { audience: { orderBy: { telegramId: 'asc' } } } });
    expect(bot?.greeting).toBe('Привет!');
    expect(bot?.audience.map((member) => member.telegramId)).toEqual([11n, 12n]);
    expect(await bots.bot.count({ where: { ownerTelegramId: 7_000_000_001n } })).toBe(1);

    // The rows are where the schemas say, seen without Prisma.
    const raw = await db.query(
      `SELECT (SELECT count(*) FROM user_service.users)::int AS users,
              (SELECT count(*) FROM bot_service.bot_audience WHERE bot_id = 123456789)::int AS audience`,
    );
    expect(raw.rows[0]).toEqual({ users: 1, audience: 2 });
  });

  it('applying again is a no-op', async () => {
    const before = await history('user_service');
    const result = await migrate({ connectionString: url, schema: 'user_service', migrationsDir: services.user_service });
    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied).toEqual(migrationNames(services.user_service));
    expect(await history('user_service')).toEqual(before);
    expect((await db.query('SELECT count(*)::int AS n FROM user_service.users')).rows[0]).toEqual({ n: 1 });
  });

  it('refuses a changed migration with a typed error and applies nothing after it', async () => {
    const dir = join(work, 'tampered');
    cpSync(services.user_service, dir, { recursive: true });
    appendFileSync(join(dir, '20260101000000_init', 'migration.sql'), '\nALTER TABLE "user_service"."users" ADD COLUMN "sneaky" TEXT;\n');
    mkdirSync(join(dir, '20260103000000_more'));
    writeFileSync(join(dir, '20260103000000_more', 'migration.sql'), 'CREATE TABLE "user_service"."more" ("id" INTEGER);\n');
    const before = await history('user_service');

    const attempt = migrate({ connectionString: url, schema: 'user_service', migrationsDir: dir });
    await expect(attempt).rejects.toBeInstanceOf(ChecksumMismatchError);
    await expect(attempt).rejects.toMatchObject({ schema: 'user_service', migration: '20260101000000_init' });
    expect(await tableExists('user_service', 'more')).toBe(false);
    expect(await history('user_service')).toEqual(before);
  });

  it('rolls a failing migration back entirely, records nothing, and applies it once fixed', async () => {
    const dir = join(work, 'failing');
    cpSync(services.bot_service, dir, { recursive: true });
    const broken = join(dir, '20260105000000_broken', 'migration.sql');
    mkdirSync(join(dir, '20260105000000_broken'));
    writeFileSync(broken, 'CREATE TABLE "bot_service"."half_done" ("id" INTEGER);\nSELECT 1 / 0;\n');

    const attempt = migrate({ connectionString: url, schema: 'bot_service', migrationsDir: dir });
    await expect(attempt).rejects.toBeInstanceOf(MigrationFailedError);
    await expect(attempt).rejects.toMatchObject({ migration: '20260105000000_broken', sqlState: '22012' });
    expect(await tableExists('bot_service', 'half_done')).toBe(false);
    expect((await history('bot_service')).map((row) => row.migration_name)).toEqual(migrationNames(services.bot_service));

    writeFileSync(broken, 'CREATE TABLE "bot_service"."half_done" ("id" INTEGER);\n');
    const fixed = await migrate({ connectionString: url, schema: 'bot_service', migrationsDir: dir });
    expect(fixed.applied).toEqual(['20260105000000_broken']);
    expect(await tableExists('bot_service', 'half_done')).toBe(true);
  });
});

describe('two runners at once', () => {
  it('apply each migration exactly once (unqualified names land in the runner\'s schema)', async () => {
    const dir = join(work, 'race');
    for (const [name, sql] of [
      ['1_counter', 'CREATE TABLE counter (id INTEGER PRIMARY KEY);\nINSERT INTO counter VALUES (1);\n'],
      ['2_more', 'INSERT INTO counter VALUES (2);\n'],
      ['3_more', 'INSERT INTO counter VALUES (3);\n'],
    ] as const) {
      mkdirSync(join(dir, name), { recursive: true });
      writeFileSync(join(dir, name, 'migration.sql'), sql);
    }
    const results = await Promise.all(
      [1, 2, 3].map(() => migrate({ connectionString: url, schema: 'race_service', migrationsDir: dir })),
    );
    expect(results.flatMap((result) => result.applied).sort()).toEqual(['1_counter', '2_more', '3_more']);
    expect((await db.query('SELECT array_agg(id ORDER BY id) AS ids FROM race_service.counter')).rows[0]).toEqual({ ids: [1, 2, 3] });
    expect(await history('race_service')).toHaveLength(3);
  });

  it('waits on the lock prisma migrate takes, and gives up with a typed error', async () => {
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
      const attempt = migrate({ connectionString: url, schema: 'user_service', migrationsDir: services.user_service, lockTimeoutMs: 200 });
      await expect(attempt).rejects.toBeInstanceOf(MigrationLockTimeoutError);
      await holder.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
      const after = await migrate({ connectionString: url, schema: 'user_service', migrationsDir: services.user_service, lockTimeoutMs: 200 });
      expect(after.applied).toEqual([]);
    } finally {
      await holder.end();
    }
  });
});
