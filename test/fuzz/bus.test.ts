/**
 * Fuzzing the bus: malformed protobuf bodies and headers published on every subject a service
 * consumes, against the deployables as real processes (webhook gateway, user, bot, publisher and
 * payment services, from their builds) on a nats-server of this file's own and the test bed's
 * PostgreSQL. Telegram and the payment providers are the emulators (none is reachable here).
 *
 * The subjects come from the contracts: every `svc.<context>.<method>` of the four contexts that
 * serve requests (METHODS in packages/contracts/src/subjects.ts), and the stream subjects the
 * services consume (the bot service: `telegram.update.*` and `nova.payment.subscription_activated`;
 * the publisher: `nova.publisher.publication_requested` and `announcement_requested`). Bodies:
 * random bytes, a valid message truncated, a message of another type, empty, oversized; headers:
 * none at all (no msgID, no trace, no idempotency key) or garbage values.
 *
 * Expected: every request is answered, and what it cannot take is refused with a typed error and
 * its reason, never `INTERNAL` (the bus's 5xx); every stream message that cannot decode is
 * dead-lettered at its first delivery with the reason in `Nova-Dlq-Error`; one that decodes (a
 * protobuf decoder takes many byte strings) is settled, acked or dead-lettered with a reason, never
 * left retrying; after the garbage each consumer still takes a valid message (a person's /start is
 * answered, a payment notice is sent, valid requests answer) and every process is up. Bounded by a
 * case count and a time budget (one case per method and two per stream subject at least); the seed is printed.
 */
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { create, fromBinary, ScalarType, toBinary, type DescMessage } from '@bufbuild/protobuf';
import { headers as natsHeaders, type NatsConnection, type MsgHdrs } from '@nats-io/transport-node';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { EVENT_SCHEMAS, METHODS, NOVA_ERROR_HEADER, REQUEST_METHODS, ServiceErrorSchema, ErrorCode, TelegramUpdateSchema, telegramUpdateSubject, type ServiceSubject } from '@nova/contracts';
import { CryptoBotEmulator, PlategaEmulator } from '@nova/payment-emulators';
import type { UserSpec } from '@nova/telegram-emulator';
import { say } from '../services/support/script.js';
import type { RunningService } from '../services/support/services.js';
import { until } from '../services/support/until.js';
import { World } from '../services/support/world.js';
import { fuzzSeed, Random, reportRun, withSeed } from './support/random.js';

jest.setTimeout(300_000);

const CASES_PER_SUBJECT = 8;
const REQUEST_CASES_PER_METHOD = 2;
const BUDGET_MS = 15_000;
const seed = fuzzSeed();

let world: World | undefined;
let processes: RunningService[];
let nc: NatsConnection | undefined;
let js: JetStreamClient;
let jsm: JetStreamManager;
let cryptobot: CryptoBotEmulator | undefined;
let platega: PlategaEmulator | undefined;

beforeAll(async () => {
  const created = await World.create('fuzz_bus');
  world = created;
  const cryptobotEmulator = await CryptoBotEmulator.start();
  cryptobot = cryptobotEmulator;
  const plategaEmulator = await PlategaEmulator.start();
  platega = plategaEmulator;
  // Few, short retries: a decodable update the handler fails on is dead-lettered within the test's wait
  // (a reply's lease must end before that, the bot service checks).
  const [fleet, publisher, payments] = await Promise.all([
    created.startFleet({ bots: { NOVA_UPDATES_MAX_DELIVER: '3', NOVA_UPDATES_BACKOFF: '1s,1s', NOVA_REPLY_LEASE: '1s' } }),
    created.start('publisher-service', created.publisherEnv()),
    created.start('payment-service', {
      NOVA_NATS_URL: created.nats.url, NOVA_DATABASE_URL: created.databaseUrl,
      NOVA_CRYPTOBOT_API_ROOT: cryptobotEmulator.apiRoot, NOVA_CRYPTOBOT_TOKEN: cryptobotEmulator.token,
      NOVA_PLATEGA_API_ROOT: plategaEmulator.apiRoot, NOVA_PLATEGA_MERCHANT_ID: plategaEmulator.merchantId, NOVA_PLATEGA_SECRET: plategaEmulator.secret,
    }),
  ]);
  processes = [fleet.gateway, fleet.users, fleet.bots, publisher, payments];
  const connection = await connect({ servers: created.nats.url, name: 'bus-fuzz' });
  nc = connection;
  js = jetstream(connection);
  jsm = await jetstreamManager(connection);
});

afterAll(async () => {
  await nc?.close();
  await world?.close();
  await cryptobot?.stop();
  await platega?.stop();
});

