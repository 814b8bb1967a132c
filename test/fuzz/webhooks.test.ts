/**
 * Fuzzing the webhook endpoint of both deployables that take Telegram's updates: the webhook
 * gateway (with the user and bot services behind it) and the monolith in `jetstream` mode, each
 * a real process from its build against its own nats-server and a database on the test bed's
 * PostgreSQL, as test/services/bad-input.test.ts starts them. Telegram itself is the emulator (no
 * real Telegram is reachable from here); it is what the onboarding talks to.
 *
 * Each case starts from a valid update for a real path (the main bot, the child bot Anna connected,
 * the legacy token path) and mutates the update (wrong types, huge numbers, missing or extra
 * fields, deep nesting, huge strings), its bytes (truncated, random, not UTF-8), the headers (the
 * secret missing, wrong, padded, in Latin-1; odd content types and encodings) or the path (unknown
 * bots, traversal, escapes). Expected of every case: never a 5xx, an answer at all, and for every
 * refusal nothing stored (the TELEGRAM stream holds what it held). After the run: the process is
 * up and healthy, its 5xx counter is still 0, no refused case's person is in the database, and no
 * log holds a token or secret. Bounded by a case count and a time budget; the seed is printed.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { BotKeyring } from '@nova/bot-service/domain';
import type { EmulatedBot } from '@nova/telegram-emulator';
import { BORIS, onboardingScript } from '../services/support/script.js';
import { expectNoSecretsInLogs, secretsOfRun } from '../services/support/secrets.js';
import { sample, type RunningService } from '../services/support/services.js';
import { World } from '../services/support/world.js';
import { sendRaw, type RawRequest } from './support/raw-http.js';
import { fuzzSeed, Random, reportRun } from './support/random.js';

jest.setTimeout(300_000);

const CASES_PER_SIDE = 300;
const BUDGET_MS_PER_SIDE = 12_000;
/** Every case's person has an id from here on (before mutation), so the database can be asked about refused ones. */
const FIRST_PERSON = 7_100_000_000;

const seed = fuzzSeed();

interface Side {
  readonly world: World;
  readonly webhook: RunningService;
  readonly processes: RunningService[];
  readonly child: EmulatedBot;
}

const sides = new Map<string, Side>();

beforeAll(async () => {
  const fleetWorld = await World.create('fuzz_webhook_fleet');
  const fleet = await fleetWorld.startFleet();
  sides.set('webhook gateway', { world: fleetWorld, webhook: fleet.gateway, processes: [fleet.gateway, fleet.users, fleet.bots], child: (await onboardingScript(fleetWorld.emulator, fleetWorld.mainBot)).child });
  const monolithWorld = await World.create('fuzz_webhook_monolith');
  const { monolith } = await monolithWorld.startMonolith('jetstream');
  sides.set('monolith', { world: monolithWorld, webhook: monolith, processes: [monolith], child: (await onboardingScript(monolithWorld.emulator, monolithWorld.mainBot)).child });
});

afterAll(async () => {
  for (const side of sides.values()) await side.world.close();
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A valid update of one of the kinds the bots handle, from person `personId`. */
function validUpdate(random: Random, updateId: number, personId: number): { [key: string]: Json } {
  const from = { id: personId, is_bot: false, first_name: 'Fuzz', language_code: 'en' };
  const chat = { id: personId, type: 'private', first_name: 'Fuzz' };
  const message = { message_id: updateId, date: 1_700_000_000, chat, from, text: random.pick(['hi', '/start', '/help', '/mybots', 'x'.repeat(50)]) };
  switch (random.below(4)) {
    case 0: return { update_id: updateId, message: { ...message, entities: message.text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: message.text.length }] : [] } };
    case 1: return { update_id: updateId, edited_message: { ...message, edit_date: 1_700_000_100 } };
    case 2: return { update_id: updateId, callback_query: { id: String(updateId), from, chat_instance: '1', data: 'list', message } };
    default: return { update_id: updateId, my_chat_member: { chat, from, date: 1_700_000_000, old_chat_member: { status: 'member', user: from }, new_chat_member: { status: 'kicked', user: from, until_date: 0 } } };
  }
}

const ODD_VALUES: readonly Json[] = [null, true, false, 0, -1, 1.5, 2 ** 53 + 2, -(2 ** 63), 1e308, '', 'x', '9'.repeat(40), [], {}, [1, 'a', null], { a: { b: {} } }];

