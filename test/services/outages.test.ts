/**
 * The only 5xx the webhook gateway answers is 503, and only when it cannot store an update now:
 * JetStream not answering (the nats-server frozen), or a child bot it cannot authenticate because
 * the bots context is unreachable and its answer is not cached. Telegram then retries, and once
 * the parts are back every update is processed; a known bot's updates are still taken from the
 * cache while the bot service is down.
 */
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { BotKeyring, buttons, texts } from '@nova/bot-service/domain';
import type { EmulatedBot, UserSpec } from '@nova/telegram-emulator';
import { readFileSync } from 'node:fs';
import { BORIS, onboardingScript, say, ANNA } from './support/script.js';
import { expectNoSecretsInLogs, secretsOfRun } from './support/secrets.js';
import type { RunningService } from './support/services.js';
import { until } from './support/until.js';
import { World, type Fleet } from './support/world.js';

jest.setTimeout(300_000);

let world: World;
let fleet: Fleet;
let known: EmulatedBot;
let unseen: EmulatedBot;
const services: RunningService[] = [];

beforeAll(async () => {
  world = await World.create('svc_outages');
  fleet = await world.startFleet();
  services.push(fleet.gateway, fleet.users, fleet.bots);
  ({ child: known } = await onboardingScript(world.emulator, world.mainBot));
  // A second bot, connected but never written to: the gateway has not asked about it yet.
  unseen = world.emulator.createBot({ username: 'UnseenBot' });
  expect((await say(world.emulator, world.mainBot, ANNA, buttons('ru').add)).text).toBe(texts('ru').askToken);
  expect((await say(world.emulator, world.mainBot, ANNA, unseen.token)).text).toContain('@UnseenBot подключён');
});

afterAll(async () => {
  await world.close();
});

function update(id: number, from: UserSpec): string {
  return JSON.stringify({ update_id: id, message: { message_id: id, date: 1_700_000_000, chat: { id: from.id, type: 'private', first_name: from.first_name }, from: { id: from.id, is_bot: false, first_name: from.first_name, language_code: from.language_code }, text: 'hello' } });
}

async function post(path: string, secret: string, body: string): Promise<number> {
  const response = await fetch(`${fleet.gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body });
  await response.arrayBuffer();
  return response.status;
}

/** The state letter of /proc/<pid>/stat: R running, S sleeping, D in uninterruptible I/O, T stopped. */
function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '?';
  } catch {
    return 'gone';
  }
}

async function monitorAnswer(url: string): Promise<string> {
  try {
    return `answered ${String((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) })).status)}`;
  } catch {
    return 'did not answer';
  }
}

it('answers 503 only while it cannot store, and loses nothing once the parts are back', async () => {
  const keyring = BotKeyring.fromBase64(world.secrets.encryptionKey);
  await fleet.bots.stop();

  // The known bot is authenticated from the cache; the unseen one cannot be: Telegram must retry.
  expect(await post(`/webhook/bot/${String(known.id)}`, keyring.webhookSecret(BigInt(known.id), known.token), update(9_001, BORIS))).toBe(200);
  const carl: UserSpec = { id: 52_003, first_name: 'Carl' };
  world.emulator.userSends(unseen.token, { from: carl, text: 'hi' });
  await until('the gateway refused the unseen bot\'s update with 503', () => world.emulator.deliveries(unseen.id).some((attempt) => attempt.status === 503));

  // JetStream frozen: the main bot's update cannot be stored.
  process.kill(world.natsPid, 'SIGSTOP');
  let frozenAnswer: number;
  let frozen: string;
  try {
    // A stop is not instant for a thread in uninterruptible I/O: wait until the kernel says stopped.
    await until('the nats-server is stopped', () => processState(world.natsPid) === 'T', 10_000);
    frozenAnswer = await post('/webhook/main', world.secrets.webhookSecret, update(9_002, ANNA));
    frozen = `nats-server pid ${String(world.natsPid)} state ${processState(world.natsPid)}, its monitor ${await monitorAnswer(world.nats.monitorUrl)}`;
  } finally {
    process.kill(world.natsPid, 'SIGCONT');
  }
  if (frozenAnswer !== 503) throw new Error(`answered ${String(frozenAnswer)} while JetStream was frozen (${frozen}); the gateway's last lines:\n${fleet.gateway.logLines().slice(-15).map((line) => JSON.stringify(line)).join('\n')}`);
  // The log is written asynchronously (pino): the line may land just after the answer.
  await until('the gateway logged why it refused', () => fleet.gateway.logLines().some((line) => line.msg === 'webhook not accepted now: the update could not be stored; Telegram will retry'), 10_000);
  expect(await post('/webhook/main', world.secrets.webhookSecret, update(9_002, ANNA))).toBe(200);

  // Back: everything stored is processed, and Telegram's retry of the unseen bot's update gets through.
  const bots = await world.start('bot-service', world.baseEnv(fleet.publicUrl));
  services.push(bots);
  await until('Carl got the unseen bot\'s greeting', () => world.emulator.messagesTo(carl.id, { botId: unseen.id }).length === 1, 90_000);
  await until('Boris got an answer to the cached bot\'s update', () => world.emulator.calls((call) => call.ok && call.botId === known.id && Number(call.params.chat_id) === BORIS.id).length === 2, 60_000);
  await until('Anna got an answer to the update taken after the freeze', () => world.emulator.calls((call) => call.ok && call.botId === world.mainBot.id && Number(call.params.chat_id) === ANNA.id && call.params.text === texts('ru').notUnderstood).length === 1, 60_000);
  const statuses = new Set(world.emulator.deliveries().map((attempt) => attempt.status));
  expect([...statuses].filter((status) => status !== undefined && status >= 500)).toEqual([503]);
  expectNoSecretsInLogs(services, secretsOfRun(world.secrets, [known, unseen]));
});
