/**
 * The `nats` provider's weight reaching the fleet: 100 simulated processes (`--processes`), each
 * a KvRouter (what every deployable runs under NOVA_ROUTING=kv) on a NATS connection of its own,
 * half on each side, all handling the `user` context. The operator's provider sets a new weight
 * `--rounds` times; per round:
 * - applied by every process: from the start of setWeight until every router routes by the new
 *   weight (checked every millisecond in this process);
 * - confirmed: until setWeight returned, i.e. the operator saw every live process's applied record
 *   (what lets status.weight claim that the fleet routes by it).
 * Against a KV put round trip on the same server (the baseline), p50 / p95.
 *
 * Usage: node bench/dist/nats-fanout.js [--processes 100] [--rounds 30]
 */
import { KvRouter, openRoutingBuckets } from '@nova/bus';
import { createLogger } from '@nova/platform';
import { Stack, startNats } from '@nova/testbed';
import { connect } from '@nats-io/transport-node';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { builtinProviders as BuiltinProviders } from '../../operator/dist/providers/index.js';
import { option, percentile, timed } from './support.js';

const PROCESSES = option('processes', 100);
const ROUNDS = option('rounds', 30);
const logger = createLogger({ name: 'bench-fanout', level: 'warn', destination: new Writable({ write(_chunk, _encoding, done) { done(); } }) });
const fmt = (value: number): string => value.toFixed(1);
// BENCH_OPERATOR=<dir>/dist/operator.js: that build's providers, for a before/after in one period (operator-module.ts).
const build = process.env.BENCH_OPERATOR;
const providersModule = build === undefined || build === '' ? '../../operator/dist/providers/index.js' : pathToFileURL(resolve(dirname(build), 'providers/index.js')).href;
const { builtinProviders } = (await import(providersModule)) as { builtinProviders: typeof BuiltinProviders };

console.log(`nats weight fan-out benchmark: ${String(cpus().length)} cores, Node ${process.version}; operator build ${build ?? 'operator/dist'}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const stack = Stack.create();
try {
  const nats = await startNats(stack);
  const connections = await Promise.all(Array.from({ length: PROCESSES }, (_, index) => connect({ servers: [nats.url], name: `process-${String(index)}` })));
  const routers = await Promise.all(connections.map((nc, index) => KvRouter.start({ nc, side: index % 2 === 0 ? 'legacy' : 'target', process: `process-${String(index)}`, logger })));
  for (const router of routers) router.handling('user');
  const provider = builtinProviders({ fieldManager: 'bench', nats: { servers: [nats.url] } }).get('nats');
  const migration = { namespace: 'bench', name: 'bench-users', uid: 'bench', legacy: { service: 'nova-monolith', port: 8099 }, target: { service: 'user-service', port: 8101 }, config: { context: 'user' }, fence: 1 };
  await provider.ensureRoute(migration);
  // Baseline: one KV put, acknowledged, on its own connection.
  const probe = await connect({ servers: [nats.url], name: 'baseline' });
  const { routing } = await openRoutingBuckets(probe, { routing: 'bench_baseline', applied: 'bench_baseline_applied' });
  const puts: number[] = [];
  for (let i = 0; i < ROUNDS; i++) puts.push(await timed(() => routing.put('user', new TextEncoder().encode(String(i)))));
  const applied: number[] = [];
  const confirmed: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const weight = (round % 9) * 10 + 10;
    const start = performance.now();
    let allApplied: number | undefined;
    const watcher = (async () => {
      while (allApplied === undefined) {
        if (routers.every((router) => router.weight('user').weight === weight)) allApplied = performance.now() - start;
        else await sleep(1);
      }
    })();
    await provider.setWeight(migration, weight);
    confirmed.push(performance.now() - start);
    await watcher;
    applied.push(allApplied ?? Number.NaN);
    await sleep(50);
  }
  const base = percentile(puts, 50);
  const line = (what: string, samples: readonly number[]): string => `${what}: p50 ${fmt(percentile(samples, 50))} ms, p95 ${fmt(percentile(samples, 95))} ms (= ${fmt(percentile(samples, 50) / base)}× / ${fmt(percentile(samples, 95) / base)}× a KV put)`;
  console.log(`  nats-server ${nats.version}; ${String(PROCESSES)} processes (KvRouter each on its own connection, in this process); ${String(ROUNDS)} weights; KV put p50 ${fmt(base)} ms`);
  console.log(line('weight applied by every process', applied));
  console.log(line('weight confirmed by the operator (setWeight returned)', confirmed));
  for (const router of routers) router.stop();
  await provider.close?.();
  await Promise.all([...connections, probe].map((nc) => nc.close()));
} finally {
  await stack.stop();
}
