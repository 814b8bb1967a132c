/**
 * What sticky per-chat routing on the bus (Decided 11) costs:
 *
 * 1. the routing decision per message: RoutingTable.side() (chat hash + weight compare) and the
 *    side subject, over a million distinct chat ids at weight 30, in nanoseconds, and as a ratio
 *    to the protobuf encoding of the request the bus does for every message anyway;
 * 2. throughput of `svc.user.get` requests (concurrency 64) and of `publishUpdate` (JetStream
 *    publish + ack, concurrency 64) through a real nats-server, with routing on (KvRouter, weight
 *    50: half of the chats to each side) as a ratio to the same path with routing off (the
 *    default router), in the same run. Both setups have the same processes: one caller and two
 *    servers (with routing off they share the queue group and NATS balances them). Rounds
 *    alternate off/on (and which goes first) and the medians are compared, so drift on a shared
 *    machine hits both.
 *
 * Usage: node bench/dist/routing.js [--requests 20000] [--rounds 5]
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { connectJetStreamBus, connectRoutedBus, RoutingTable, type Bus, type NovaBus } from '@nova/bus';
import { GetUserRequestSchema, sideSubject } from '@nova/contracts';
import { createLogger, Metrics, type Side } from '@nova/platform';
import { Stack, startNats } from '@nova/testbed';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { builtinProviders } from '../../operator/dist/providers/index.js';
import { option as argument, percentile } from './support.js';

const REQUESTS = argument('requests', 20_000);
const ROUNDS = argument('rounds', 5);
const CONCURRENCY = 64;
const DECISIONS = 1_000_000;
const logger = createLogger({ name: 'bench-routing', level: 'warn', destination: new Writable({ write(_chunk, _encoding, done) { done(); } }) });
const fmt = (value: number, digits = 2): string => value.toFixed(digits);

function decisionCost(): { routeNs: number; encodeNs: number } {
  const table = new RoutingTable();
  table.set('user', 30, 1);
  const chats = Array.from({ length: DECISIONS }, (_, index) => String(100_000_000 + index * 7));
  let onTarget = 0;
  const time = (work: () => void): number => {
    work(); // warm-up
    const start = performance.now();
    work();
    return ((performance.now() - start) * 1e6) / DECISIONS;
  };
  const routeNs = time(() => {
    onTarget = 0;
    for (const chat of chats) {
      const side = table.side('user', chat);
      if (sideSubject('svc.user.get', side) === 'svc.user.get') onTarget += 1;
    }
  });
  const encodeNs = time(() => {
    for (let index = 0; index < DECISIONS; index++) toBinary(GetUserRequestSchema, create(GetUserRequestSchema, { telegramId: BigInt(index) }));
  });
  if (Math.abs(onTarget / DECISIONS - 0.3) > 0.01) throw new Error(`routing sent ${String(onTarget)} of ${String(DECISIONS)} to the target at weight 30`);
  return { routeNs, encodeNs };
}

interface Fleet {
  readonly caller: Bus;
  readonly closeAll: () => Promise<void>;
}

async function bus(url: string, name: string, side: Side, routed: boolean): Promise<NovaBus> {
  const metrics = new Metrics({ namespace: 'bench', side, defaults: false });
  if (!routed) return connectJetStreamBus({ servers: [url], name, metrics, logger });
  return (await connectRoutedBus({ servers: [url], name, metrics, logger, processName: name })).bus;
}

async function fleet(url: string, routed: boolean): Promise<Fleet> {
  const caller = await bus(url, `caller-${String(routed)}`, 'target', routed);
  const servers = await Promise.all((['legacy', 'target'] as const).map(async (side) => {
    const server = await bus(url, `server-${side}-${String(routed)}`, routed ? side : 'target', routed);
    await server.serve('user', { 'svc.user.get': (request) => Promise.resolve({ user: { telegramId: request.telegramId } }) });
    return server;
  }));
  return { caller, closeAll: async () => { await Promise.all([caller, ...servers].map((process) => process.close())); } };
}

async function throughput(work: (index: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < REQUESTS) await work(next++);
  }));
  return REQUESTS / ((performance.now() - start) / 1000);
}

async function round(url: string, routed: boolean, botId: bigint): Promise<{ requests: number; publishes: number }> {
  const { caller, closeAll } = await fleet(url, routed);
  try {
    await throughput((index) => caller.request('svc.user.get', { telegramId: BigInt(index) }, { routingKey: index })); // warm-up
    const requests = await throughput((index) => caller.request('svc.user.get', { telegramId: BigInt(index) }, { routingKey: index }));
    const publishes = await throughput((index) => caller.publishUpdate({ botId, chatId: BigInt(index % 5_000), updateId: BigInt(index), kind: 'message' }));
    return { requests, publishes };
  } finally {
    await closeAll();
  }
}

console.log(`routing benchmark: ${String(cpus().length)} cores (${cpus()[0]?.model.split(' ').slice(0, 2).join(' ') ?? '?'}), ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}`);
const { routeNs, encodeNs } = decisionCost();
console.log(`routing decision: ${fmt(routeNs, 1)} ns per message (hash + weight + side subject; = ${fmt(routeNs / encodeNs)}× the protobuf encoding of a GetUserRequest, ${fmt(encodeNs, 1)} ns)`);
console.log(`  ${String(DECISIONS)} distinct chats at weight 30`);

const stack = Stack.create();
try {
  const nats = await startNats(stack);
  const weights = builtinProviders({ fieldManager: 'bench', nats: { servers: [nats.url] } }).get('nats');
  const migration = { namespace: 'bench', name: 'bench-users', uid: 'bench', legacy: { service: 'nova-monolith', port: 8099 }, target: { service: 'user-service', port: 8101 }, config: { context: 'user' }, fence: 1 };
  await weights.ensureRoute(migration);
  await weights.setWeight(migration, 50);
  await weights.close?.();
  const results: Record<'off' | 'on', { requests: number[]; publishes: number[] }> = { off: { requests: [], publishes: [] }, on: { requests: [], publishes: [] } };
  for (let index = 0; index < ROUNDS; index++) {
    // Alternate which goes first, so an order effect (warm-up, a neighbour's load) falls on both.
    for (const mode of index % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      const result = await round(nats.url, mode === 'on', BigInt(1_000 * index + (mode === 'on' ? 1 : 2)));
      results[mode].requests.push(result.requests);
      results[mode].publishes.push(result.publishes);
    }
  }
  const median = (values: readonly number[]): number => percentile(values, 50);
  const line = (what: string, key: 'requests' | 'publishes'): string => {
    const off = median(results.off[key]);
    const on = median(results.on[key]);
    return `${what}: routing on ${fmt(on, 0)}/s vs off ${fmt(off, 0)}/s = ${fmt(on / off)}× (rounds on ${results.on[key].map((v) => fmt(v, 0)).join(', ')}; off ${results.off[key].map((v) => fmt(v, 0)).join(', ')})`;
  };
  console.log(`nats-server ${nats.version} on loopback, on the same cores; ${String(REQUESTS)} messages per round, concurrency ${String(CONCURRENCY)}, ${String(ROUNDS)} rounds, medians`);
  console.log(line('svc.user.get requests', 'requests'));
  console.log(line('publishUpdate (JetStream ack)', 'publishes'));
} finally {
  await stack.stop();
}
