/**
 * Issue 21: a deployable started while PostgreSQL is down used to exit (its migrations' connect
 * failed, start failed, exit 1: in Kubernetes, CrashLoopBackOff with growing delays). Now it waits
 * as it waits for NATS (start-without-nats.test.ts): /healthz 200, /readyz 503 naming the
 * database's host:port, and it migrates and serves as soon as the database answers. Checked on
 * two real deployables from their builds (`npm run build` first): the user service (NATS up,
 * the database not) and the monolith in `inline` mode (no NATS at all), against a real
 * PostgreSQL of the test bed started after them on the very port they were pointed at.
 */
import { afterAll, expect, it, jest } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { connectJetStreamBus, type Bus } from '@nova/bus';
import { UpsertUserRequestSchema } from '@nova/contracts';
import { TelegramEmulator } from '@nova/telegram-emulator';
import { freePort, PostgresServer, startNats, Stack, type NatsInfo } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runFixture, type Child } from '../bus/support/processes.js';
import { readyz, type Readyz } from './support/readyz.js';
import { memoryLogger, testMetrics } from '../bus/support/nats.js';
import { until } from '../services/support/until.js';

jest.setTimeout(120_000);

const PASSWORD = `hunter2-db-${randomBytes(6).toString('hex')}`;
const stack = Stack.create();
const children: Child[] = [];
let nats: NatsInfo;
let emulator: TelegramEmulator | undefined;
let caller: Bus | undefined;

afterAll(async () => {
  await caller?.close();
  for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  await emulator?.stop();
  await stack.stop();
});

/** A deployable's build as a child process (its output kept, not only its log file). */
async function startDeployable(deployable: 'user-service' | 'monolith', env: Record<string, string>): Promise<{ child: Child; httpPort: number }> {
  const httpPort = await freePort();
  const child = runFixture(`services/${deployable}/dist/main.js`, { NOVA_NAMESPACE: 'test', NOVA_HTTP_ADDRESS: `127.0.0.1:${String(httpPort)}`, ...env });
  children.push(child);
  return { child, httpPort };
}

/** Waits for /readyz 503 naming the database it waits for; fails at once if the process exits. */
async function waitingForDatabase(child: Child, httpPort: number, databasePort: number): Promise<Readyz> {
  let last: Readyz | undefined;
  await until(`/readyz 503 waiting for PostgreSQL at 127.0.0.1:${String(databasePort)}`, async () => {
    if (child.process.exitCode !== null) throw new Error(`the process exited (${String(child.process.exitCode)}) instead of waiting for PostgreSQL: ${child.output()}`);
    last = await readyz(httpPort);
    return last?.status === 503 && (last.reasons?.starting ?? '').includes(`waiting for PostgreSQL at 127.0.0.1:${String(databasePort)}`);
  }, 60_000);
  if (last === undefined) throw new Error('unreachable');
  return last;
}

function databaseUrl(port: number): string {
  // trust auth ignores the password; it is there to be looked for on /readyz and in the log.
  return `postgresql://nova:${PASSWORD}@127.0.0.1:${String(port)}/postgres`;
}

