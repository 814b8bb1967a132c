/**
 * One database login per deployable (issue 18, docs/packaging.md "One database login per
 * deployable"), on the test bed's real PostgreSQL and NATS: the logins are made with the SQL an SRE
 * runs (below, as the docs give it), then the real user service process starts with
 * NOVA_MIGRATION_DATABASE_URL (the migration login: its start-up migrations and stage 7's "before"
 * arrangement) and NOVA_DATABASE_URL (its own runtime login: DML on user_service only).
 * - On "before" (views in user_service, the tables in public, owned by the migration login) the
 *   service answers svc.user.upsert/get as its own login, and its rows are in public.users.
 * - The runtime login of another context (bot_service's) can read neither user_service's view nor
 *   public's table; the user service's runtime login cannot create in its schema.
 * - stage 7's move (`moveAll`, the plan naming the runtime login, run as the migration login) and its
 *   reverse keep the running service working, and the other context still reads nothing.
 * - Neither URL's password is in the service's log.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { FLEET_PLAN, moveAll, reverseAll, status, type MovePlan } from '@nova/schema-move';
import { component } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connectSideBus } from '../e2e/support/due-poller.js';
import type { NovaBus } from '@nova/bus';
import type { RunningService } from './support/services.js';
import { World } from './support/world.js';

jest.setTimeout(120_000);

const suffix = randomBytes(3).toString('hex');
const MIGRATOR = `nova_migrator_${suffix}`;
const USERS = `nova_user_service_${suffix}`;
const BOTS = `nova_bot_service_${suffix}`;
// The test bed's PostgreSQL trusts loopback logins and ignores passwords; the URLs carry them anyway,
// so the log scan below looks for what a real cluster's URLs would hold.
const passwords = { [MIGRATOR]: `mig-${randomBytes(12).toString('hex')}`, [USERS]: `usr-${randomBytes(12).toString('hex')}`, [BOTS]: `bot-${randomBytes(12).toString('hex')}` };

/** docs/packaging.md's SQL: the migration login, once. */
function migrationLoginSql(database: string): string[] {
  return [
    `CREATE ROLE ${MIGRATOR} LOGIN PASSWORD '${passwords[MIGRATOR]}'`,
    `GRANT CREATE ON DATABASE ${database} TO ${MIGRATOR}`,
    // stage 7's "before": the start-up arrangement moves the plan's tables into public.
    `GRANT CREATE ON SCHEMA public TO ${MIGRATOR}`,
  ];
}

/** docs/packaging.md's SQL: one runtime login per deployable, DML on its own schema only. */
function runtimeLoginSql(role: string, schema: string): string[] {
  return [
    `CREATE ROLE ${role} LOGIN PASSWORD '${passwords[role] ?? ''}'`,
    `CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${MIGRATOR}`,
    `GRANT USAGE ON SCHEMA ${schema} TO ${role}`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${MIGRATOR} IN SCHEMA ${schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role}`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${MIGRATOR} IN SCHEMA ${schema} GRANT USAGE, SELECT ON SEQUENCES TO ${role}`,
  ];
}

let world: World;
let users: RunningService;
let bus: NovaBus | undefined;
let migrator: pg.Client;

function urlAs(role: string): string {
  const url = new URL(world.database.url);
  url.username = role;
  url.password = passwords[role] ?? '';
  return url.toString();
}

/** Runs `sql` as `role` on its own connection; the error's SQLSTATE, or 'ok'. */
async function as(role: string, sql: string): Promise<string> {
  const client = new pg.Client({ connectionString: urlAs(role) });
  await client.connect();
  try {
    await client.query(sql);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end();
  }
}

let effects = 0;

async function upsertAndGet(telegramId: bigint, firstName: string): Promise<string | undefined> {
  if (bus === undefined) throw new Error('no bus: beforeAll failed');
  effects += 1;
  await bus.request('svc.user.upsert', { telegramId, firstName, botId: 1n, effectKey: `logins:${String(effects)}` });
  const reply = await bus.request('svc.user.get', { telegramId });
  return reply.user?.firstName;
}

async function kindsOf(table: string): Promise<Record<string, string>> {
  const { rows } = await migrator.query<{ schema: string; kind: string; owner: string }>(
    `SELECT n.nspname AS schema, c.relkind::text AS kind, pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = $1 AND n.nspname IN ('public', 'user_service') ORDER BY 1`,
    [table],
  );
  return Object.fromEntries(rows.map((r) => [r.schema, `${r.kind} owned by ${r.owner === MIGRATOR ? 'the migration login' : r.owner}`]));
}