/** A fresh copy of an odd value: a shared one, mutated later inside the tree, could close a cycle. */
function odd(random: Random): Json {
  return structuredClone(random.pick(ODD_VALUES));
}

/** A random path into `value` (an array of keys/indices), possibly empty (the root). */
function somePath(random: Random, value: Json): (string | number)[] {
  const path: (string | number)[] = [];
  let node = value;
  while (node !== null && typeof node === 'object' && random.chance(0.7)) {
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, index) => index) : Object.keys(node);
    if (keys.length === 0) break;
    const key = random.pick(keys);
    path.push(key);
    node = (node as Record<string | number, Json>)[key] as Json;
  }
  return path;
}

function setAt(root: Json, path: readonly (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  let node = root as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path.at(-1) as string | number;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else Reflect.deleteProperty(node, last);
  } else node[last] = value;
  return root;
}

const DEEP = '\u0000deep:';

/** `depth` levels of arrays and objects around `inner`, as JSON text. */
function nestedText(depth: number, inner: string): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    open += i % 2 === 0 ? '[' : '{"a":';
    close = (i % 2 === 0 ? ']' : '}') + close;
  }
  return open + inner + close;
}

/** One to three structural mutations of the update; the text form may then carry raw-number tricks. */
function mutateJson(random: Random, update: Json): string {
  let value = structuredClone(update);
  const rounds = 1 + random.below(3);
  for (let round = 0; round < rounds; round++) {
    const path = somePath(random, value);
    switch (random.below(7)) {
      case 0: value = setAt(value, path, odd(random)); break;
      case 1: if (path.length > 0) value = setAt(value, path, undefined); break;
      case 2: {
        // An extra field on the object at `path`, or on the root when that is no object.
        const node = path.reduce<Json>((at, key) => (at as Record<string | number, Json>)[key] as Json, value);
        const into = node !== null && typeof node === 'object' && !Array.isArray(node) ? path : [];
        if (into.length > 0 || (value !== null && typeof value === 'object' && !Array.isArray(value))) value = setAt(value, [...into, random.text(8) || 'extra'], odd(random));
        break;
      }
      // Deep nesting is spliced into the text below: JSON.stringify itself recurses and overflows here.
      case 3: value = setAt(value, path, `${DEEP}${String(random.pick([10, 1_000, 20_000, 200_000]))}`); break;
      case 4: value = setAt(value, path, random.text(20)); break;
      case 5: value = setAt(value, path, 'x'.repeat(random.pick([4_096, 100_000, 300_000]))); break;
      default: value = setAt(value, path, Array.from({ length: random.pick([100, 5_000]) }, () => odd(random))); break;
    }
  }
  let text = JSON.stringify(value).replace(new RegExp(`"${DEEP}(\\d+)"`, 'gu'), (_match, depth: string) => nestedText(Number(depth), random.pick(['0', '{}', '"x"', 'null'])));
  // Numbers JSON.stringify cannot write: beyond doubles, exponents, many digits.
  if (random.chance(0.2)) text = text.replace(/("update_id":)\d+/u, `$1${random.pick(['1e400', '123456789012345678901234567890', '-0', '1.0', '0x10', '00012'])}`);
  if (random.chance(0.1)) text = text.replace(/("id":)\d+/u, `$1${random.pick(['1e400', '99999999999999999999999', '-1'])}`);
  return text;
}

function mutateBytes(random: Random, text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  switch (random.below(6)) {
    case 0: return bytes.subarray(0, random.below(bytes.length + 1));
    case 1: return random.bytes(random.pick([0, 1, 16, 1_000, 70_000]));
    case 2: {
      const copy = Buffer.from(bytes);
      for (let i = 0; i < 1 + random.below(5); i++) if (copy.length > 0) copy[random.below(copy.length)] = random.below(256);
      return copy;
    }
    case 3: return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
    case 4: return Buffer.from(text, random.pick(['latin1', 'utf16le'] as const));
    default: return Buffer.from(random.pick(['', ' ', 'null', '0', '"update"', '[]', '{}', '{"update_id":1}', `{"update_id":1,"message":${'['.repeat(100_000)}`, '{"__proto__":{"polluted":1},"update_id":1,"message":{}}', '{"update_id":1,"constructor":{"prototype":{"x":1}}}']), 'utf8');
  }
}

interface Target {
  readonly path: string;
  readonly secret: string | undefined;
}

