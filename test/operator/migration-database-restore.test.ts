/**
 * Stage 7's last resort through the operator, once (issue 18): a reverse that cannot be made makes
 * the operator restore the backup, recorded in status before it runs, said loudly in Warning Events.
 * Real kube-apiserver, the operator as a process under its RBAC with the process runner, the fleet's
 * database on "before" on the real PostgreSQL (as migration-database.test.ts, whose header says why
 * the migration login is a superuser with a password).
 *
 * The user context is moved, then a person aborts at the manual pause while a report holds a read
 * lock on the moved table: the reverse gets no lock (lockTimeout 50 ms, retries 0) and fails, the
 * restore is recorded Running and the operator SIGKILLs itself right after that write (the test bed's
 * hook), the report ends, the next operator runs the restore: the database is the backup's again (every
 * context "before", a row written after the backup gone), and the Events say so, the warning before the
 * restore included (it was lost with the killed operator before the restore's Event moved to its run).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { USER_MIGRATIONS_DIR } from '@nova/user-service/domain';
import { BOT_MIGRATIONS_DIR } from '@nova/bot-service/domain';
import { PAYMENT_MIGRATIONS_DIR } from '@nova/payment-service/domain';
import { PUBLISHER_MIGRATIONS_DIR } from '@nova/publisher-service/domain';
import { createLogger } from '@nova/platform';
import { FLEET_PLAN, status as catalogueStatus } from '@nova/schema-move';
import { component, createDatabase, Stack } from '@nova/testbed';
import { migrateSchemas } from '@nova/wiring';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { dropDatabaseAndRoles } from '../schema-move/support/legacy-database.js';
import { adminKubeConfig, createNamespace, deleteNamespace, suffix } from './support/kube.js';
import { Migrations } from './support/migrations.js';
import { type OperatorIdentity, operatorIdentity, operatorTail, type RunningOperator, SCALED_DOWN_ELECTION, startOperator } from './support/operator-process.js';

const SCHEMAS = [
  { schema: 'user_service', migrationsDir: USER_MIGRATIONS_DIR },
  { schema: 'bot_service', migrationsDir: BOT_MIGRATIONS_DIR },
  { schema: 'publisher_service', migrationsDir: PUBLISHER_MIGRATIONS_DIR },
  { schema: 'payment_service', migrationsDir: PAYMENT_MIGRATIONS_DIR },
];
const database = `stage7restore_${randomBytes(3).toString('hex')}`;
const migrator = `${database}_migrator`;

let admin: KubeConfig;
let stack: Stack;
let identity: OperatorIdentity;
let namespace: string;
let db: pg.Client;
let url: string;
let operator: RunningOperator | undefined;

beforeAll(async () => {
  admin = adminKubeConfig();
  stack = Stack.create();
  namespace = await createNamespace(admin, 'stage7restore');
  identity = await operatorIdentity(admin, stack);
  const adminUrl = await createDatabase(component('postgres').url, database);
  await migrateSchemas(adminUrl, SCHEMAS, createLogger({ name: 'stage7-restore-test', level: 'warn' }));
  db = new pg.Client({ connectionString: adminUrl });
  await db.connect();
  await db.query(`INSERT INTO user_service.users (telegram_id, first_name, first_bot_id, created_at, last_seen_at)
    SELECT g, 'user ' || g, 1, now(), now() FROM generate_series(1, 10) AS g`);
  const password = randomBytes(12).toString('hex');
  await db.query(`CREATE ROLE ${migrator} LOGIN SUPERUSER PASSWORD '${password}'`);
  const login = new URL(adminUrl);
  login.username = migrator;
  login.password = password;
  url = login.toString();
});

afterAll(async () => {
  await operator?.process.stop();
  await db.end();
  await stack.stop();
  await deleteNamespace(admin, namespace);
  await identity.cleanup();
  await dropDatabaseAndRoles(database, [migrator]);
});

describe('the last resort', () => {
  it('restores the backup when a reverse cannot be made, recorded first and said loudly', async () => {
    const backupDir = join(stack.dir, 'backups');
    mkdirSync(backupDir, { recursive: true });
    // Each operator dies right after the status write that records the restore's intent (the test
    // bed's hook, crash-points.ts): the restore and its loud warning must come from the next one.
    const env = { NOVA_SCHEMA_MOVE_RUNNER: 'process', NOVA_SCHEMA_MOVE_DATABASE_URL: url, NOVA_SCHEMA_MOVE_BACKUP_DIR: backupDir, NOVA_SCHEMA_MOVE_TEST_SIGKILL_AFTER: 'restore:Running' };
    operator = await startOperator(stack, identity, { name: 'stage7-restore-operator', watchNamespace: namespace, election: SCALED_DOWN_ELECTION, env });
    const migrations = new Migrations(admin, namespace);
    const name = `stage-7-restore-${suffix()}`;
    await migrations.create(name, {
      database: { contexts: FLEET_PLAN.contexts.map((c, i) => ({ name: ['user', 'bot', 'publisher', 'payment'][i], schema: c.schema, tables: c.tables })), lockTimeout: '50ms', retries: 0 },
      steps: [{ backup: {} }, { moveSchema: { context: 'user' } }, { pause: {} }, { moveSchema: { context: 'bot' } }],
    });
    await migrations.waitFor(name, 'user moved, held at the manual pause', (s) => s.phase === 'Paused' && s.database?.contexts?.[0]?.state === 'Moved');
    // Written after the backup: the restore must take it away (that is why it is the last resort).
    await db.query(`INSERT INTO user_service.users (telegram_id, first_name, first_bot_id, created_at, last_seen_at) VALUES (999, 'after the backup', 1, now(), now())`);
    const report = new pg.Client({ connectionString: url });
    await report.connect();
    await report.query('BEGIN');
    await report.query('LOCK TABLE user_service.users IN ACCESS SHARE MODE');
    try {
      await migrations.patch(name, { metadata: { annotations: { 'novabot.io/abort': 'restore-test' } } });
      await migrations.waitFor(name, 'the restore recorded before it runs', (s) => s.database?.restore?.state === 'Running');
    } finally {
      await report.query('COMMIT');
      await report.end();
    }
    expect(await operator.process.waitForExit()).toBe('killed by SIGKILL');
    expect(readFileSync(operator.process.logPath, 'utf8')).toContain('"boundary":"restore:Running"');
    const first = operator;
    // The second operator keeps the production election: it takes the Lease once the killed one's 3-s
    // record has run out (a candidate counts the holder's duration), and its own 10-s renew deadline is
    // not missed under load, as a 2-s one can be (operator-process.ts): nobody would run the restore then.
    const second = await startOperator(stack, identity, { name: 'stage7-restore-operator-2', watchNamespace: namespace, election: 'defaults', env });
    operator = second;
    // A restore that never ends says which operator stopped where (CI once saw it stay Running).
    const stored = await migrations.waitFor(name, 'restored', (s) => s.database?.restore?.state === 'Done').catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${operatorTail(first, 8)}\n${operatorTail(second)}`, { cause: error });
    });
    expect(stored.phase).toBe('RolledBack');
    expect(stored.database?.contexts?.map((c) => `${c.name}:${c.state}`)).toEqual(['user:Reversed']);
    expect((await catalogueStatus(db, FLEET_PLAN)).map((c) => c.state)).toEqual(['before', 'before', 'before', 'before']);
    expect((await db.query('SELECT count(*)::int AS n FROM public.users')).rows[0]).toEqual({ n: 10 });
    const list = await admin.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace, fieldSelector: `regarding.name=${name}` });
    const warnings = list.items
      .sort((a, b) => Number(a.metadata?.resourceVersion) - Number(b.metadata?.resourceVersion))
      .filter((e) => e.type === 'Warning').map((e) => ({ reason: e.reason, note: e.note ?? '' }));
    expect(warnings.map((w) => w.reason)).toEqual(['RolledBack', 'RestoringBackup', 'BackupRestored']);
    expect(warnings[1]?.note).toMatch(/^THE LAST RESORT: the reverse of user_service failed \(LockNotAvailableError: .*\); restoring the WHOLE DATABASE from the backup .* every row written since then is LOST$/u);
    await migrations.patch(name, { metadata: { finalizers: null } });
    await migrations.delete(name);
  });
});
