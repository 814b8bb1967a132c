/**
 * Stage 7's sequence survives the operator being SIGKILLed at every boundary (issue 18: "kill -9 of
 * the operator between every pair of steps"): examples/stages/stage-7-database.yaml (adapted as in
 * migration-database.test.ts) on the real kube-apiserver and PostgreSQL, carried out by operator
 * processes with the process runner, each of which kills itself right after the status write that
 * records one of the boundaries below (the test bed's hook NOVA_SCHEMA_MOVE_TEST_SIGKILL_AFTER,
 * operator/src/migration/crash-points.ts): the intent or the result is stored, nothing after it ran.
 * The test starts the next operator each time one dies, one at a time, and never kills anything
 * itself: a kill the test aimed from outside would land wherever the operator happened to be, while
 * this one lands exactly after the write.
 *
 * Forward to the manual pause (every context moved), then a person's abort and back (every context
 * reversed), killed at every boundary of the sequence, each instance of each kind (FORWARD, BACK below). A restore needs a reverse that
 * fails: migration-database-restore.test.ts kills the operator at its intent.
 * At the end: every boundary killed an operator once, in order; every step (the backup, each move,
 * each reverse) was run exactly once across all the operators (none re-run after a kill that came
 * after its result, none lost after a kill that came after its intent), the backup recorded is the
 * one file in the folder, the catalogue is "before", and every row of every table is as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { BOT_MIGRATIONS_DIR } from '@nova/bot-service/domain';
import { PAYMENT_MIGRATIONS_DIR } from '@nova/payment-service/domain';
import { createLogger } from '@nova/platform';
import { PUBLISHER_MIGRATIONS_DIR } from '@nova/publisher-service/domain';
import { FLEET_PLAN, status as catalogueStatus } from '@nova/schema-move';
import { component, createDatabase, Stack, waitFor } from '@nova/testbed';
import { USER_MIGRATIONS_DIR } from '@nova/user-service/domain';
import { migrateSchemas } from '@nova/wiring';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
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
/**
 * The stage file's steps (0-based): 0 backup, 1 move user, 2 pause, 3 analysis, 4 move bot, ..., 10 move
 * payment, 11 the manual pause. Every boundary the sequence records, at every instance: the backup's
 * intent and result; entering each step; each context's Moving and Moved; the manual pause; the
 * rollback; each context's Reversing and Reversed, in reverse order. The order is asserted, so a
 * boundary that stops being recorded (or moves) fails the test rather than silently losing its kill.
 */
const FORWARD = [
  'backup:Running', 'backup:Done',
  'step:1', 'user:Moving', 'user:Moved', 'step:2', 'step:3',
  'step:4', 'bot:Moving', 'bot:Moved', 'step:5', 'step:6',
  'step:7', 'publisher:Moving', 'publisher:Moved', 'step:8', 'step:9',
  'step:10', 'payment:Moving', 'payment:Moved',
  'step:11', 'phase:Paused',
] as const;
const BACK = [
  'phase:RolledBack',
  'payment:Reversing', 'payment:Reversed', 'publisher:Reversing', 'publisher:Reversed',
  'bot:Reversing', 'bot:Reversed', 'user:Reversing', 'user:Reversed',
] as const;
const MANUAL_PAUSE = 12; // 1-based, as kubectl nova resume counts

const database = `stage7kill_${randomBytes(3).toString('hex')}`;
const migrator = `${database}_migrator`;
let admin: KubeConfig;
let stack: Stack;
let identity: OperatorIdentity;
let namespace: string;
let migrations: Migrations;
let url: string;
let db: pg.Client;
let backupDir: string;
const operators: RunningOperator[] = [];
/** Operators that exited because they missed the scaled-down election's renew deadline (a loaded machine). */
let leadershipLosses = 0;

