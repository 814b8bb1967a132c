/**
 * Decided 2 and 4 on the real fleet: the bot service SIGKILLed while many chats are talking to a
 * child bot loses no update and sends no reply twice, except a reply caught in flight at the
 * kill, between Telegram's answer and its "sent" mark (Telegram's sendMessage has no idempotency
 * key: that window cannot be closed, only kept small and reported); Telegram delivering the same
 * update again changes nothing; a poison update lands in the DLQ, and `nova-bus dlq replay` gets
 * it processed once its cause is gone.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { EmulatedBot, Update, UserSpec } from '@nova/telegram-emulator';
import { BotKeyring, buttons, texts } from '@nova/bot-service/domain';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { ANNA, onboardingScript, say } from './support/script.js';
import { expectNoSecretsInLogs, secretsOfRun } from './support/secrets.js';
import { NODE, ROOT, sample, type RunningService } from './support/services.js';
import { until } from './support/until.js';
import { World, type Fleet } from './support/world.js';

jest.setTimeout(300_000);

const run = promisify(execFile);
/** Short retries, so the poison update reaches the DLQ in seconds; the lease ends inside them. */
const BOT_ENV = { NOVA_UPDATES_MAX_DELIVER: '5', NOVA_UPDATES_BACKOFF: '500ms,1s,2s', NOVA_REPLY_LEASE: '3s' };
const CHATS = 30;
const WAVE = 3;

let world: World;
let fleet: Fleet;
let child: EmulatedBot;
const services: RunningService[] = [];
const children: EmulatedBot[] = [];

function person(i: number): UserSpec {
  return { id: 70_000 + i, first_name: `P${String(i)}` };
}

function repliesTo(chatId: number, botId: number): number {
  return world.emulator.calls((call) => call.ok && call.method === 'sendMessage' && call.botId === botId && Number(call.params.chat_id) === chatId).length;
}

beforeAll(async () => {
  world = await World.create('svc_crash');
  fleet = await world.startFleet({ bots: BOT_ENV });
  services.push(fleet.gateway, fleet.users, fleet.bots);
  ({ child } = await onboardingScript(world.emulator, world.mainBot));
  children.push(child);
});

afterAll(async () => {
  await world.close();
});