/** A message of `schema` with every scalar field set, so a cut through it lands inside a field as often as not. */
function filled(schema: DescMessage, random: Random): Uint8Array {
  const init: Record<string, unknown> = {};
  for (const field of schema.fields) {
    if (field.fieldKind !== 'scalar') continue;
    switch (field.scalar) {
      case ScalarType.STRING: init[field.localName] = random.text(20); break;
      case ScalarType.BYTES: init[field.localName] = random.bytes(1 + random.below(40)); break;
      case ScalarType.BOOL: init[field.localName] = true; break;
      case ScalarType.DOUBLE: case ScalarType.FLOAT: init[field.localName] = random.next() * 1e6; break;
      case ScalarType.INT64: case ScalarType.UINT64: case ScalarType.FIXED64: case ScalarType.SFIXED64: case ScalarType.SINT64: init[field.localName] = BigInt(random.below(2 ** 31)) * 1_000_003n; break;
      default: init[field.localName] = random.below(2 ** 31); break;
    }
  }
  return toBinary(schema, create(schema, init as never));
}

const ALL_SCHEMAS: readonly DescMessage[] = [...Object.values(EVENT_SCHEMAS), ...Object.values(REQUEST_METHODS).flatMap((method) => [method.input, method.output])] as DescMessage[];

interface Garbage {
  readonly what: string;
  readonly body: Uint8Array;
  readonly headers: MsgHdrs | undefined;
}

function garbage(random: Random, schema: DescMessage): Garbage {
  const kind = random.below(6);
  let what: string;
  let body: Uint8Array;
  switch (kind) {
    case 0: what = 'random bytes'; body = random.bytes(1 + random.below(200)); break;
    case 1: {
      const whole = filled(schema, random);
      what = 'truncated';
      body = whole.subarray(0, Math.max(1, random.below(whole.length)));
      break;
    }
    case 2: {
      const other = random.pick(ALL_SCHEMAS);
      what = `a ${other.typeName}`;
      body = filled(other, random);
      break;
    }
    case 3: what = 'empty'; body = new Uint8Array(0); break;
    case 4: what = 'an invalid wire type'; body = Uint8Array.from([0x0f, ...random.bytes(8)]); break;
    default: what = 'oversized random'; body = random.bytes(200_000); break;
  }
  let headers: MsgHdrs | undefined;
  if (random.chance(0.5)) {
    headers = natsHeaders();
    // Garbage where the bus reads headers: the trace, the routing key, the idempotency key, a request's deadline.
    for (const name of ['traceparent', 'tracestate', 'Nova-Routing-Key', 'Nova-Idempotency-Key', 'Nova-Deadline', 'Nova-Route', 'Nova-Side']) {
      if (random.chance(0.5)) headers.set(name, random.pick(['', 'x', '-1', '00-zz-zz-01', '99999999999999999999', String(Date.now() - 60_000), 'user=target,,=', 'ä'.normalize()]).replace(/[^\x20-\x7e]/gu, '?') || 'x');
    }
    what += ', garbage headers';
  } else what += ', no headers';
  return { what, body, headers };
}

function decodes(schema: DescMessage, body: Uint8Array): boolean {
  try {
    fromBinary(schema, body);
    return true;
  } catch {
    return false;
  }
}

/** Every consumer of `stream` has nothing pending and nothing unacknowledged. */
async function drained(stream: string): Promise<boolean> {
  for await (const info of jsm.consumers.list(stream)) {
    if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
  }
  return true;
}

interface DeadLetter {
  readonly sequence: number;
  readonly deliveries: number;
  readonly error: string;
}

/** The DLQ's letters from `stream`, by their origin sequence. */
async function deadLetters(stream: string): Promise<Map<number, DeadLetter>> {
  const out = new Map<number, DeadLetter>();
  const info = await jsm.streams.info('DLQ').catch(() => undefined);
  if (info === undefined) return out;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const message = await jsm.streams.getMessage('DLQ', { seq }).catch(() => null);
    if (message?.header.get('Nova-Dlq-Stream') !== stream) continue;
    const sequence = Number(message.header.get('Nova-Dlq-Sequence'));
    out.set(sequence, { sequence, deliveries: Number(message.header.get('Nova-Dlq-Deliveries')), error: message.header.get('Nova-Dlq-Error') });
  }
  return out;
}

