/**
 * Bad input at the webhook, on the gateway and on the monolith (the same endpoint code, each
 * side's process): malformed JSON, a body that is not an Update, a wrong or missing secret, an
 * unknown bot or token, a 10 MB body (declared or streamed). Each gets a 4xx, never a 5xx, and
 * changes nothing: no stream message, no database row, no Telegram call. The right input on the
 * same paths is accepted (so the refusals are not a broken endpoint). Every process's log is then
 * scanned for the tokens and secrets of the run.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { BotKeyring } from '@nova/bot-service/domain';
import { generateToken, type EmulatedBot } from '@nova/telegram-emulator';
import { BORIS, onboardingScript } from './support/script.js';
import { expectNoSecretsInLogs, secretsOfRun } from './support/secrets.js';
import { sample, type RunningService } from './support/services.js';
import { until } from './support/until.js';
import { World } from './support/world.js';

jest.setTimeout(300_000);

interface Side {
  readonly world: World;
  readonly webhookService: RunningService;
  readonly services: RunningService[];
  readonly child: EmulatedBot;
  readonly sideLabel: 'target' | 'legacy';
}

const sides = new Map<string, Side>();
const unknownToken = generateToken();

beforeAll(async () => {
  const fleetWorld = await World.create('svc_bad_fleet');
  const fleet = await fleetWorld.startFleet();
  sides.set('webhook gateway', { world: fleetWorld, webhookService: fleet.gateway, services: [fleet.gateway, fleet.users, fleet.bots], child: (await onboardingScript(fleetWorld.emulator, fleetWorld.mainBot)).child, sideLabel: 'target' });
  const monolithWorld = await World.create('svc_bad_monolith');
  const { monolith } = await monolithWorld.startMonolith('jetstream');
  sides.set('monolith', { world: monolithWorld, webhookService: monolith, services: [monolith], child: (await onboardingScript(monolithWorld.emulator, monolithWorld.mainBot)).child, sideLabel: 'legacy' });
});

afterAll(async () => {
  for (const side of sides.values()) await side.world.close();
});

interface Attempt {
  readonly what: string;
  readonly path: string;
  readonly secret?: string;
  readonly body: string | Buffer | (() => ReadableStream<Uint8Array>);
  readonly method?: string;
  readonly status: number;
}

/** A well-formed update from Boris, who wrote to the child bot in the onboarding (so Telegram knows the chat). */
const validUpdate = (updateId: number): string => JSON.stringify({ update_id: updateId, message: { message_id: 100 + updateId, date: 1_700_000_000, chat: { id: BORIS.id, type: 'private', first_name: BORIS.first_name }, from: { id: BORIS.id, is_bot: false, first_name: BORIS.first_name }, text: 'hi' } });

function attempts(side: Side): Attempt[] {
  const { world, child } = side;
  const main = world.secrets.webhookSecret;
  const childSecret = BotKeyring.fromBase64(world.secrets.encryptionKey).webhookSecret(BigInt(child.id), child.token);
  const tenMegabytes = Buffer.alloc(10 * 1024 * 1024, 'a');
  return [
    { what: 'malformed JSON', path: '/webhook/main', secret: main, body: '{"update_id": 1, "message": ', status: 400 },
    { what: 'not UTF-8', path: '/webhook/main', secret: main, body: Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), status: 400 },
    { what: 'a JSON array', path: '/webhook/main', secret: main, body: '[1, 2]', status: 400 },
    { what: 'no update_id', path: '/webhook/main', secret: main, body: '{"message": {"text": "hi"}}', status: 400 },
    { what: 'a negative update_id', path: '/webhook/main', secret: main, body: '{"update_id": -4, "message": {}}', status: 400 },
    { what: 'two kinds in one update', path: '/webhook/main', secret: main, body: '{"update_id": 4, "message": {}, "edited_message": {}}', status: 400 },
    { what: 'a kind that is not an object', path: '/webhook/main', secret: main, body: '{"update_id": 4, "message": "hi"}', status: 400 },
    { what: 'the main bot with a wrong secret', path: '/webhook/main', secret: `${main}x`, body: validUpdate(11), status: 401 },
    { what: 'the main bot without a secret', path: '/webhook/main', body: validUpdate(12), status: 401 },
    { what: 'a child bot with a wrong secret', path: `/webhook/bot/${String(child.id)}`, secret: main, body: validUpdate(13), status: 401 },
    { what: 'a child bot without a secret', path: `/webhook/bot/${String(child.id)}`, body: validUpdate(14), status: 401 },
    { what: 'an unknown bot id', path: '/webhook/bot/7000000001', secret: childSecret, body: validUpdate(15), status: 404 },
    { what: 'a bot id that is not a number', path: '/webhook/bot/abc', secret: childSecret, body: validUpdate(16), status: 404 },
    { what: 'an unknown token on the legacy path', path: `/webhook/${unknownToken}`, body: validUpdate(17), status: 404 },
    { what: 'a child bot id with another secret part', path: `/webhook/${String(child.id)}:${'A'.repeat(35)}`, body: validUpdate(18), status: 404 },
    { what: 'the legacy path with a wrong secret header', path: `/webhook/${child.token}`, secret: main, body: validUpdate(19), status: 401 },
    { what: 'the main bot\'s id on a child path', path: `/webhook/bot/${String(world.mainBot.id)}`, secret: main, body: validUpdate(20), status: 404 },
    { what: 'a path that names no webhook', path: '/webhook/', secret: main, body: validUpdate(21), status: 404 },
    { what: 'GET on a webhook', path: '/webhook/main', secret: main, body: '', method: 'GET', status: 405 },
    { what: 'a 10 MB body (declared length)', path: '/webhook/main', secret: main, body: tenMegabytes, status: 413 },
    {
      what: 'a 10 MB body (streamed, no length)',
      path: '/webhook/main',
      secret: main,
      body: () => new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 160; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(97));
          controller.close();
        },
      }),
      status: 413,
    },
  ];
}

