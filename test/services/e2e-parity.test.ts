/**
 * End to end on real parts (NATS JetStream, PostgreSQL, the Telegram emulator, the deployables as
 * processes from dist/): the onboarding conversation against the fleet (webhook gateway, user
 * service, bot service), then against the monolith in each of its modes; all three make the same
 * Telegram calls (a parity test on the emulator's record, normalised for ids and secrets). Anna's
 * Telegram app speaks Russian: every side answers her in Russian, then in English once she sends
 * `/language en`. Her bot, still on its built-in greeting, greets Boris (no language_code) in
 * English and Vera (her app speaks Russian) in Russian, on every side alike. Two publishing commands
 * the publisher context refuses (the publisher service in the fleet, the same context inside the
 * monolith) reach Anna in Russian: the refusal travels as a reason code and the main bot words it,
 * so every side says the same words.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { BotKeyring, texts } from '@nova/bot-service/domain';
import type { UserSpec } from '@nova/telegram-emulator';
import { onboardingScript, normalisedCalls, say, ANNA, BORIS, type NormalisedCall } from './support/script.js';
import { expectNoSecretsInLogs, secretsOfRun } from './support/secrets.js';
import type { RunningService } from './support/services.js';
import { World } from './support/world.js';

jest.setTimeout(300_000);

const VERA: UserSpec = { id: 51_003, first_name: 'Вера', language_code: 'ru' };
const runs = new Map<string, NormalisedCall[]>();
let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

/**
 * setWebhook's max_connections each deployable asks for by default (their configs say why): the
 * fleet's bot service and the monolith on JetStream 100 (the webhook stores, then answers), the
 * inline monolith 20 (it processes before it answers).
 */
const MAX_CONNECTIONS = { 'fleet': 100, 'monolith inline': 20, 'monolith jetstream': 100 } as const;

async function holdConversation(side: keyof typeof MAX_CONNECTIONS, services: () => readonly RunningService[], publicUrl: string, current: World): Promise<void> {
  // Anna's app speaks Russian: the script checks every answer in Russian, on each side alike.
  const { child } = await onboardingScript(current.emulator, current.mainBot);
  // The publisher's refusals in her language, the same on every side (the Telegram calls compared below include them).
  expect((await say(current.emulator, current.mainBot, ANNA, '/cancelpost 99999')).text).toBe('Не выполнено: у вас нет поста #99999.');
  expect((await say(current.emulator, current.mainBot, ANNA, '/unlink -1009999')).text).toBe('Не выполнено: канал -1009999 не подключён: сначала подключите его командой /link.');
  // She switches to English: stored by the users context (over NATS in the fleet, in process in the monolith), answered in English from then on.
  const switched = await say(current.emulator, current.mainBot, ANNA, '/language en');
  expect(switched.text).toBe(texts('en').languageSet);
  expect((await say(current.emulator, current.mainBot, ANNA, '/start')).text).toBe(texts('en').welcome('Анна', false));
  const chosen = await current.database.query<{ chosen: string | null }>('SELECT chosen_language AS chosen FROM user_service.users WHERE telegram_id = $1', [ANNA.id]);
  expect(chosen.rows).toEqual([{ chosen: 'en' }]);
  // The child bot's built-in greeting follows the person who writes, not its owner's choice.
  expect((await say(current.emulator, child, VERA, 'привет')).text).toBe('Здравствуйте, Вера! 👋');
  const webhook = current.emulator.webhookInfo(child.id);
  expect(webhook.url).toBe(`${publicUrl}/webhook/bot/${String(child.id)}`);
  expect(webhook.max_connections).toBe(MAX_CONNECTIONS[side]);
  expect(current.emulator.webhookInfo(current.mainBot.id).max_connections).toBe(MAX_CONNECTIONS[side]);
  const secret = current.emulator.botState(child.id).webhook?.secretToken;
  expect(secret).toBe(BotKeyring.fromBase64(current.secrets.encryptionKey).webhookSecret(BigInt(child.id), child.token));
  const users = await current.database.query<{ id: string }>('SELECT telegram_id::text AS id FROM user_service.users ORDER BY telegram_id');
  expect(users.rows.map((row) => Number(row.id))).toEqual([ANNA.id, BORIS.id, VERA.id]);
  const names = new Map<number, string>([[current.mainBot.id, 'main bot'], [child.id, 'child bot'], [ANNA.id, 'Anna'], [BORIS.id, 'Boris'], [VERA.id, 'Vera']]);
  runs.set(side, normalisedCalls(current.emulator.calls(), names, current.secrets.webhookSecret));
  expectNoSecretsInLogs(services(), secretsOfRun(current.secrets, [child]));
}

describe('one conversation, three deployments', () => {
  it('the fleet holds it: gateway → JetStream → bot service ↔ user service', async () => {
    world = await World.create('svc_e2e_fleet');
    const current = world;
    const fleet = await current.startFleet();
    // The publishing context's service: the main bot's /cancelpost and /unlink go to it over NATS.
    const publisher = await current.start('publisher-service', current.publisherEnv());
    await holdConversation('fleet', () => [fleet.gateway, fleet.users, fleet.bots, publisher], fleet.publicUrl, current);
    // Ten updates went through the stream, each once.
    expect(await current.streamMessages('TELEGRAM')).toBe(10);
    expect(await current.streamMessages('NOVA')).toBeGreaterThanOrEqual(4); // three registrations, one bot added
  });

  it('the monolith holds it processing updates inside the webhook (legacy, before stage 1)', async () => {
    world = await World.create('svc_e2e_inline');
    const current = world;
    const { monolith, publicUrl } = await current.startMonolith('inline');
    await holdConversation('monolith inline', () => [monolith], publicUrl, current);
    expect(monolith.logLines().some((line) => line.msg === 'monolith mode' && line.updates === 'inline')).toBe(true);
    expect(await current.streamMessages('TELEGRAM')).toBe(0);
  });

  it('the monolith holds it reading updates from JetStream (after stage 1)', async () => {
    world = await World.create('svc_e2e_js');
    const current = world;
    const { monolith, publicUrl } = await current.startMonolith('jetstream');
    await holdConversation('monolith jetstream', () => [monolith], publicUrl, current);
    expect(await current.streamMessages('TELEGRAM')).toBe(10);
  });

  it('all three made the same Telegram calls, in the same order', () => {
    const fleet = runs.get('fleet');
    // The main bot's webhook at start, then ten answers (two refusals, two after /language en, then Vera's greeting), the child bot's getMe and setWebhook.
    expect(fleet?.map((call) => `${call.bot} ${call.method}`)).toEqual([
      'main bot setWebhook',
      'main bot sendMessage',
      'main bot sendMessage',
      'child bot getMe',
      'child bot setWebhook',
      'main bot sendMessage',
      'child bot sendMessage',
      'main bot sendMessage',
      'main bot sendMessage',
      'main bot sendMessage',
      'main bot sendMessage',
      'main bot sendMessage',
      'child bot sendMessage',
    ]);
    expect(runs.get('monolith inline')).toEqual(fleet);
    expect(runs.get('monolith jetstream')).toEqual(fleet);
  });
});
