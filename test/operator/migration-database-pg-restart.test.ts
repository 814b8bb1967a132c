/**
 * PostgreSQL restarted in the middle of a move that the operator is carrying out (issue 18: "every
 * step survives ... the database being restarted"). Real kube-apiserver, the operator as a process
 * with the process runner, and this file's own PostgreSQL (the test bed's `PostgresServer`: the
 * shared one must never be restarted, other files use it), holding the fleet's database on "before".
 *
 * A report's read lock on the bots context's table keeps its swap retrying under its lock_timeout, so
 * the operator is caught with bot recorded Moving; then PostgreSQL is stopped (fast shutdown: every
 * session ended with 57P01, the report's lock with it), kept down until the operator says it found
 * it down (its DatabaseUnavailable Event), and started again on the same data. The move must resume once the database is back (the CLI says the database was
 * unavailable, the operator keeps the intent and runs the step again): every context moved, the
 * migration Promoted without a rollback or a restore, every row as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { BOT_MIGRATIONS_DIR } from '@nova/bot-service/domain';
import { PAYMENT_MIGRATIONS_DIR } from '@nova/payment-service/domain';
import { createLogger } from '@nova/platform';
import { PUBLISHER_MIGRATIONS_DIR } from '@nova/publisher-service/domain';
import { FLEET_PLAN, status as catalogueStatus } from '@nova/schema-move';
import { createDatabase, PostgresServer, Stack, waitFor } from '@nova/testbed';
import { USER_MIGRATIONS_DIR } from '@nova/user-service/domain';
import { migrateSchemas } from '@nova/wiring';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { adminKubeConfig, createNamespace, deleteNamespace, suffix } from './support/kube.js';
import { Migrations } from './support/migrations.js';
import { type OperatorIdentity, operatorIdentity, type RunningOperator, startOperator } from './support/operator-process.js';

const SCHEMAS = [
  { schema: 'user_service', migrationsDir: USER_MIGRATIONS_DIR },
  { schema: 'bot_service', migrationsDir: BOT_MIGRATIONS_DIR },
  { schema: 'publisher_service', migrationsDir: PUBLISHER_MIGRATIONS_DIR },
  { schema: 'payment_service', migrationsDir: PAYMENT_MIGRATIONS_DIR },
];
const NAMES = ['user', 'bot', 'publisher', 'payment'];

let admin: KubeConfig;
let stack: Stack;
let server: PostgresServer;
let identity: OperatorIdentity;
let namespace: string;
let adminUrl: string;
let url: string;
let operator: RunningOperator | undefined;

/** A fresh connection each time: the server restarts under this test. */
async function query<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