it('the user service and the monolith wait for PostgreSQL with /readyz 503 and the reason, then migrate, become ready and serve', async () => {
  nats = await startNats(stack);
  emulator = await TelegramEmulator.start();
  const mainBot = emulator.createBot({ username: 'NovaMainBot', firstName: 'Nova' });
  const databasePort = await freePort();
  const url = databaseUrl(databasePort);

  const users = await startDeployable('user-service', { NOVA_NATS_URL: nats.url, NOVA_DATABASE_URL: url });
  const monolithPort = await freePort();
  const monolith = runFixture('services/monolith/dist/main.js', {
    NOVA_NAMESPACE: 'test',
    NOVA_HTTP_ADDRESS: `127.0.0.1:${String(monolithPort)}`,
    NOVA_MONOLITH_UPDATES: 'inline',
    NOVA_DATABASE_URL: url,
    NOVA_MAIN_BOT_TOKEN: mainBot.token,
    NOVA_TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    NOVA_WEBHOOK_SECRET: randomBytes(24).toString('base64url'),
    NOVA_TELEGRAM_API_ROOT: emulator.apiRoot,
    NOVA_PUBLIC_URL: `http://127.0.0.1:${String(monolithPort)}`,
  });
  children.push(monolith);

  for (const [child, httpPort] of [[users.child, users.httpPort], [monolith, monolithPort]] as const) {
    const waiting = await waitingForDatabase(child, httpPort, databasePort);
    expect(waiting.reasons?.starting).toMatch(/^starting: waiting for PostgreSQL at 127\.0\.0\.1:\d+: /u);
    expect(JSON.stringify(waiting)).not.toContain(PASSWORD);
    expect((await fetch(`http://127.0.0.1:${String(httpPort)}/healthz`)).status).toBe(200);
  }

  const postgres = await PostgresServer.start(stack, { port: databasePort });
  await until('the user service ready once PostgreSQL is up', async () => (await readyz(users.httpPort))?.status === 200, 60_000);
  await until('the monolith ready once PostgreSQL is up', async () => (await readyz(monolithPort))?.status === 200, 60_000);

  // The user service's work: a registration answered and stored (its schema was migrated after the wait).
  caller = await connectJetStreamBus({ servers: [nats.url], name: 'caller', metrics: testMetrics(), logger: memoryLogger('caller').logger });
  const upserted = await caller.request('svc.user.upsert', create(UpsertUserRequestSchema, { telegramId: 4242n, firstName: 'Vera', botId: BigInt(mainBot.id), effectKey: 'start-without-database:1' }));
  expect(upserted.user?.firstName).toBe('Vera');
  const inspector = new pg.Client({ connectionString: postgres.info.url });
  await inspector.connect();
  try {
    const stored = await inspector.query<{ first_name: string }>('SELECT first_name FROM user_service.users WHERE telegram_id = 4242');
    expect(stored.rows.map((row) => row.first_name)).toEqual(['Vera']);
  } finally {
    await inspector.end();
  }

  // The monolith's work: the main bot answers a person through Telegram's webhook.
  const reply = emulator.nextMessageTo(51_100, { botId: mainBot.id, timeoutMs: 60_000 });
  emulator.userSends(mainBot.token, { from: { id: 51_100, first_name: 'Vera' }, text: '/start' });
  expect((await reply).text).toContain('Vera');

  for (const child of [users.child, monolith]) {
    // One warning per outage per context that waited (the reason did not change), then "reachable".
    const lines = child.output().split('\n');
    expect(lines.filter((line) => line.includes('waiting for PostgreSQL')).length).toBeGreaterThanOrEqual(1);
    expect(lines.filter((line) => line.includes('PostgreSQL reachable')).length).toBeGreaterThanOrEqual(1);
    expect(child.output()).not.toContain(PASSWORD);
    expect(child.process.exitCode).toBeNull();
  }
  // One line per change of reason (startup-wait.ts), never one per attempt: the first says nothing
  // listens; PostgreSQL caught while it starts up is a second reason and a second line (fc12, beside
  // two CPU hogs: "57P03: the database system is starting up").
  const userLines = users.child.output().split('\n');
  const waits = userLines.filter((line) => line.includes('waiting for PostgreSQL')).map((line) => (JSON.parse(line) as { msg: string }).msg);
  expect(waits[0]).toMatch(/ECONNREFUSED/u);
  expect(waits.filter((msg, index) => index > 0 && msg === waits[index - 1])).toEqual([]);
});

it('stopped while it waits for PostgreSQL, exits 0 (a graceful stop, not a failed start)', async () => {
  const databasePort = await freePort();
  const { child, httpPort } = await startDeployable('user-service', { NOVA_NATS_URL: nats.url, NOVA_DATABASE_URL: databaseUrl(databasePort) });
  await waitingForDatabase(child, httpPort, databasePort);
  child.process.kill('SIGTERM');
  expect(await child.exited).toEqual({ code: 0, signal: null });
  expect(child.output()).toContain('waiting for PostgreSQL');
  expect(child.output()).not.toContain(PASSWORD);
});