async function send(url: string, attempt: Attempt): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (attempt.secret !== undefined) headers['x-telegram-bot-api-secret-token'] = attempt.secret;
  const method = attempt.method ?? 'POST';
  const init: RequestInit & { duplex?: 'half' } = { method, headers };
  if (method !== 'GET') {
    init.body = typeof attempt.body === 'function' ? attempt.body() : attempt.body;
    if (typeof attempt.body === 'function') init.duplex = 'half';
  }
  try {
    const response = await fetch(`${url}${attempt.path}`, init);
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    // A server that refuses a streamed body may close the connection before the client finished
    // sending it; the answer is then read from the error only if it arrived. Report it as such.
    throw new Error(`${attempt.what}: no answer (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

async function rowCounts(world: World): Promise<Record<string, number>> {
  const tables = await world.database.query<{ schema: string; name: string }>(
    `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables WHERE table_schema IN ('user_service', 'bot_service') AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
  );
  const counts: Record<string, number> = {};
  for (const { schema, name } of tables.rows) {
    const result = await world.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}"."${name}"`);
    counts[`${schema}.${name}`] = result.rows[0]?.n ?? -1;
  }
  return counts;
}

describe('the log scan', () => {
  it('finds a secret in a log line (so a clean scan means something)', () => {
    const side = sides.get('webhook gateway');
    if (side === undefined) throw new Error('no gateway side');
    const leaky = { ...side.webhookService, name: 'leaky', logText: () => `{"msg":"calling https://api.telegram.org/bot${side.child.token}/getMe"}\n{"msg":"ok"}\n` };
    expect(() => { expectNoSecretsInLogs([leaky], secretsOfRun(side.world.secrets, [side.child])); }).toThrow(/leaky line 1 holds the token of bot/);
  });
});

describe.each(['webhook gateway', 'monolith'])('bad input at the %s', (sideName) => {
  it('gets a 4xx and changes nothing', async () => {
    const side = sides.get(sideName);
    if (side === undefined) throw new Error(`no side ${sideName}`);
    const { world } = side;
    const stream = await world.streamMessages('TELEGRAM');
    const rows = await rowCounts(world);
    const calls = world.emulator.calls().length;

    const answered: { what: string; status: number }[] = [];
    for (const attempt of attempts(side)) answered.push({ what: attempt.what, status: await send(side.webhookService.url, attempt) });
    expect(answered).toEqual(attempts(side).map((attempt) => ({ what: attempt.what, status: attempt.status })));

    expect(await world.streamMessages('TELEGRAM')).toBe(stream);
    expect(await rowCounts(world)).toEqual(rows);
    expect(world.emulator.calls().length).toBe(calls);
    const metrics = await side.webhookService.metrics();
    for (const code of ['400', '401', '404', '413']) {
      expect(sample(metrics, 'nova_http_server_requests_total', { side: side.sideLabel, route: '/webhook/', code })).toBeGreaterThan(0);
    }
    // The 500 series exists from the start (at 0, so rate() sees a first error); none was added.
    expect(sample(metrics, 'nova_http_server_requests_total', { route: '/webhook/', code: '500' })).toBe(0);
  });

  it('accepts the right input on the same paths: the legacy token path, with and without the secret', async () => {
    const side = sides.get(sideName);
    if (side === undefined) throw new Error(`no side ${sideName}`);
    const { world, child } = side;
    const stream = await world.streamMessages('TELEGRAM');
    const toBoris = (): number => world.emulator.calls((call) => call.ok && call.botId === child.id && Number(call.params.chat_id) === BORIS.id).length;
    const answered = toBoris();
    const childSecret = BotKeyring.fromBase64(world.secrets.encryptionKey).webhookSecret(BigInt(child.id), child.token);
    expect(await send(side.webhookService.url, { what: 'legacy path', path: `/webhook/${child.token}`, body: validUpdate(901), status: 200 })).toBe(200);
    expect(await send(side.webhookService.url, { what: 'legacy path, with its secret', path: `/webhook/${encodeURIComponent(child.token)}`, secret: childSecret, body: validUpdate(902), status: 200 })).toBe(200);
    expect(await world.streamMessages('TELEGRAM')).toBe(stream + 2);
    await until('both answered', () => toBoris() === answered + 2);
  });

  it('wrote no token or secret to any log', () => {
    const side = sides.get(sideName);
    if (side === undefined) throw new Error(`no side ${sideName}`);
    const secrets = secretsOfRun(side.world.secrets, [side.child]);
    secrets.set('the unknown token', unknownToken);
    expectNoSecretsInLogs(side.services, secrets);
  });
});