it('refuses or dead-letters every malformed message with its reason, keeps consuming, and stays up', async () => {
  if (world === undefined || nc === undefined) throw new Error('no world');
  const { mainBot, emulator } = world;
  const connection = nc;
  const random = new Random(seed);
  // Half the budget for requests, the rest for the stream subjects, so a slow machine still fuzzes both.
  const started = Date.now();
  let deadline = started + BUDGET_MS / 2;
  let cases = 0;
  const outcomes: Record<string, number> = {};
  const count = (outcome: string): void => { outcomes[outcome] = (outcomes[outcome] ?? 0) + 1; };

  // Requests: every method of every context that serves.
  const subjects = (['user', 'bot', 'publisher', 'payment'] as const).flatMap((context) => METHODS[context].map((method) => `svc.${context}.${method}` as ServiceSubject));
  for (const subject of subjects) {
    const schema = REQUEST_METHODS[subject].input as DescMessage;
    for (let i = 0; i < REQUEST_CASES_PER_METHOD && (i === 0 || Date.now() < deadline); i++, cases++) {
      const bad = garbage(random, schema);
      const what = withSeed(seed, `${subject}: ${bad.what}`);
      const reply = await connection.request(subject, bad.body, { timeout: 10_000, ...(bad.headers === undefined ? {} : { headers: bad.headers }) }).catch((error: unknown) => error as Error);
      if (reply instanceof Error) throw new Error(`${what}: no answer (${reply.message})`, { cause: reply });
      const code = reply.headers?.get(NOVA_ERROR_HEADER) ?? '';
      if (code === '') {
        count('request answered');
        continue;
      }
      const error = fromBinary(ServiceErrorSchema, reply.data);
      count(`request refused ${code}`);
      expect({ what, code, message: error.message, internal: error.code === ErrorCode.INTERNAL, reason: error.message.length > 0 }).toEqual({ what, code, message: error.message, internal: false, reason: true });
    }
  }

  // Stream messages: each consumed subject, garbage then its fate.
  const streamSubjects: { subject: string; stream: 'TELEGRAM' | 'NOVA'; schema: DescMessage }[] = [
    { subject: telegramUpdateSubject(mainBot.id, 7_300_000_001), stream: 'TELEGRAM', schema: TelegramUpdateSchema },
    { subject: 'nova.payment.subscription_activated', stream: 'NOVA', schema: EVENT_SCHEMAS['nova.payment.subscription_activated'] },
    { subject: 'nova.publisher.publication_requested', stream: 'NOVA', schema: EVENT_SCHEMAS['nova.publisher.publication_requested'] },
    { subject: 'nova.publisher.announcement_requested', stream: 'NOVA', schema: EVENT_SCHEMAS['nova.publisher.announcement_requested'] },
  ];
  const published: { stream: string; sequence: number; what: string; decodes: boolean }[] = [];
  deadline = Math.max(Date.now(), started + BUDGET_MS / 2) + BUDGET_MS / 2;
  for (const { subject, stream, schema } of streamSubjects) {
    for (let i = 0; i < CASES_PER_SUBJECT && (i < 2 || Date.now() < deadline); i++, cases++) {
      const bad = garbage(random, schema);
      const ack = await js.publish(subject, bad.body, bad.headers === undefined ? undefined : { headers: bad.headers });
      published.push({ stream, sequence: ack.seq, what: withSeed(seed, `${subject} seq ${String(ack.seq)}: ${bad.what}`), decodes: decodes(schema, bad.body) });
    }
  }
  await until('every consumer settled the garbage', async () => (await drained('TELEGRAM')) && (await drained('NOVA')), 60_000, 200);
  const letters = { TELEGRAM: await deadLetters('TELEGRAM'), NOVA: await deadLetters('NOVA') } as Record<string, Map<number, DeadLetter>>;
  for (const message of published) {
    const letter = letters[message.stream]?.get(message.sequence);
    if (!message.decodes) {
      // Cannot decode: dead at its first delivery, with the decoder's reason.
      expect({ what: message.what, deliveries: letter?.deliveries, reason: (letter?.error.length ?? 0) > 0 }).toEqual({ what: message.what, deliveries: 1, reason: true });
      count('stream: dead-lettered, undecodable');
    } else if (letter === undefined) {
      count('stream: decoded, acked');
    } else {
      expect({ what: message.what, reason: letter.error.length > 0 }).toEqual({ what: message.what, reason: true });
      count('stream: decoded, dead-lettered');
    }
  }
  reportRun('bus', seed, cases, JSON.stringify(outcomes));

  // Still consuming: valid messages after the garbage.
  const person: UserSpec = { id: 7_300_000_002, first_name: 'Fuzz' };
  expect((await say(emulator, mainBot, person, '/start')).text).toBeDefined();
  for (const subject of ['svc.user.stats', 'svc.bot.stats', 'svc.publisher.stats', 'svc.payment.plans'] as const) {
    const reply = await connection.request(subject, toBinary(REQUEST_METHODS[subject].input as DescMessage, create(REQUEST_METHODS[subject].input as DescMessage)), { timeout: 10_000 });
    expect({ subject, error: reply.headers?.get(NOVA_ERROR_HEADER) ?? '' }).toEqual({ subject, error: '' });
  }
  const before = { TELEGRAM: (await jsm.streams.info('TELEGRAM')).state.last_seq, NOVA: (await jsm.streams.info('NOVA')).state.last_seq };
  await js.publish('nova.publisher.publication_requested', toBinary(EVENT_SCHEMAS['nova.publisher.publication_requested'], create(EVENT_SCHEMAS['nova.publisher.publication_requested'], { postId: 424_242n })), { msgID: `fuzz-valid-${String(seed)}` });
  await until('the valid event is settled', async () => drained('NOVA'), 30_000, 200);
  expect((await deadLetters('NOVA')).has(before.NOVA + 1)).toBe(false);

  for (const running of processes) expect({ name: running.name, running: running.process.running }).toEqual({ name: running.name, running: true });
  for (const running of processes) expect({ name: running.name, status: (await fetch(`${running.url}/healthz`)).status }).toEqual({ name: running.name, status: 200 });
});
