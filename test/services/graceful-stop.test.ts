/**
 * SIGTERM mid-stream, on the real fleet: the bot service finishes the updates it holds (their
 * replies included) and exits 0, leaving no reply half-sent, so after a restart every message is
 * answered exactly once; the webhook gateway stopped and restarted while Telegram is delivering
 * loses nothing either (Telegram retries what got no 200).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { EmulatedBot, UserSpec } from '@nova/telegram-emulator';
import { onboardingScript } from './support/script.js';
import { expectNoSecretsInLogs, secretsOfRun } from './support/secrets.js';
import { terminate, type RunningService } from './support/services.js';
import { until } from './support/until.js';
import { World, type Fleet } from './support/world.js';

jest.setTimeout(300_000);

const CHATS = 20;
const ROUNDS = 3;
let world: World;
let fleet: Fleet;
let child: EmulatedBot;
const services: RunningService[] = [];

function person(i: number, base: number): UserSpec {
  return { id: base + i, first_name: `G${String(i)}` };
}

function repliesTo(chatId: number): number {
  return world.emulator.calls((call) => call.ok && call.method === 'sendMessage' && call.botId === child.id && Number(call.params.chat_id) === chatId).length;
}

function sendWave(base: number, round: number): void {
  for (let i = 0; i < CHATS; i++) world.emulator.userSends(child.token, { from: person(i, base), text: `round ${String(round)}` });
}

async function everyoneAnswered(base: number): Promise<void> {
  await until('every message answered', () => Array.from({ length: CHATS }, (_, i) => repliesTo(person(i, base).id)).every((n) => n >= ROUNDS), 120_000);
  await until('no reply pending', async () => (await world.database.query<{ n: number }>('SELECT count(*)::int AS n FROM bot_service.outgoing_replies WHERE sent_at IS NULL AND failure IS NULL')).rows[0]?.n === 0);
  expect(Array.from({ length: CHATS }, (_, i) => repliesTo(person(i, base).id))).toEqual(Array.from({ length: CHATS }, () => ROUNDS));
}

beforeAll(async () => {
  world = await World.create('svc_graceful');
  fleet = await world.startFleet();
  services.push(fleet.gateway, fleet.users, fleet.bots);
  ({ child } = await onboardingScript(world.emulator, world.mainBot));
});

afterAll(async () => {
  await world.close();
});

describe('graceful stop', () => {
  it('the bot service drains on SIGTERM: in-flight updates finish, nothing is half-sent, nothing repeats', async () => {
    const base = 91_000;
    for (let round = 0; round < ROUNDS; round++) sendWave(base, round);
    await until('some replies went out', () => world.emulator.calls((call) => call.ok && call.botId === child.id && call.method === 'sendMessage').length >= 15);
    expect(await terminate(fleet.bots)).toBe('exited with code 0');
    expect(fleet.bots.logLines().map((line) => line.msg)).toContain('stopped');
    // It stopped mid-stream: what it had not taken waits in the stream for the next process.
    expect(world.emulator.calls((call) => call.ok && call.botId === child.id && call.method === 'sendMessage' && Number(call.params.chat_id) >= base).length).toBeLessThan(CHATS * ROUNDS);
    const halfSent = await world.database.query<{ n: number }>('SELECT count(*)::int AS n FROM bot_service.outgoing_replies WHERE sent_at IS NULL AND failure IS NULL AND lease_until IS NOT NULL');
    expect(halfSent.rows[0]?.n).toBe(0);

    const restarted = await world.start('bot-service', world.baseEnv(fleet.publicUrl));
    services.push(restarted);
    fleet = { ...fleet, bots: restarted };
    await everyoneAnswered(base);
  });

  it('the gateway stopped and restarted while Telegram delivers loses nothing', async () => {
    const base = 92_000;
    const delivered = (): number => world.emulator.deliveries(child.id).filter((attempt) => attempt.delivered).length;
    const before = delivered();
    sendWave(base, 0);
    await until('the gateway took some updates', () => delivered() >= before + 5);
    expect(await terminate(fleet.gateway)).toBe('exited with code 0');
    for (let round = 1; round < ROUNDS; round++) sendWave(base, round);
    const gateway = await world.start('webhook-gateway', { NOVA_NATS_URL: world.nats.url, NOVA_WEBHOOK_SECRET: world.secrets.webhookSecret, NOVA_MAIN_BOT_ID: String(world.mainBot.id) }, fleet.gateway.address);
    services.push(gateway);
    await everyoneAnswered(base);
    expect(world.emulator.deliveries(child.id).some((attempt) => !attempt.delivered)).toBe(true); // Telegram did have to retry
  });

  it('wrote no token or secret to any log', () => {
    expectNoSecretsInLogs(services, secretsOfRun(world.secrets, [child]));
  });
});
