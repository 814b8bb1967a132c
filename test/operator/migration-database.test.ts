/**
 * Stage 7 applied as a file the operator carries out (issue 18): examples/stages/stage-7-database.yaml
 * on the real kube-apiserver, the real operator process (its own RBAC) running each step with its
 * process runner — the nova-schema-move CLI from dist/ as a child, with the migration login from the
 * operator's environment only — on the real PostgreSQL, whose database is the fleet's on "before"
 * (every context's migrations applied by the services' start-up path, the stage-7 tables in public).
 *
 * The file is applied as written but for the namespace, its dependsOn (stages 1-6 are not here),
 * time (pauses of 1 s, the manual pause approved by the test, checks every second) and the
 * analysis' queries: constant PromQL on the test bed's Prometheus that always passes (no fleet runs
 * here to measure; the queries' shape is unit-tested in database-queries.test.ts).
 * The migration login is the test bed's superuser: it owns the fleet's tables, as the migration
 * login must. The Job runner has its own file (migration-database-job.test.ts): no kubelet here.
 *
 * - the whole file: a backup (its sha256 in status is the file's), the four contexts Moved in order
 *   with the rows checked and the time taken, Events for each, Promoted; the catalogue is "after";
 * - a row changed behind the verifier's back inside the publisher's swap (the engine's test-only fault
 *   hook, through the env var the process runner passes on): RolledBack, the publisher reversed by
 *   the engine, bot and user reversed by the operator newest first, no restore; the catalogue "before";
 * - the operator SIGKILLed between steps twice (once while a context is recorded Moving, once in a
 *   pause after a move): a new operator resumes and converges, every context moved exactly once.
 * No log line, status or Event holds the login's URL or password.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { USER_MIGRATIONS_DIR } from '@nova/user-service/domain';
import { BOT_MIGRATIONS_DIR } from '@nova/bot-service/domain';
import { PAYMENT_MIGRATIONS_DIR } from '@nova/payment-service/domain';
import { PUBLISHER_MIGRATIONS_DIR } from '@nova/publisher-service/domain';
import { createLogger } from '@nova/platform';
import { FLEET_PLAN, reverseAll, status as catalogueStatus } from '@nova/schema-move';
import { component, createDatabase, Stack } from '@nova/testbed';
import { migrateSchemas } from '@nova/wiring';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { parse } from 'yaml';
import type { NovaMigrationStatus } from '../../operator/src/api/novamigration.js';
import { dropDatabaseAndRoles } from '../schema-move/support/legacy-database.js';
import { adminKubeConfig, createNamespace, deleteNamespace, suffix } from './support/kube.js';
import { Migrations, passingAnalysis } from './support/migrations.js';
import { type OperatorIdentity, operatorIdentity, type RunningOperator, SCALED_DOWN_ELECTION, startOperator } from './support/operator-process.js';

const STAGE_FILE = new URL('../../examples/stages/stage-7-database.yaml', import.meta.url);
const SCHEMAS = [
  { schema: 'user_service', migrationsDir: USER_MIGRATIONS_DIR },
  { schema: 'bot_service', migrationsDir: BOT_MIGRATIONS_DIR },
  { schema: 'publisher_service', migrationsDir: PUBLISHER_MIGRATIONS_DIR },
  { schema: 'payment_service', migrationsDir: PAYMENT_MIGRATIONS_DIR },
];
const database = `stage7op_${randomBytes(3).toString('hex')}`;
const migrator = `${database}_migrator`;

let admin: KubeConfig;
let stack: Stack;
let identity: OperatorIdentity;
let namespace: string;
let migrations: Migrations;
let url: string;
let password: string;
let db: pg.Client;
let backupDir: string;
const operators: RunningOperator[] = [];
/** The migrations the running test created; afterEach removes them. */
const created: string[] = [];
let generation = 0;

beforeAll(async () => {
  admin = adminKubeConfig();
  stack = Stack.create();
  namespace = await createNamespace(admin, 'stage7');
  identity = await operatorIdentity(admin, stack);
  migrations = new Migrations(admin, namespace);
  const adminUrl = await createDatabase(component('postgres').url, database);
  await migrateSchemas(adminUrl, SCHEMAS, createLogger({ name: 'stage7-operator-test', level: 'warn' }));
  db = new pg.Client({ connectionString: adminUrl });
  await db.connect();
  // The migration login: a superuser (it must own the tables it moves) with a password, which the
  // test bed's own superuser has not: the password is the secret no log, status or Event may show.
  password = randomBytes(12).toString('hex');
  await db.query(`CREATE ROLE ${migrator} LOGIN SUPERUSER PASSWORD '${password}'`);
  const login = new URL(adminUrl);
  login.username = migrator;
  login.password = password;
  url = login.toString();
  // A few rows, so the verification has something to count and the fault something to change.
  await db.query(`INSERT INTO user_service.users (telegram_id, first_name, first_bot_id, created_at, last_seen_at)
    SELECT g, 'user ' || g, 1, now(), now() FROM generate_series(1, 25) AS g`);
  await db.query(`INSERT INTO publisher_service.posts (owner_telegram_id, text, entities, buttons, publish_at, status, created_at, updated_at)
    SELECT g, 'post ' || g, '[]', '[]', now(), 'PUBLISHED', now(), now() FROM generate_series(1, 5) AS g`);
  backupDir = join(stack.dir, 'backups');
  mkdirSync(backupDir, { recursive: true });
});

