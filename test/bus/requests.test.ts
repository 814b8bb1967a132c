/**
 * Typed request/reply on real NATS: typed errors from the Nova-Error header, timeouts,
 * no-responders, and the circuit breaker per callee against a stopped and restarted responder.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CircuitOpenError, connectJetStreamBus, InternalError, InvalidArgumentError, NoRespondersError, NotFoundError, PublishTimeoutError, RequestTimeoutError, type Binding, type NovaBus } from '@nova/bus';
import { create, toBinary } from '@bufbuild/protobuf';
import { connect, headers as natsHeaders, type ConnectionOptions } from '@nats-io/transport-node';
import { REQUEST_METHODS } from '@nova/contracts';
import { memoryLogger, startPrivateNats, testMetrics, until, type PrivateNats } from './support/nats.js';

let nats: PrivateNats;
let client: NovaBus;
let server: NovaBus;
const clientMetrics = testMetrics('target');

beforeAll(async () => {
  nats = await startPrivateNats();
  client = await connectJetStreamBus({
    servers: [nats.info.url], name: 'client', metrics: clientMetrics, logger: memoryLogger('client').logger,
    // Generous timeouts: on a loaded machine (a fresh clone beside CPU hogs) a first request took over 1 s,
    // and an open circuit must still be open after the responder was started again.
    requestTimeoutMs: 5_000, circuit: { failureThreshold: 3, windowSize: 3, openMs: 3_000, successesToClose: 2 },
  });
  server = await connectJetStreamBus({ servers: [nats.info.url], name: 'server', metrics: testMetrics(), logger: memoryLogger('server').logger, ensureStreams: false });
});

afterAll(async () => {
  await client.close();
  await server.close();
  await nats.stop();
});

function serveUsers(): Promise<Binding> {
  return server.serve('user', {
    'svc.user.get': async (request) => {
      if (request.telegramId === 0n) throw new InvalidArgumentError('telegram_id must be set');
      if (request.telegramId === 404n) throw new NotFoundError('no such user', { telegram_id: '404' });
      if (request.telegramId === 500n) throw new Error('database exploded at postgres://nova:hunter22@db/nova');
      if (request.telegramId === 999n) await new Promise((done) => setTimeout(done, 1_500));
      return { user: { telegramId: request.telegramId, firstName: 'Ann' } };
    },
  });
}

describe('request/reply', () => {
  it('answers, and maps the Nova-Error reply to typed errors with code, details and service', async () => {
    const binding = await serveUsers();
    const ok = await client.request('svc.user.get', { telegramId: 7n }, { routingKey: 7n });
    expect(ok.user?.firstName).toBe('Ann');
    await expect(client.request('svc.user.get', { telegramId: 404n })).rejects.toMatchObject({ constructor: NotFoundError, message: 'no such user', details: { telegram_id: '404' }, service: 'user' });
    await expect(client.request('svc.user.get', { telegramId: 0n })).rejects.toBeInstanceOf(InvalidArgumentError);
    const internal = client.request('svc.user.get', { telegramId: 500n });
    await expect(internal).rejects.toBeInstanceOf(InternalError);
    await expect(internal).rejects.not.toThrow(/hunter22/);
    await binding.stop();
  });

  it('times out with RequestTimeoutError, and says NoRespondersError when nobody serves', async () => {
    const binding = await serveUsers();
    await expect(client.request('svc.user.get', { telegramId: 999n }, { timeoutMs: 200 })).rejects.toMatchObject({ constructor: RequestTimeoutError, subject: 'svc.user.get', timeoutMs: 200 });
    await expect(client.request('svc.bot.get', { botId: 1n })).rejects.toMatchObject({ constructor: NoRespondersError, subject: 'svc.bot.get' });
    await binding.stop();
    // A fresh callee circuit for the next test: one success resets nothing, so wait it out.
    await new Promise((done) => setTimeout(done, 3_100));
  });
});

describe('failures keep their subject without nats.js\'s per-call stack capture', () => {
  it('connects with noAsyncTraces (issue 20: nats.js built an Error per request and publish); a request\'s timeout and an unacknowledged JetStream publish still name their subject', async () => {
    const bus = await connectJetStreamBus({ servers: [nats.info.url], name: 'no-async-traces', metrics: testMetrics(), logger: memoryLogger('no-async-traces').logger, publishTimeoutMs: 300 });
    // A plain subscriber is interest that never answers: both calls wait out their timeouts (no stream stores outside.*).
    const raw = await connect({ servers: nats.info.url, name: 'silent-interest' });
    raw.subscribe('svc.payment.entitlement');
    raw.subscribe('outside.streams.unacknowledged');
    await raw.flush();
    try {
      expect((bus.transport.nc as unknown as { options: ConnectionOptions }).options.noAsyncTraces).toBe(true);
      const request = await bus.request('svc.payment.entitlement', { telegramId: 1n }, { timeoutMs: 200 }).then(() => undefined, (error: unknown) => error);
      expect(request).toMatchObject({ constructor: RequestTimeoutError, subject: 'svc.payment.entitlement', timeoutMs: 200 });
      expect((request as Error).stack).toContain('svc.payment.entitlement');
      const publish = await bus.transport.publish('NOVA', 'outside.streams.unacknowledged', new Uint8Array([1]), new Map(), 'test-1').then(() => undefined, (error: unknown) => error);
      expect(publish).toMatchObject({ constructor: PublishTimeoutError, subject: 'outside.streams.unacknowledged', timeoutMs: 300 });
      expect((publish as Error).stack).toContain('outside.streams.unacknowledged');
    } finally {
      await raw.close();
      await bus.close();
    }
  });
});

describe('the deadline header off the wire', () => {
  it('answers a request whose Nova-Deadline is beyond a timer\'s reach, instead of an internal error (found by test/fuzz/bus.test.ts)', async () => {
    // What serve-context does with a deadline: a timer until it. 99999999999999999999 ms made it throw a RangeError.
    const binding = await server.serve('user', {
      'svc.user.get': (request, context) => {
        AbortSignal.timeout(Math.max(0, (context.deadline ?? Date.now()) - Date.now()));
        return Promise.resolve({ user: { telegramId: request.telegramId, firstName: 'Ann' } });
      },
    });
    const raw = await connect({ servers: nats.info.url, name: 'raw-deadline' });
    try {
      const wireHeaders = natsHeaders();
      wireHeaders.set('Nova-Deadline', '99999999999999999999');
      const input = REQUEST_METHODS['svc.user.get'].input;
      const reply = await raw.request('svc.user.get', toBinary(input, create(input, { telegramId: 7n })), { headers: wireHeaders, timeout: 5_000 });
      expect(reply.headers?.get('Nova-Error')).toBeUndefined();
    } finally {
      await raw.close();
      await binding.stop();
    }
  });
});

describe('circuit breaker per callee', () => {
  const gauge = async (circuit: string): Promise<string | undefined> => /nova_circuit_state\{circuit="([^"]+)"\} (\d)/g.exec((await clientMetrics.text()).split('\n').find((l) => l.startsWith(`nova_circuit_state{circuit="${circuit}"}`)) ?? '')?.[2];

  it('does not open on answers that are the caller\'s fault', async () => {
    const binding = await server.serve('bot', { 'svc.bot.get': () => Promise.reject(new NotFoundError('no such bot')) });
    for (let i = 0; i < 5; i++) await expect(client.request('svc.bot.get', { botId: 1n })).rejects.toBeInstanceOf(NotFoundError);
    expect(await gauge('svc.bot')).toBe('0');
    await binding.stop();
  });

  it('opens against a stopped responder within its threshold, fails fast, half-opens and closes once it is back', async () => {
    // svc.bot is not served now: three no-responders open it.
    for (let i = 0; i < 3; i++) await expect(client.request('svc.bot.list', { ownerTelegramId: 1n })).rejects.toBeInstanceOf(NoRespondersError);
    expect(await gauge('svc.bot')).toBe('2');
    let calls = 0;
    const binding = await server.serve('bot', { 'svc.bot.list': () => { calls++; return Promise.resolve({ bots: [] }); } });
    const refused = client.request('svc.bot.list', { ownerTelegramId: 1n });
    await expect(refused).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(refused).rejects.toThrow(/circuit svc\.bot is open until .* \(last failure: no responders for svc\.bot\.list/);
    expect(calls).toBe(0);
    // Other callees are not affected.
    const users = await serveUsers();
    await expect(client.request('svc.user.get', { telegramId: 1n })).resolves.toBeDefined();
    // Refused (CircuitOpenError, no call) until openMs has passed; then one probe goes through.
    await until('a probe goes through', () => client.request('svc.bot.list', { ownerTelegramId: 1n }).then(() => true, () => false), 15_000);
    expect(await gauge('svc.bot')).toBe('1');
    await client.request('svc.bot.list', { ownerTelegramId: 1n });
    expect(await gauge('svc.bot')).toBe('0');
    expect(calls).toBe(2);
    await binding.stop();
    await users.stop();
  });
});