function targets(side: Side): Target[] {
  const { world, child } = side;
  const childSecret = BotKeyring.fromBase64(world.secrets.encryptionKey).webhookSecret(BigInt(child.id), child.token);
  return [
    { path: '/webhook/main', secret: world.secrets.webhookSecret },
    { path: `/webhook/bot/${String(child.id)}`, secret: childSecret },
    { path: `/webhook/${child.token}`, secret: undefined },
  ];
}

function oddPath(random: Random, side: Side, valid: string): string {
  const { child } = side;
  return random.pick([
    `${valid}/`, `${valid}?x=1&update_id=2`, `${valid}#frag`, valid.toUpperCase(), `/${valid}`, `${valid}/..`,
    `/webhook/../webhook/main`, `/webhook/%2e%2e/admin/`, `/webhook/..%2f..%2fetc%2fpasswd`, '/webhook/%', '/webhook/%zz', '/webhook/%00',
    `/webhook/bot/${String(child.id)}%00`, `/webhook/bot/${String(child.id)}/extra`, `/webhook/bot/0${String(child.id)}`, '/webhook/bot/-1',
    '/webhook/bot/99999999999999999999999', '/webhook/bot/1e3', '/webhook/bot/', '/webhook/bot/%F0%9F%98%80', `/webhook/${'a'.repeat(6_000)}`,
    `/webhook/${String(child.id)}:${'A'.repeat(35)}`, `/webhook/${encodeURIComponent(child.token)}`, `/webhook/${child.token.replace(':', '%3a')}`,
    `/webhook/${child.token}x`, '/webhook/main%2f..', '/webhook//main', '/WEBHOOK/main', '/webhook/mäin', 'http://evil.example/webhook/main', '*', '/webhook/\u00ff',
  ]);
}

function oddSecret(random: Random, secret: string | undefined): string | undefined {
  const base = secret ?? 'none';
  return random.pick([undefined, '', base.slice(0, -1), `${base}x`, ` ${base} `, base.toUpperCase(), `${base}\u00e9`, '\u00ff\u00fe', 'a'.repeat(8_000), `${base},${base}`]);
}

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', '', 'application/jsonx', '\u00e9/\u00e9'];

interface Case {
  readonly what: string;
  readonly request: RawRequest;
  readonly personId: number;
}

/** One case: which parts were mutated is in `what`, for the failure message. */
function makeCase(random: Random, side: Side, index: number): Case {
  const target = random.pick(targets(side));
  const personId = FIRST_PERSON + index;
  const update = validUpdate(random, 10_000 + index, personId);
  const mutated: string[] = [];
  let body: Buffer = Buffer.from(JSON.stringify(update), 'utf8');
  if (random.chance(0.6)) { body = Buffer.from(mutateJson(random, update), 'utf8'); mutated.push('json'); }
  if (random.chance(0.2)) { body = mutateBytes(random, body.toString('utf8')); mutated.push('bytes'); }
  let path = target.path;
  if (random.chance(0.2)) { path = oddPath(random, side, target.path); mutated.push('path'); }
  let secret = target.secret;
  if (random.chance(0.2)) { secret = oddSecret(random, target.secret); mutated.push('secret'); }
  const headers: [string, string][] = [];
  let contentType = 'application/json';
  if (random.chance(0.15)) { contentType = random.pick(CONTENT_TYPES); mutated.push('content-type'); }
  if (contentType !== '' || random.chance(0.5)) headers.push(['Content-Type', contentType]);
  if (secret !== undefined) headers.push(['X-Telegram-Bot-Api-Secret-Token', secret]);
  if (random.chance(0.05)) { headers.push(['X-Telegram-Bot-Api-Secret-Token', random.text(10).replace(/[\r\n\0]/gu, '')]); mutated.push('second secret'); }
  if (random.chance(0.05)) { headers.push(['Content-Encoding', random.pick(['gzip', 'br', 'identity', 'x'])]); mutated.push('encoding'); }
  let contentLength: number | null | undefined;
  if (random.chance(0.05)) { contentLength = random.pick([0, body.length + 10, Math.max(0, body.length - 5), 10 * 1024 * 1024, null]); mutated.push('content-length'); }
  const method = random.chance(0.05) ? random.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'FOO']) : 'POST';
  if (method !== 'POST') mutated.push('method');
  if (contentLength === null && method === 'POST') headers.push(['Transfer-Encoding', 'chunked']);
  const requestBody = contentLength === null && method === 'POST' ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]) : body;
  const request: RawRequest = { method, path, headers, body: requestBody, ...(contentLength === undefined ? {} : { contentLength }) };
  const shown = `${method} ${path.slice(0, 80)} [${mutated.join(',') || 'valid'}] body ${body.subarray(0, 120).toString('latin1')}${body.length > 120 ? `… (${String(body.length)} bytes)` : ''}`;
  return { what: `case ${String(index)}: ${shown}`, request, personId };
}

