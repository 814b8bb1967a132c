/**
 * Issue 21: PostgreSQL restarted under the running fleet. The gateway, the user service, the bot
 * service, the publisher service and the monolith (jetstream mode, as stage 1 leaves it) run from
 * their builds while the Telegram emulator delivers many chats' messages to a child bot through
 * the gateway; the database is stopped (PostgreSQL's
 * fast shutdown, as a pod stopped for an upgrade or a failover: every session ended) and started
 * again on the same data directory and port, with more messages arriving while it is down.
 *
 * The database is this file's own PostgreSQL (the test bed's code, `World`'s `ownPostgres`), not
 * the test bed's shared one, which every other test file running meanwhile uses.
 *
 * What is counted, and why: each chat's replies against the messages it sent, and the updates
 * processed. A message whose processing failed on the database is not acked, so JetStream
 * redelivers it and it is answered once the database is back: fewer replies than messages, or
 * fewer processed updates than sent, would be a lost update. More replies than messages would be a
 * reply sent twice: Telegram's sendMessage has no idempotency key, and a reply that went out while
 * its "sent" mark could not be written used to be sent again by the redelivery once its lease
 * lapsed (the bound crash-and-replay allows at a SIGKILL of the bot service, where the process
 * forgets). A process that stays up knows the send went out: it retries the mark
 * (MARK_SENT_RETRY_MS, longer than this outage), so here the bound is 0, every update answered
 * exactly once. The replies that were in that window at the stop are counted too (leased for
 * sending, not marked sent, read from the database the server stopped with, before any service
 * could reconnect: the server is started once on its Unix socket only, the services use TCP),
 * to show the stop hit sends in flight. And no process exits or logs a fatal line: each one is
 * running and ready again (the monolith once died here of an 'error' event nobody listened to:
 * @nova/db's adapter.ts says why, its connection-errors.test.ts replays it).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { EmulatedBot, Update, UserSpec } from '@nova/telegram-emulator';
import pg from 'pg';
import { onboardingScript } from './support/script.js';
import { expectNoSecretsInLogs, secretsOfRun } from './support/secrets.js';
import type { RunningService } from './support/services.js';
import { until } from './support/until.js';
import { World, type Fleet } from './support/world.js';

jest.setTimeout(300_000);

/** A reply left leased by the outage is free again 3 s after its claim (the default is longer than this test needs). */
const BOT_ENV = { NOVA_REPLY_LEASE: '3s' };
const CHATS = 20;
const WAVE = 4;

let world: World;
let fleet: Fleet;
let child: EmulatedBot;
const services: RunningService[] = [];

function person(i: number): UserSpec {
  return { id: 72_000 + i, first_name: `Q${String(i)}` };
}

function repliesTo(chatId: number): number {
  return world.emulator.calls((call) => call.ok && call.method === 'sendMessage' && call.botId === child.id && Number(call.params.chat_id) === chatId).length;
}

async function readyStatus(service: RunningService): Promise<number | undefined> {
  try {
    return (await fetch(`${service.url}/readyz`, { signal: AbortSignal.timeout(2_000) })).status;
  } catch {
    return undefined;
  }
}

/** Replies leased for sending and not marked sent, per chat, read over the stopped server's Unix socket. */
async function repliesInDoubt(): Promise<Map<number, number>> {
  const postgres = world.postgres;
  if (postgres === undefined) throw new Error('the world has no PostgreSQL of its own');
  const database = new URL(world.database.url).pathname.slice(1);
  const client = new pg.Client({ host: postgres.socketDir, port: postgres.info.port, user: postgres.info.user, database });
  await client.connect();
  try {
    const rows = await client.query<{ chat: string; n: number }>(
      `SELECT chat_id::text AS chat, count(*)::int AS n FROM bot_service.outgoing_replies
        WHERE bot_id = $1 AND sent_at IS NULL AND failure IS NULL AND lease_until IS NOT NULL GROUP BY chat_id`, [child.id]);
    return new Map(rows.rows.map((row) => [Number(row.chat), row.n]));
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  world = await World.create('svc_pg_restart', { ownPostgres: true });
  fleet = await world.startFleet({ bots: BOT_ENV });
  services.push(fleet.gateway, fleet.users, fleet.bots, await world.start('publisher-service', world.publisherEnv()));
  // The monolith as stage 1 leaves it (jetstream): it shares the updates' consumer with the bot
  // service, so it processes some of them across the restart too, with every context in one process.
  // Its webhooks point at the gateway like the bot service's.
  services.push((await world.startMonolith('jetstream', { ...BOT_ENV, NOVA_PUBLIC_URL: fleet.publicUrl })).monolith);
  ({ child } = await onboardingScript(world.emulator, world.mainBot));
});