beforeAll(async () => {
  world = await World.create('logins');
  const database = new URL(world.database.url).pathname.slice(1);
  for (const statement of [...migrationLoginSql(database), ...runtimeLoginSql(USERS, 'user_service'), ...runtimeLoginSql(BOTS, 'bot_service')]) await world.database.query(statement);
  migrator = new pg.Client({ connectionString: urlAs(MIGRATOR) });
  await migrator.connect();
  users = await world.start('user-service', { NOVA_NATS_URL: world.nats.url, NOVA_DATABASE_URL: urlAs(USERS), NOVA_MIGRATION_DATABASE_URL: urlAs(MIGRATOR) });
  bus = await connectSideBus(world.nats.url, 'target');
});

afterAll(async () => {
  // Each step guarded: a service that failed to start (say, migrating as its runtime login) leaves
  // the later ones unset, and the roles must go anyway.
  await bus?.close();
  await migrator.end().catch(() => undefined);
  await world.close();
  // Roles are the server's, not the database's: the dropped database took their grants with it.
  const server = new pg.Client({ connectionString: component('postgres').url });
  await server.connect();
  try {
    for (const role of [USERS, BOTS, MIGRATOR]) await server.query(`DROP ROLE IF EXISTS ${role}`);
  } finally {
    await server.end();
  }
});

describe('the user service on its own runtime login, migrated by the migration login', () => {
  const userContext = FLEET_PLAN.contexts.find((c) => c.schema === 'user_service');
  if (userContext === undefined) throw new Error('FLEET_PLAN has no user_service');
  // The plan names the runtime login: a swap grants on the relations it creates only to those.
  const plan: MovePlan = { contexts: [{ ...userContext, role: USERS }] };

  it('works on "before": views in user_service, the tables in public, its rows written as its own login', async () => {
    expect(await kindsOf('users')).toEqual({ public: 'r owned by the migration login', user_service: 'v owned by the migration login' });
    expect((await status(migrator, plan)).map((c) => c.state)).toEqual(['before']);
    expect(await upsertAndGet(700_001n, 'Anna')).toBe('Anna');
    const { rows } = await world.database.query<{ first_name: string }>('SELECT first_name FROM public.users WHERE telegram_id = 700001');
    expect(rows).toEqual([{ first_name: 'Anna' }]);
    // Its own login may not change the schema (migrations are the migration login's).
    expect(await as(USERS, 'CREATE TABLE user_service.intruder (id int)')).toBe('42501');
    // The default privileges granted it the table when the migration created it in user_service, and
    // table grants travel with SET SCHEMA: on a fresh "before" it also reaches public.users directly
    // (its own rows; docs/packaging.md says so). A reverse naming it in its plan revokes that (below).
    expect(await as(USERS, 'SELECT 1 FROM public.users LIMIT 1')).toBe('ok');
  });

  it('keeps another context\'s runtime login out of its tables, on either side', async () => {
    expect(await as(BOTS, 'SELECT * FROM user_service.users')).toBe('42501');
    expect(await as(BOTS, 'SELECT * FROM public.users')).toBe('42501');
    expect(await as(BOTS, 'SELECT * FROM user_service.outbox_events')).toBe('42501');
  });

  it('keeps working through stage 7\'s move and reverse with the plan naming its login', async () => {
    await moveAll(migrator, plan);
    expect(await kindsOf('users')).toEqual({ public: 'v owned by the migration login', user_service: 'r owned by the migration login' });
    expect(await upsertAndGet(700_002n, 'Boris')).toBe('Boris');
    expect(await upsertAndGet(700_001n, 'Anna K')).toBe('Anna K');
    expect(await as(BOTS, 'SELECT * FROM user_service.users')).toBe('42501');
    expect(await as(BOTS, 'SELECT * FROM public.users')).toBe('42501');

    await reverseAll(migrator, plan);
    expect(await kindsOf('users')).toEqual({ public: 'r owned by the migration login', user_service: 'v owned by the migration login' });
    expect(await upsertAndGet(700_003n, 'Vera')).toBe('Vera');
    expect(await as(USERS, 'SELECT 1 FROM public.users LIMIT 1')).toBe('42501');
    expect(await as(BOTS, 'SELECT * FROM user_service.users')).toBe('42501');
    const { rows } = await world.database.query<{ n: number }>('SELECT count(*)::int AS n FROM public.users');
    expect(rows[0]?.n).toBe(3);
  });

  it('never logs either login\'s password', () => {
    const log = users.logText();
    expect(log).toContain('database schema is current');
    for (const [role, password] of Object.entries(passwords)) expect([role, log.includes(password)]).toEqual([role, false]);
  });
});