describe.each(['webhook gateway', 'monolith'])('the %s webhook, fuzzed', (sideName) => {
  it('never answers 5xx, stores nothing it refused, and stays up', async () => {
    const side = sides.get(sideName);
    if (side === undefined) throw new Error(`no side ${sideName}`);
    const { world, webhook } = side;
    const random = new Random(seed + (sideName === 'monolith' ? 1 : 0));
    const deadline = Date.now() + BUDGET_MS_PER_SIDE;
    const statuses = new Map<number | string, number>();
    const refusedPeople: number[] = [];
    let cases = 0;
    for (; cases < CASES_PER_SIDE && Date.now() < deadline; cases++) {
      const fuzzCase = makeCase(random, side, cases);
      const before = await world.streamMessages('TELEGRAM');
      const answer = await sendRaw(webhook.address, fuzzCase.request);
      statuses.set(answer.status ?? `none (${answer.error ?? 'closed'})`, (statuses.get(answer.status ?? `none (${answer.error ?? 'closed'})`) ?? 0) + 1);
      // A body the server refuses while it is still being written may cut the socket before the answer is read (EPIPE, DEVELOPERS.md); that is no 5xx, and the health check below shows the process is fine.
      const cutWhileWriting = answer.status === undefined && (answer.error === 'EPIPE' || answer.error === 'ECONNRESET') && fuzzCase.request.body.length > 256 * 1024;
      // A request whose body ends before its declared length is incomplete: closing it unanswered is fair.
      const incomplete = answer.status === undefined && typeof fuzzCase.request.contentLength === 'number' && fuzzCase.request.contentLength > fuzzCase.request.body.length;
      if (!cutWhileWriting && !incomplete) expect({ what: fuzzCase.what, status: answer.status === undefined ? `no answer: ${answer.error ?? 'closed'}` : answer.status < 500 ? 'below 500' : answer.status }).toEqual({ what: fuzzCase.what, status: 'below 500' });
      if (answer.status === undefined || answer.status >= 300) {
        refusedPeople.push(fuzzCase.personId);
        expect({ what: fuzzCase.what, stored: (await world.streamMessages('TELEGRAM')) - before }).toEqual({ what: fuzzCase.what, stored: 0 });
      }
    }
    reportRun(`webhooks (${sideName})`, seed, cases, `answers ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(cases).toBeGreaterThan(50);

    // Still up, and healthy.
    expect((await fetch(`${webhook.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${webhook.url}/readyz`)).status).toBe(200);
    for (const running of side.processes) expect({ name: running.name, running: running.process.running }).toEqual({ name: running.name, running: true });
    const metrics = await webhook.metrics();
    expect(sample(metrics, 'nova_http_server_requests_total', { route: '/webhook/', code: '500' }) ?? 0).toBe(0);
    expect(sample(metrics, 'nova_http_server_requests_total', { route: '/webhook/', code: '503' }) ?? 0).toBe(0);
    // No refused case's person reached the users context (an accepted update may well have: it was valid enough).
    const known = await world.database.query<{ id: string }>('SELECT telegram_id::text AS id FROM user_service.users WHERE telegram_id = ANY($1::bigint[])', [refusedPeople.map(String)]);
    expect(known.rows.map((row) => row.id)).toEqual([]);
    // The conversation still works after the garbage: Boris writes to Anna's bot and is answered.
    const reply = world.emulator.nextMessageTo(BORIS.id, { botId: side.child.id, timeoutMs: 60_000 });
    world.emulator.userSends(side.child.token, { from: BORIS, text: 'still there?' });
    expect((await reply).text).toBeDefined();
  });

  it('wrote no token or secret to any log', () => {
    const side = sides.get(sideName);
    if (side === undefined) throw new Error(`no side ${sideName}`);
    expectNoSecretsInLogs(side.processes, secretsOfRun(side.world.secrets, [side.child]));
  });
});