beforeAll(async () => {
  admin = adminKubeConfig();
  stack = Stack.create();
  namespace = await createNamespace(admin, 'stage7kill');
  identity = await operatorIdentity(admin, stack);
  migrations = new Migrations(admin, namespace);
  const adminUrl = await createDatabase(component('postgres').url, database);
  await migrateSchemas(adminUrl, SCHEMAS, createLogger({ name: 'stage7-kills-test', level: 'warn' }));
  db = new pg.Client({ connectionString: adminUrl });
  await db.connect();
  // The migration login owns the tables (a superuser here, as in migration-database.test.ts).
  const password = randomBytes(12).toString('hex');
  await db.query(`CREATE ROLE ${migrator} LOGIN SUPERUSER PASSWORD '${password}'`);
  const login = new URL(adminUrl);
  login.username = migrator;
  login.password = password;
  url = login.toString();
  await db.query(`INSERT INTO user_service.users (telegram_id, first_name, first_bot_id, created_at, last_seen_at)
    SELECT g, 'user ' || g, 1, now(), now() FROM generate_series(1, 25) AS g`);
  await db.query(`INSERT INTO publisher_service.posts (owner_telegram_id, text, entities, buttons, publish_at, status, created_at, updated_at)
    SELECT g, 'post ' || g, '[]', '[]', now(), 'PUBLISHED', now(), now() FROM generate_series(1, 5) AS g`);
  await db.query(`INSERT INTO publisher_service.published_posts (post_id, chat_id, position) SELECT id, -100, 0 FROM publisher_service.posts`);
  await db.query(`INSERT INTO payment_service.payments (id, telegram_id, plan_id, provider, amount_minor, currency, status, created_at, expires_at)
    SELECT 'inv-' || g, g, 'bots-30d', 'cryptobot', 29900, 'RUB', 'pending', now(), now() + interval '1 hour' FROM generate_series(1, 7) AS g`);
  backupDir = join(stack.dir, 'backups');
  mkdirSync(backupDir, { recursive: true });
});

afterAll(async () => {
  await Promise.all(operators.map((operator) => operator.process.stop()));
  await db.end();
  await stack.stop();
  await deleteNamespace(admin, namespace);
  await identity.cleanup();
  await dropDatabaseAndRoles(database, [migrator]);
});

function stageSpec(): Record<string, unknown> {
  const object = parse(readFileSync(STAGE_FILE, 'utf8')) as { spec: { steps: Record<string, unknown>[]; analysis: Record<string, unknown>; dependsOn?: string[] } };
  const steps = object.spec.steps.map((step) => ((step.pause as { duration?: string } | undefined)?.duration === undefined ? step : { pause: { duration: '1s' } }));
  const spec: Record<string, unknown> = { ...object.spec, steps, analysis: { ...object.spec.analysis, ...passingAnalysis('1s').analysis, window: '5s' } };
  delete spec.dependsOn;
  return spec;
}

