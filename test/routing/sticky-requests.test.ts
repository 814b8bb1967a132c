/**
 * Sticky per-chat routing of requests on real NATS (Decided 11): a caller (the gateway's stand-in)
 * asks `svc.user.get` about 1,000 simulated chats; a legacy process (the monolith's stand-in) and
 * a target process (user-service's) answer on their own side's subjects, and record who served
 * which chat. Weights are written by the operator's nats provider, which returns once every
 * process applied them.
 *
 * Tolerance of the share: each chat lands on the target with probability w (the hash behaves as a
 * random function of the chat id), so the count of 1,000 is binomial: at w = 0.3, σ = √(1000·0.3·0.7)
 * ≈ 14.5 chats = 1.45 %; the test allows ±3σ (4.35 %), which a fair hash misses 0.3 % of the time —
 * and, the chats and the hash being fixed, the result is the same on every run.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Side } from '@nova/platform';
import { connect } from '@nats-io/transport-node';
import { parseAppliedRecord } from '@nova/contracts';
import { routingBuckets, sample, startBusProcess, startPrivateNats, Weights, type BusProcess } from './support/fleet.js';

const CHATS = Array.from({ length: 1_000 }, (_, index) => 300_000_000 + index * 7919);

let nats: Awaited<ReturnType<typeof startPrivateNats>>;
let weights: Weights;
let legacy: BusProcess;
let target: BusProcess;
let caller: BusProcess;
/** Which side served each request, in order, per chat. */
const served = new Map<number, Side[]>();
const exporter = new InMemorySpanExporter();
const tracing = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

function serve(process: BusProcess, side: Side): Promise<unknown> {
  return process.bus.serve('user', {
    'svc.user.get': (request) => {
      const chat = Number(request.telegramId);
      served.set(chat, [...(served.get(chat) ?? []), side]);
      return Promise.resolve({ user: { telegramId: request.telegramId, firstName: side } });
    },
  });
}

/** Asks about every chat `rounds` times; returns the chats the target served, and checks the reply came from that side. */
async function askAll(rounds: number): Promise<Set<number>> {
  served.clear();
  for (let round = 0; round < rounds; round++) {
    for (let start = 0; start < CHATS.length; start += 100) {
      await Promise.all(CHATS.slice(start, start + 100).map(async (chat) => {
        const reply = await caller.bus.request('svc.user.get', { telegramId: BigInt(chat) }, { routingKey: chat });
        expect(reply.user?.firstName).toBe(served.get(chat)?.at(-1));
      }));
    }
  }
  for (const chat of CHATS) {
    const sides = served.get(chat) ?? [];
    expect({ chat, sides: new Set(sides).size, count: sides.length }).toEqual({ chat, sides: 1, count: rounds });
  }
  return new Set(CHATS.filter((chat) => served.get(chat)?.[0] === 'target'));
}

function withinThreeSigma(count: number, weight: number): void {
  const sigma = Math.sqrt(CHATS.length * weight * (1 - weight));
  expect(Math.abs(count - CHATS.length * weight)).toBeLessThanOrEqual(3 * sigma);
}

beforeAll(async () => {
  trace.setGlobalTracerProvider(tracing);
  nats = await startPrivateNats();
  [legacy, target, caller] = await Promise.all([
    startBusProcess(nats.info.url, 'monolith-1', 'legacy'),
    startBusProcess(nats.info.url, 'user-service-1', 'target'),
    startBusProcess(nats.info.url, 'webhook-gateway-1', 'target'),
  ]);
  await Promise.all([serve(legacy, 'legacy'), serve(target, 'target')]);
  weights = new Weights(nats.info.url);
});

afterAll(async () => {
  await Promise.all([legacy.bus.close(), target.bus.close(), caller.bus.close()]);
  await weights.close();
  await nats.stop();
  trace.disable();
});

describe('requests are routed per chat, at send time', () => {
  let at30: Set<number>;

  it('sends everything to legacy until the context has a weight', async () => {
    expect((await askAll(1)).size).toBe(0);
  });

  it('at weight 30, the target serves 30 % ± 3σ of 1,000 chats, each chat always by the same side', async () => {
    await weights.set('user', 30);
    at30 = await askAll(3);
    withinThreeSigma(at30.size, 0.3);
  });

  it('raising to 60 moves only legacy chats to the target', async () => {
    await weights.set('user', 60);
    const at60 = await askAll(2);
    withinThreeSigma(at60.size, 0.6);
    expect([...at30].filter((chat) => !at60.has(chat))).toEqual([]);
    expect(at60.size).toBeGreaterThan(at30.size);
  });

  it('rolling back to 0 returns every chat to legacy', async () => {
    await weights.set('user', 0);
    expect((await askAll(1)).size).toBe(0);
  });

  it('labels each side\'s metrics and spans with its side', async () => {
    await weights.set('user', 50);
    served.clear();
    const onTarget = await askAll(1);
    const legacyCount = await sample(legacy.metrics, 'nova_bus_messages_total', { side: 'legacy', context: 'user', outcome: 'ok' });
    const targetCount = await sample(target.metrics, 'nova_bus_messages_total', { side: 'target', context: 'user', outcome: 'ok' });
    // Every request this file sent was served once, by one side: the two counters add up to all of them.
    expect(legacyCount + targetCount).toBe(CHATS.length * (1 + 3 + 2 + 1 + 1));
    expect(await sample(target.metrics, 'nova_bus_messages_total', { side: 'legacy' })).toBe(0);
    expect(await sample(legacy.metrics, 'nova_bus_messages_total', { side: 'target' })).toBe(0);
    expect(await sample(caller.metrics, 'nova_routing_weight', { context: 'user' })).toBe(50);

    await tracing.forceFlush();
    const spans = exporter.getFinishedSpans();
    const servers = spans.filter((span) => span.kind === SpanKind.SERVER);
    expect(servers.some((span) => span.name === 'process svc.legacy.user.get' && span.attributes['nova.side'] === 'legacy')).toBe(true);
    expect(servers.some((span) => span.name === 'process svc.user.get' && span.attributes['nova.side'] === 'target')).toBe(true);
    expect(servers.every((span) => (span.name === 'process svc.legacy.user.get') === (span.attributes['nova.side'] === 'legacy'))).toBe(true);
    // The caller's span says which side it sent to, and the subject it used.
    const clients = spans.filter((span) => span.kind === SpanKind.CLIENT);
    expect(clients.filter((span) => span.attributes['nova.side'] === 'target').length).toBeGreaterThanOrEqual(onTarget.size);
    expect(clients.every((span) => span.name === (span.attributes['nova.side'] === 'legacy' ? 'send svc.legacy.user.get' : 'send svc.user.get'))).toBe(true);
    expect(clients.every((span) => span.attributes['rpc.method'] === 'svc.user.get')).toBe(true);
  });

  it('each process\'s applied record says whether it handles the context: the servers do, the caller only routes', async () => {
    const nc = await connect({ servers: nats.info.url });
    try {
      const { applied } = await routingBuckets(nc);
      const records = new Map<string, { side: string; handles?: boolean }>();
      for await (const key of await applied.keys('user.*')) {
        const entry = await applied.get(key);
        if (entry?.operation === 'PUT') {
          const record = parseAppliedRecord(entry.value);
          records.set(record.process, record);
        }
      }
      expect(Object.fromEntries([...records].map(([process, record]) => [process, [record.side, record.handles]]))).toEqual({
        'monolith-1': ['legacy', true],
        'user-service-1': ['target', true],
        'webhook-gateway-1': ['target', false],
      });
    } finally {
      await nc.close();
    }
  });
});