afterEach(async () => {
  // Whatever a test left (a failed one too): its migrations gone (finalizer first, so no operator is
  // needed), its operators stopped, the database back on "before" for the next test.
  for (const name of created.splice(0)) {
    await migrations.patch(name, { metadata: { finalizers: null } }).catch(() => undefined);
    await migrations.delete(name).catch(() => undefined);
  }
  await Promise.all(operators.splice(0).map((operator) => operator.process.stop()));
  await reverseAll(db, FLEET_PLAN);
});

afterAll(async () => {
  await db.end();
  await stack.stop();
  await deleteNamespace(admin, namespace);
  await identity.cleanup();
  await dropDatabaseAndRoles(database, [migrator]);
});

/** `killed`: this test SIGKILLs operators and waits for the next to lead (the scaled-down election, as migration-restart.test.ts). */
async function start(env: Record<string, string> = {}, killed = false): Promise<RunningOperator> {
  const operator = await startOperator(stack, identity, {
    name: `stage7-operator-${String(++generation)}`,
    watchNamespace: namespace,
    ...(killed ? { election: SCALED_DOWN_ELECTION } : {}),
    env: { NOVA_SCHEMA_MOVE_RUNNER: 'process', NOVA_SCHEMA_MOVE_DATABASE_URL: url, NOVA_SCHEMA_MOVE_BACKUP_DIR: backupDir, ...env },
  });
  operators.push(operator);
  return operator;
}

/** The stage file as written, adapted to this test as the file's comment says. */
function stageSpec(): Record<string, unknown> {
  const object = parse(readFileSync(STAGE_FILE, 'utf8')) as { spec: { steps: Record<string, unknown>[]; analysis: Record<string, unknown>; dependsOn?: string[] } };
  const steps = object.spec.steps.map((step) => ((step.pause as { duration?: string } | undefined)?.duration === undefined ? step : { pause: { duration: '1s' } }));
  const spec: Record<string, unknown> = { ...object.spec, steps, analysis: { ...object.spec.analysis, ...passingAnalysis('1s').analysis, window: '5s' } };
  delete spec.dependsOn; // stages 1-6 are not applied here
  return spec;
}

const MANUAL_PAUSE = 12; // 1-based: the pause before the 48 h bake

async function catalogue(): Promise<string[]> {
  return (await catalogueStatus(db, FLEET_PLAN)).map((context) => `${context.schema}:${context.state}`);
}

async function eventsOf(name: string): Promise<{ type: string; reason: string; note: string }[]> {
  const list = await admin.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace, fieldSelector: `regarding.name=${name}` });
  return list.items
    // Posted one after another, in order: creation order is resourceVersion order (two may share a millisecond).
    .sort((a, b) => Number(a.metadata?.resourceVersion) - Number(b.metadata?.resourceVersion))
    .map((event) => ({ type: event.type ?? '', reason: event.reason ?? '', note: event.note ?? '' }));
}

const contextStates = (status: NovaMigrationStatus) => (status.database?.contexts ?? []).map((c) => `${c.name}:${c.state}`);

function expectNoSecret(texts: readonly string[]): void {
  expect(password.length).toBeGreaterThan(8);
  for (const text of texts) {
    expect(text).not.toContain(url);
    expect(text).not.toContain(password);
  }
}

/** Creates the migration from the stage file (adapted), remembered for afterEach. */
async function apply(name: string): Promise<void> {
  created.push(name);
  await migrations.create(name, stageSpec());
}