/** Every row of every stage-7 table, through the context's schema (whichever side holds the table). */
async function everyRow(): Promise<Record<string, unknown>> {
  const rows: Record<string, unknown> = {};
  for (const context of FLEET_PLAN.contexts) {
    for (const table of context.tables) {
      rows[table] = (await db.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS sum FROM ${context.schema}.${table} t`)).rows[0];
    }
  }
  return rows;
}

async function catalogue(): Promise<string[]> {
  return (await catalogueStatus(db, FLEET_PLAN)).map((context) => `${context.schema}:${context.state}`);
}

/** The boundary an operator killed itself at, from its log (crash-points.ts writes it just before). */
function boundaryOf(operator: RunningOperator): string | undefined {
  const line = readFileSync(operator.process.logPath, 'utf8').split('\n').find((l) => l.includes('test hook: SIGKILL'));
  return line === undefined ? undefined : (JSON.parse(line) as { boundary?: string }).boundary;
}

/**
 * Frees the Lease of an operator that died holding it, so that the next one leads at once instead of
 * after the lease (3 s here, times thirty-odd kills). Safe only because the holder's process has
 * exited (a person may do the same with kubectl delete lease). This file checks where the sequence
 * resumes after each kill; the takeover after a SIGKILLed leader waits out the lease in
 * test/operator/leader.test.ts and the chaos run, which time it.
 */
async function freeLeaseOfTheDead(operator: RunningOperator): Promise<void> {
  await operator.process.waitForExit();
  await admin.makeApiClient(CoordinationV1Api).deleteNamespacedLease({ namespace: identity.operatorNamespace, name: 'nova-operator' }).catch(() => undefined);
}

/**
 * Starts operators one after another, each with every kill point, until `reached` holds while one is
 * alive, which is then stopped; returns the boundaries they died at. Bounded: one operator per kill
 * point, and one more.
 */
async function driveUntil(name: string, points: readonly string[], what: string, reached: (s: NovaMigrationStatus) => boolean, budget: number): Promise<string[]> {
  const killedAt: string[] = [];
  for (let i = 0; i <= budget; i++) {
    const operator = await startOperator(stack, identity, {
      name: `stage7-kill-${String(operators.length + 1)}`,
      watchNamespace: namespace,
      election: SCALED_DOWN_ELECTION,
      waitUntilReady: false,
      env: { NOVA_SCHEMA_MOVE_RUNNER: 'process', NOVA_SCHEMA_MOVE_DATABASE_URL: url, NOVA_SCHEMA_MOVE_BACKUP_DIR: backupDir, NOVA_SCHEMA_MOVE_TEST_SIGKILL_AFTER: points.join(',') },
    });
    operators.push(operator);
    let exit: string | undefined;
    void operator.process.waitForExit().then((description) => { exit = description; });
    let last: NovaMigrationStatus = {};
    const failure = await waitFor(async () => reached((last = await migrations.status(name))), { timeoutMs: 60_000, abortReason: () => exit });
    if (failure === undefined) {
      // Stopped (SIGTERM) so that the next drive's first operator is the one a person's request meets.
      await operator.process.stop();
      // The status shows a boundary as soon as it is written, so the probe may see the one an operator
      // killed itself after before its exit is noticed: its log tells, and the next operator goes on.
      const boundary = boundaryOf(operator);
      if (boundary === undefined) return killedAt;
      killedAt.push(boundary);
      await freeLeaseOfTheDead(operator);
      continue;
    }
    if (exit === 'killed by SIGKILL') {
      killedAt.push(boundaryOf(operator) ?? `an unexpected kill (${exit})`);
      await freeLeaseOfTheDead(operator);
      continue;
    }
    // The scaled-down election's 2 s renew deadline can be missed on a loaded machine: that operator
    // exits on purpose (operator-process.ts) and a fresh one campaigns, which is what it is for.
    if (readFileSync(operator.process.logPath, 'utf8').includes('lost leadership') && leadershipLosses++ < 3) {
      budget++;
      continue;
    }
    throw new Error(`${name}: ${what}: ${failure}; last status ${JSON.stringify({ phase: last.phase, step: last.currentStep, database: last.database })}`);
  }
  throw new Error(`${name}: ${what} not reached after ${String(budget + 1)} operators; killed at ${killedAt.join(', ')}`);
}

/** Each database step an operator ran, by its id (the Job name it would have), over every operator's log. */
function stepsRun(): string[] {
  return operators.flatMap((operator) => readFileSync(operator.process.logPath, 'utf8').split('\n')
    .filter((line) => line.includes('"running a database step"'))
    .map((line) => (JSON.parse(line) as { step?: string }).step ?? '?'));
}

describe('stage 7 with the operator SIGKILLed at every boundary of its sequence', () => {
  it('moves every context and reverses them again, each step run once, the backup taken once, every row intact', async () => {
    const rows = await everyRow();
    const name = `stage-7-kills-${suffix()}`;
    await migrations.create(name, stageSpec());
    const points = [...FORWARD, ...BACK];

    const forward = await driveUntil(name, points, 'held at the manual pause', (s) => s.phase === 'Paused' && s.currentStep === MANUAL_PAUSE - 1, FORWARD.length);
    expect(forward).toEqual([...FORWARD]);
    expect(await catalogue()).toEqual(['user_service:moved', 'bot_service:moved', 'publisher_service:moved', 'payment_service:moved']);
    expect(await everyRow()).toEqual(rows);

    await migrations.patch(name, { metadata: { annotations: { 'novabot.io/abort': 'kill-test' } } });
    const back = await driveUntil(name, points, 'every context reversed', (s) => s.phase === 'RolledBack' && (s.database?.contexts ?? []).every((c) => c.state === 'Reversed') && (s.message ?? '').includes('every context is back'), BACK.length);
    expect(back).toEqual([...BACK]);

    const status = await migrations.status(name);
    expect(status.database?.restore).toBeUndefined();
    expect(await catalogue()).toEqual(['user_service:before', 'bot_service:before', 'publisher_service:before', 'payment_service:before']);
    expect(await everyRow()).toEqual(rows);
    // Each step ran exactly once over all the operators: none re-run after its result was stored, none skipped.
    // (An operator that lost its lease mid-step stopped that step's child, and the next ran it again, by
    // design: then only the order is checked.)
    const ran = stepsRun();
    expect(leadershipLosses === 0 ? ran : [...new Set(ran)]).toEqual(['r0-backup', 'r0-move-user', 'r0-move-bot', 'r0-move-publisher', 'r0-move-payment', 'r0-reverse-payment', 'r0-reverse-publisher', 'r0-reverse-bot', 'r0-reverse-user']);
    // The backup in status is the one file taken, its sha256 the file's.
    const backup = status.database?.backup;
    expect(readdirSync(backupDir).map((file) => join(backupDir, file))).toEqual([backup?.path]);
    expect(backup?.sha256).toBe(createHash('sha256').update(readFileSync(backup?.path ?? '')).digest('hex'));
    process.stdout.write(`migration-database-kills: ${String(operators.length)} operators, ${String(forward.length + back.length)} killed at a boundary, ${String(leadershipLosses)} lost their lease\n`);
  }, 240_000);
});