afterAll(async () => {
  await world.close();
});

describe('PostgreSQL restarted under the running fleet', () => {
  const sent: Update[] = [];

  it('answers every update exactly once, those whose reply was in flight at the stop included, and no process exits', async () => {
    const postgres = world.postgres;
    if (postgres === undefined) throw new Error('the world has no PostgreSQL of its own');
    const wave = (): void => {
      for (let round = 0; round < WAVE; round++) {
        for (let i = 0; i < CHATS; i++) sent.push(world.emulator.userSends(child.token, { from: person(i), text: `message ${String(round)}` }));
      }
    };
    wave();
    await until('some replies went out', () => world.emulator.calls((call) => call.ok && call.botId === child.id && call.method === 'sendMessage').length >= 15);

    await postgres.stop();
    const repliedAtStop = world.emulator.calls((call) => call.ok && call.botId === child.id && call.method === 'sendMessage').length;
    await postgres.start({ socketOnly: true });
    const doubtful = await repliesInDoubt();
    await postgres.stop();

    // Telegram keeps delivering while the database is down; the services notice the outage.
    wave();
    await until('the bot and user services report their database down', async () => (await readyStatus(fleet.bots)) === 503 && (await readyStatus(fleet.users)) === 503, 30_000);
    await postgres.start();

    // Every update processed, each once: Boris's "hi" from the onboarding, and every message since
    // (a redelivered update finds its effect and changes nothing, so more would be a bug too).
    const processed = async (): Promise<number> => (await world.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM bot_service.processed_effects WHERE effect_key LIKE $1`, [`update:${String(child.id)}:%`])).rows[0]?.n ?? 0;
    await until('every update processed', async () => (await processed()) >= sent.length + 1, 150_000);
    expect(await processed()).toBe(sent.length + 1);
    await until('every chat got a reply to every message', () => Array.from({ length: CHATS }, (_, i) => repliesTo(person(i).id)).every((n) => n >= 2 * WAVE), 60_000);

    // No process died or gave up along the way (a crash would also show as replies sent twice).
    for (const service of services) {
      const fatal = service.logLines().filter((line) => line.level === 'fatal').map((line) => line.msg);
      expect({ service: service.name, running: service.process.running, fatal }).toEqual({ service: service.name, running: true, fatal: [] });
      await until(`${service.name} ready again`, async () => (await readyStatus(service)) === 200, 30_000);
    }

    // Quiet: nothing left to send, so a reply sent twice shows as more than one per message.
    await until('no reply pending', async () => (await world.database.query<{ n: number }>('SELECT count(*)::int AS n FROM bot_service.outgoing_replies WHERE sent_at IS NULL AND failure IS NULL')).rows[0]?.n === 0, 60_000);
    const extra = Array.from({ length: CHATS }, (_, i) => ({ chat: person(i).id, extra: repliesTo(person(i).id) - 2 * WAVE }));
    expect(extra.filter((chat) => chat.extra !== 0)).toEqual([]);

    process.stdout.write(`PostgreSQL restart test: ${String(repliedAtStop)} replies before the stop, ${String([...doubtful.values()].reduce((a, b) => a + b, 0))} in flight at it, ${String(extra.reduce((a, b) => a + b.extra, 0))} sent twice\n`);
  });

  it('wrote no token or secret to any log', () => {
    expectNoSecretsInLogs(services, secretsOfRun(world.secrets, [child]));
  });
});