describe('stage 7 applied with kubectl, carried out by the operator', () => {
  it('moves every context of the file, records the backup and each move in status and Events, and is Promoted', async () => {
    const operator = await start();
    const name = `stage-7-${suffix()}`;
    await apply(name);
    await migrations.waitFor(name, 'held at the manual pause with every context moved', (s) => s.phase === 'Paused' && s.currentStep === MANUAL_PAUSE - 1);
    await migrations.approve(name, MANUAL_PAUSE);
    const status = await migrations.waitFor(name, 'Promoted', (s) => s.phase === 'Promoted');
    expect(await catalogue()).toEqual(['user_service:moved', 'bot_service:moved', 'publisher_service:moved', 'payment_service:moved']);
    const backup = status.database?.backup;
    expect(backup).toMatchObject({ state: 'Done' });
    expect(backup?.path?.startsWith(backupDir)).toBe(true);
    const dump = readFileSync(backup?.path ?? '');
    expect(backup?.bytes).toBe(dump.length);
    expect(backup?.sha256).toBe(createHash('sha256').update(dump).digest('hex'));
    expect(contextStates(status)).toEqual(['user:Moved', 'bot:Moved', 'publisher:Moved', 'payment:Moved']);
    expect(status.database?.contexts?.find((c) => c.name === 'user')?.rowsChecked).toBe(25);
    expect(status.database?.contexts?.find((c) => c.name === 'publisher')?.rowsChecked).toBe(5);
    const events = await eventsOf(name);
    const moved = events.filter((e) => e.reason === 'ContextMoved').map((e) => e.note);
    expect(moved.map((note) => note.split(':')[0])).toEqual(['user', 'bot', 'publisher', 'payment']);
    expect(moved[0]).toMatch(/^user: tables moved into user_service and verified in \d+\.\d s, locks held \d+ ms, 25 rows checked$/u);
    expect(events.find((e) => e.reason === 'BackupTaken')?.note).toContain(backup?.sha256 ?? 'no sha256');
    expect(events.filter((e) => e.type === 'Warning')).toEqual([]);
    expectNoSecret([readFileSync(operator.process.logPath, 'utf8'), JSON.stringify(status), JSON.stringify(events)]);
  });

  it('reverses cleanly when a row is changed behind the verifier\'s back: the failed context by the engine, the others newest first, no restore', async () => {
    // The engine's test-only fault hook, through the variable the process runner passes on: inside
    // the publisher's move, after its tables moved and before the "after" fingerprint, a row of posts changes.
    const sql = "UPDATE publisher_service.posts SET text = 'changed behind the verifier''s back' WHERE id = (SELECT min(id) FROM publisher_service.posts)";
    await start({ NOVA_SCHEMA_MOVE_TEST_TAMPER: JSON.stringify({ schema: 'publisher_service', sql }) });
    const name = `stage-7-tamper-${suffix()}`;
    await apply(name);
    const status = await migrations.waitFor(name, 'rolled back and every context reversed', (s) => s.phase === 'RolledBack' && (s.database?.contexts ?? []).every((c) => c.state === 'Reversed') && (s.message ?? '').includes('every context is back'));
    expect(contextStates(status)).toEqual(['user:Reversed', 'bot:Reversed', 'publisher:Reversed']);
    expect(status.database?.restore).toBeUndefined();
    expect(status.database?.failure).toMatch(/the verification of publisher_service failed .*changed during the swap/u);
    expect(await catalogue()).toEqual(['user_service:before', 'bot_service:before', 'publisher_service:before', 'payment_service:before']);
    const events = await eventsOf(name);
    expect(events.filter((e) => e.reason === 'ContextReversed').map((e) => e.note.split(':')[0])).toEqual(['bot', 'user']);
    expect(events.filter((e) => e.type === 'Warning').map((e) => e.reason)).toEqual(['VerificationFailed', 'RolledBack']);
    expect(events.some((e) => e.reason === 'RestoringBackup')).toBe(false);
  });

  it('resumes after the operator is SIGKILLed between steps, and converges with every context moved once', async () => {
    // A report holding a read lock on user_bots keeps the bot context's swap retrying (lock_timeout), so
    // the operator is killed while bot is recorded Moving: its intent stored, its result not.
    const report = new pg.Client({ connectionString: url });
    await report.connect();
    await report.query('BEGIN');
    await report.query('LOCK TABLE public.user_bots IN ACCESS SHARE MODE');
    let operator = await start({}, true);
    const name = `stage-7-kill-${suffix()}`;
    await apply(name);
    try {
      await migrations.waitFor(name, 'bot recorded Moving', (s) => contextStates(s).includes('bot:Moving'));
      await operator.process.kill('SIGKILL');
    } finally {
      await report.query('COMMIT');
      await report.end();
    }
    const atKill = contextStates(await migrations.status(name));
    operator = await start({}, true);
    // Killed again in a pause after a move.
    await migrations.waitFor(name, 'in a pause after the publisher moved', (s) => contextStates(s).includes('publisher:Moved') && s.stepLabel?.includes('pause') === true);
    await operator.process.kill('SIGKILL');
    await start({}, true);
    await migrations.waitFor(name, 'held at the manual pause', (s) => s.phase === 'Paused' && s.currentStep === MANUAL_PAUSE - 1);
    await migrations.approve(name, MANUAL_PAUSE);
    const status = await migrations.waitFor(name, 'Promoted', (s) => s.phase === 'Promoted');
    expect(contextStates(status)).toEqual(['user:Moved', 'bot:Moved', 'publisher:Moved', 'payment:Moved']);
    expect(await catalogue()).toEqual(['user_service:moved', 'bot_service:moved', 'publisher_service:moved', 'payment_service:moved']);
    // No context reported moved twice: a move re-run after the kill found it done (or finished it).
    // (An Event is posted after the status write it explains: a kill between the two may lose one.)
    const moved = (await eventsOf(name)).filter((e) => e.reason === 'ContextMoved').map((e) => e.note.split(':')[0]);
    expect(new Set(moved).size).toBe(moved.length);
    expect(atKill).toEqual(['user:Moved', 'bot:Moving']);
  });
});