describe('the bot service killed mid-stream', () => {
  const sent: Update[] = [];

  it('loses no update and repeats no reply but the ones in flight at the kill', async () => {
    const wave = (): void => {
      for (let round = 0; round < WAVE; round++) {
        for (let i = 0; i < CHATS; i++) sent.push(world.emulator.userSends(child.token, { from: person(i), text: `message ${String(round)}` }));
      }
    };
    wave();
    await until('some replies went out', () => world.emulator.calls((call) => call.ok && call.botId === child.id && call.method === 'sendMessage').length >= 20);
    expect(await fleet.bots.kill('SIGKILL')).toBe('killed by SIGKILL');
    const repliedBeforeKill = world.emulator.calls((call) => call.ok && call.botId === child.id && call.method === 'sendMessage').length;
    expect(repliedBeforeKill).toBeLessThan(1 + CHATS * WAVE); // killed mid-stream, not after
    // What the dead process left between "leased" and "sent": the only replies that may go out twice.
    const inDoubt = await world.database.query<{ chat: string; n: number }>(
      `SELECT chat_id::text AS chat, count(*)::int AS n FROM bot_service.outgoing_replies
        WHERE bot_id = $1 AND sent_at IS NULL AND failure IS NULL AND lease_until IS NOT NULL GROUP BY chat_id`, [child.id]);
    const doubtful = new Map(inDoubt.rows.map((row) => [Number(row.chat), row.n]));

    // Telegram keeps delivering while the bot service is down: the gateway stores the second wave.
    wave();
    await until('the gateway accepted every update', () => world.emulator.deliveries(child.id).filter((attempt) => attempt.delivered).length >= sent.length + 1);
    const second = await world.start('bot-service', { ...world.baseEnv(fleet.publicUrl), ...BOT_ENV });
    services.push(second);
    fleet = { ...fleet, bots: second };

    await until('every chat got a reply to every message', () => Array.from({ length: CHATS }, (_, i) => repliesTo(person(i).id, child.id)).every((n) => n >= 2 * WAVE), 120_000);
    const processed = await world.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM bot_service.processed_effects WHERE effect_key LIKE $1`, [`update:${String(child.id)}:%`]);
    expect(processed.rows[0]?.n).toBe(sent.length + 1); // Boris's "hi" from the onboarding, and every message since

    // Quiet: nothing left to send (a reply sent twice would show as more than one per message).
    await until('no reply pending', async () => (await world.database.query<{ n: number }>('SELECT count(*)::int AS n FROM bot_service.outgoing_replies WHERE sent_at IS NULL AND failure IS NULL')).rows[0]?.n === 0);
    const extra = Array.from({ length: CHATS }, (_, i) => ({ chat: person(i).id, extra: repliesTo(person(i).id, child.id) - 2 * WAVE }));
    for (const { chat, extra: n } of extra) {
      expect({ chat, extra: n }).toEqual({ chat, extra: Math.min(n, doubtful.get(chat) ?? 0) });
      expect(n).toBeGreaterThanOrEqual(0);
    }
    process.stdout.write(`SIGKILL test: ${String([...doubtful.values()].reduce((a, b) => a + b, 0))} replies in flight at the kill, ${String(extra.reduce((a, b) => a + b.extra, 0))} sent twice\n`);
  });

  it('changes nothing when Telegram delivers the same update again', async () => {
    const again = sent.at(-1);
    const from = again?.message?.from;
    expect(from).toBeDefined();
    const chat = from?.id ?? 0;
    const before = repliesTo(chat, child.id);
    const stored = await world.streamMessages('TELEGRAM');
    const secret = BotKeyring.fromBase64(world.secrets.encryptionKey).webhookSecret(BigInt(child.id), child.token);
    const response = await fetch(`${fleet.gateway.url}/webhook/bot/${String(child.id)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
      body: JSON.stringify(again),
    });
    expect(response.status).toBe(200);
    expect(await world.streamMessages('TELEGRAM')).toBe(stored);
    // The chat's next message is answered after the repeat would have been (one chat, one order).
    await say(world.emulator, child, { id: chat, first_name: from?.first_name ?? '' }, 'one more');
    expect(repliesTo(chat, child.id)).toBe(before + 1);
  });

  it('dead-letters a poison update, and `nova-bus dlq replay` gets it processed', async () => {
    const poison = world.emulator.createBot({ username: 'PoisonBot' });
    children.push(poison);
    expect((await say(world.emulator, world.mainBot, ANNA, buttons('ru').add)).text).toBe(texts('ru').askToken);
    expect((await say(world.emulator, world.mainBot, ANNA, poison.token)).text).toContain('@PoisonBot подключён');
    world.emulator.injectFault(poison.id, { status: 500, methods: ['sendMessage'] });
    const carl: UserSpec = { id: 71_000, first_name: 'Carl' };
    world.emulator.userSends(poison.token, { from: carl, text: 'hello?' });
    const subject = `telegram.update.${String(poison.id)}.${String(carl.id)}`;
    await until('the update is in the DLQ', async () => (await world.streamMessages('DLQ')) === 1, 90_000);
    const listed = await run(NODE, [resolve(ROOT, 'packages/bus/dist/cli.js'), 'dlq', 'list', '--subject', subject, '--server', world.nats.url]);
    expect(listed.stdout).toContain(subject);
    expect(listed.stdout).toContain('consumer=bot-updates');
    expect(repliesTo(carl.id, poison.id)).toBe(0);

    world.emulator.clearFaults(poison.id);
    // The bot's circuit opened on the 5xx; replay once it lets a probe through again.
    await until('the poison bot\'s circuit is no longer open', async () => sample(await fleet.bots.metrics(), 'nova_circuit_state', { circuit: `telegram:${String(poison.id)}` }) !== 2, 30_000);
    const replayed = await run(NODE, [resolve(ROOT, 'packages/bus/dist/cli.js'), 'dlq', 'replay', '--subject', subject, '--server', world.nats.url]);
    expect(replayed.stdout).toContain(`-> ${subject}`);
    await until('Carl got the greeting', () => repliesTo(carl.id, poison.id) === 1, 60_000);
    expect(await world.streamMessages('DLQ')).toBe(0);
  });

  it('wrote no token or secret to any log', () => {
    expectNoSecretsInLogs(services, secretsOfRun(world.secrets, children));
  });
});