async function everyRow(): Promise<Record<string, unknown>> {
  const rows: Record<string, unknown> = {};
  for (const context of FLEET_PLAN.contexts) {
    for (const table of context.tables) rows[table] = (await query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS sum FROM ${context.schema}.${table} t`))[0];
  }
  return rows;
}

beforeAll(async () => {
  admin = adminKubeConfig();
  stack = Stack.create();
  server = await PostgresServer.start(stack);
  namespace = await createNamespace(admin, 'stage7pg');
  identity = await operatorIdentity(admin, stack);
  adminUrl = await createDatabase(server.info.url, 'stage7pg');
  await migrateSchemas(adminUrl, SCHEMAS, createLogger({ name: 'stage7-pg-restart-test', level: 'warn' }));
  // The migration login owns the tables (a superuser, as in migration-database.test.ts), with a password.
  const password = randomBytes(12).toString('hex');
  await query(`CREATE ROLE stage7_migrator LOGIN SUPERUSER PASSWORD '${password}'`);
  const login = new URL(adminUrl);
  login.username = 'stage7_migrator';
  login.password = password;
  url = login.toString();
  await query(`INSERT INTO user_service.users (telegram_id, first_name, first_bot_id, created_at, last_seen_at)
    SELECT g, 'user ' || g, 1, now(), now() FROM generate_series(1, 25) AS g`);
  await query(`INSERT INTO bot_service.user_bots (bot_id, owner_telegram_id, username, greeting, token_ciphertext, token_key_id, token_sha256, webhook_secret_sha256, created_at, updated_at)
    SELECT g, g, 'bot_' || g, 'hi', '\\x01', 'k', decode(md5(g::text), 'hex'), '\\x03', now(), now() FROM generate_series(1, 6) AS g`);
  await query(`INSERT INTO payment_service.payments (id, telegram_id, plan_id, provider, amount_minor, currency, status, created_at, expires_at)
    SELECT 'inv-' || g, g, 'bots-30d', 'cryptobot', 29900, 'RUB', 'pending', now(), now() + interval '1 hour' FROM generate_series(1, 7) AS g`);
});

afterAll(async () => {
  await operator?.process.stop();
  await stack.stop(); // the server and its data go with the stack's folder
  await deleteNamespace(admin, namespace);
  await identity.cleanup();
});

describe('PostgreSQL restarted during a move carried out by the operator', () => {
  it('resumes the move once the database is back: every context moved, no rollback, no restore, every row intact', async () => {
    const rows = await everyRow();
    const backupDir = join(stack.dir, 'backups');
    mkdirSync(backupDir, { recursive: true });
    operator = await startOperator(stack, identity, { name: 'stage7-pg-restart-operator', watchNamespace: namespace, env: { NOVA_SCHEMA_MOVE_RUNNER: 'process', NOVA_SCHEMA_MOVE_DATABASE_URL: url, NOVA_SCHEMA_MOVE_BACKUP_DIR: backupDir } });
    const migrations = new Migrations(admin, namespace);
    const name = `stage-7-pg-restart-${suffix()}`;
    const report = new pg.Client({ connectionString: adminUrl });
    report.on('error', () => undefined); // its session ends with the server's shutdown
    await report.connect();
    await report.query('BEGIN');
    await report.query('LOCK TABLE public.user_bots IN ACCESS SHARE MODE');
    await migrations.create(name, {
      database: { contexts: FLEET_PLAN.contexts.map((c, i) => ({ name: NAMES[i], schema: c.schema, tables: c.tables })), lockTimeout: '50ms', retries: 20 },
      steps: [{ backup: {} }, ...NAMES.map((context) => ({ moveSchema: { context } }))],
    });
    await migrations.waitFor(name, 'bot recorded Moving', (s) => s.database?.contexts?.some((c) => c.name === 'bot' && c.state === 'Moving') === true);
    await server.stop();
    await report.end().catch(() => undefined);
    // Down until the operator has seen it down: its swap (a process it starts after recording
    // Moving) may not have connected yet when the server stopped, and a server back before the swap
    // tries would test nothing. A fresh-clone run here restarted it that early once.
    const warnings = async (): Promise<string[]> => {
      const list = await admin.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace, fieldSelector: `regarding.name=${name}` });
      return list.items.filter((e) => e.type === 'Warning').map((e) => `${e.reason ?? ''}: ${e.note ?? ''}`);
    };
    const seenDown = await waitFor(async () => (await warnings()).some((w) => w.startsWith('DatabaseUnavailable: bot:')), { timeoutMs: 60_000, intervalMs: 200 });
    expect(seenDown).toBeUndefined();
    await server.start();

    const status = await migrations.waitFor(name, 'Promoted', (s) => s.phase === 'Promoted' || s.phase === 'RolledBack' || s.phase === 'Failed', 90_000);
    expect([status.phase, status.database?.failure, status.database?.restore]).toEqual(['Promoted', undefined, undefined]);
    expect(status.database?.contexts?.map((c) => `${c.name}:${c.state}`)).toEqual(['user:Moved', 'bot:Moved', 'publisher:Moved', 'payment:Moved']);
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      expect((await catalogueStatus(client, FLEET_PLAN)).map((c) => c.state)).toEqual(['moved', 'moved', 'moved', 'moved']);
    } finally {
      await client.end();
    }
    expect(await everyRow()).toEqual(rows);
    expect((await warnings()).filter((w) => !w.startsWith('DatabaseUnavailable') && !w.startsWith('MoveDelayed'))).toEqual([]);
  });
});
