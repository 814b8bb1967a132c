/**
 * Circuit breakers on the real parts. Against Telegram (the emulator answering 502): the child
 * bot's circuit opens after exactly its threshold of failed calls (5 of the last 10), refuses
 * calls without sending them while open, and closes once Telegram answers again. On the bus
 * (the user service stopped): svc.user's circuit opens after its threshold of no-responders,
 * fails fast while open, and closes once the service is back. Nothing is lost on the way.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { EmulatedBot, UserSpec } from '@nova/telegram-emulator';
import { CIRCUIT_DEFAULTS } from '@nova/resilience';
import { texts } from '@nova/bot-service/domain';
import { onboardingScript, say } from './support/script.js';
import { expectNoSecretsInLogs, secretsOfRun } from './support/secrets.js';
import { sample, type LogLine, type RunningService } from './support/services.js';
import { eventually, until } from './support/until.js';
import { World, type Fleet } from './support/world.js';

jest.setTimeout(300_000);

/** Retries keep coming every half second and never run out while a circuit is open. */
const BOT_ENV = { NOVA_UPDATES_MAX_DELIVER: '60', NOVA_UPDATES_BACKOFF: '500ms', NOVA_REPLY_LEASE: '3s' };

let world: World;
let fleet: Fleet;
let child: EmulatedBot;
const services: RunningService[] = [];

beforeAll(async () => {
  world = await World.create('svc_circuits');
  fleet = await world.startFleet({ bots: BOT_ENV });
  services.push(fleet.gateway, fleet.users, fleet.bots);
  ({ child } = await onboardingScript(world.emulator, world.mainBot));
});

afterAll(async () => {
  await world.close();
});

function circuit(metrics: string, name: string): number | undefined {
  return sample(metrics, 'nova_circuit_state', { circuit: name });
}

const timeOf = (line: LogLine): number => Date.parse(String(line.time));
const errorText = (line: LogLine): string => JSON.stringify(line.err ?? '');

function retriedFailures(service: RunningService, pattern: RegExp): LogLine[] {
  return service.logLines().filter((line) => line.msg === 'handler failed; will retry' && pattern.test(errorText(line)));
}

describe('a circuit per Telegram bot', () => {
  it('opens at its threshold of 5xx, sends nothing while open, and closes after recovery', async () => {
    const dana: UserSpec = { id: 81_001, first_name: 'Dana' };
    const name = `telegram:${String(child.id)}`;
    world.emulator.injectFault(child.id, { status: 502, methods: ['sendMessage'] });
    const failedCalls = (): number => world.emulator.calls((call) => call.botId === child.id && call.method === 'sendMessage' && call.status === 502).length;
    world.emulator.userSends(child.token, { from: dana, text: 'hi' });

    const opened = await eventually('the circuit opened', () => fleet.bots.logLines().find((line) => line.msg === 'telegram circuit open'));
    const openedAt = timeOf(opened);
    expect(circuit(await fleet.bots.metrics(), name)).toBeGreaterThan(0);
    // Exactly its threshold of failed calls reached Telegram before it opened.
    expect(world.emulator.calls((call) => call.botId === child.id && call.method === 'sendMessage' && call.status === 502 && call.at <= openedAt)).toHaveLength(CIRCUIT_DEFAULTS.failureThreshold);
    // Retries keep failing, fast, without reaching Telegram.
    await until('two retries failed fast', () => retriedFailures(fleet.bots, new RegExp(`CircuitOpenError: circuit ${name} is open`)).filter((line) => timeOf(line) > openedAt).length >= 2);
    const halfOpen = fleet.bots.logLines().find((line) => line.msg === 'telegram circuit half-open' && timeOf(line) >= openedAt);
    const openUntil = halfOpen === undefined ? Date.now() : timeOf(halfOpen);
    expect(world.emulator.calls((call) => call.botId === child.id && call.at > openedAt && call.at < openUntil)).toEqual([]);
    expect(failedCalls()).toBeLessThanOrEqual(CIRCUIT_DEFAULTS.failureThreshold + (halfOpen === undefined ? 0 : 1));

    world.emulator.clearFaults(child.id);
    await world.emulator.waitForMessages(dana.id, 1, { botId: child.id, timeoutMs: 60_000 });
    // Half-open lets probes through; two successes close it.
    expect((await say(world.emulator, child, dana, 'again')).text).toBe('Hello, Dana! 👋');
    await until('the circuit is closed', async () => circuit(await fleet.bots.metrics(), name) === 0);
    expect(world.emulator.messagesTo(dana.id, { botId: child.id })).toHaveLength(2);
  });
});

describe('a circuit per callee on the bus', () => {
  it('opens on svc.user after its threshold of no-responders, fails fast, and closes when the user service is back', async () => {
    const erik: UserSpec = { id: 81_002, first_name: 'Erik' };
    await fleet.users.stop();
    world.emulator.userSends(world.mainBot.token, { from: erik, text: '/start' });

    const opened = await eventually('svc.user\'s circuit opened', () => fleet.bots.logLines().find((line) => line.msg === 'circuit svc.user is open'));
    const openedAt = timeOf(opened);
    expect(circuit(await fleet.bots.metrics(), 'svc.user')).toBeGreaterThan(0);
    // Exactly its threshold of failed requests before the first that failed fast (in log order).
    await until('a retry failed fast', () => retriedFailures(fleet.bots, /CircuitOpenError: circuit svc\.user is open/).length > 0);
    const failures = retriedFailures(fleet.bots, /no responders for svc\.user\.upsert|CircuitOpenError: circuit svc\.user is open/);
    const firstFast = failures.findIndex((line) => errorText(line).includes('CircuitOpenError'));
    expect(failures.slice(0, firstFast).every((line) => errorText(line).includes('no responders'))).toBe(true);
    expect(firstFast).toBe(CIRCUIT_DEFAULTS.failureThreshold);
    await until('retries fail fast on the open circuit', () => retriedFailures(fleet.bots, /CircuitOpenError: circuit svc\.user is open/).filter((line) => timeOf(line) >= openedAt).length >= 2);
    expect(world.emulator.messagesTo(erik.id)).toEqual([]);

    const users = await world.start('user-service', { NOVA_NATS_URL: world.nats.url, NOVA_DATABASE_URL: world.databaseUrl });
    services.push(users);
    const welcome = await world.emulator.waitForMessages(erik.id, 1, { botId: world.mainBot.id, timeoutMs: 90_000 });
    expect(welcome[0]?.text).toBe(texts('en').welcome('Erik', true));
    expect((await say(world.emulator, world.mainBot, erik, '/start')).text).toBe(texts('en').welcome('Erik', false));
    await until('svc.user\'s circuit is closed', async () => circuit(await fleet.bots.metrics(), 'svc.user') === 0);
    expect(await world.streamMessages('DLQ')).toBe(0);
  });

  it('wrote no token or secret to any log', () => {
    expectNoSecretsInLogs(services, secretsOfRun(world.secrets, [child]));
  });
});
