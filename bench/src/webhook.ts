/**
 * Webhook accept: the webhook gateway (its dist/main.js, as deployed) against a bare node:http
 * server that awaits a raw js.publish (bare-webhook.ts), both as processes on the same
 * nats-server, the same machine, in the same run. A closed-loop load (keep-alive connections,
 * `--concurrency` in flight) posts valid updates for the main bot (secret checked, JSON validated,
 * envelope encoded, JetStream-acked, metrics and spans recorded by the gateway); each side runs
 * twice, alternating, after a warm-up. Printed: throughput and p50/p99 per side, and the gateway's
 * as ratios to the baseline's.
 *
 * Usage: node bench/dist/webhook.js [--requests 20000] [--concurrency 32]
 */
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { startNats, Stack } from '@nova/testbed';
import { load, type LoadResult } from './http-load.js';
import { deployable, startProcess } from './processes.js';
import { option, percentile } from './support.js';

const REQUESTS = option('requests', 20_000);
const CONCURRENCY = option('concurrency', 32);
const WARM_UP = Math.min(2_000, REQUESTS);
const MAIN_BOT = 5_000_000_002;
const secret = randomBytes(24).toString('base64url');

const stack = Stack.create();
try {
  const nats = await startNats(stack);
  const gateway = await startProcess(stack, 'webhook-gateway', deployable('webhook-gateway'), { NOVA_NATS_URL: nats.url, NOVA_WEBHOOK_SECRET: secret, NOVA_MAIN_BOT_ID: String(MAIN_BOT), NOVA_NAMESPACE: 'bench', ...(process.env.BENCH_PROFILE === undefined ? {} : { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_PROFILE}` }) });
  const bare = await startProcess(stack, 'bare-webhook', 'bench/dist/bare-webhook.js', { NOVA_NATS_URL: nats.url });

  let updateId = 0;
  const body = (): string => {
    const id = ++updateId;
    const chat = 1_000 + (id % 1_000);
    return JSON.stringify({ update_id: id, message: { message_id: id, date: 1_700_000_000, chat: { id: chat, type: 'private', first_name: 'Bench' }, from: { id: chat, is_bot: false, first_name: 'Bench' }, text: `message ${String(id)}` } });
  };
  const sides = {
    bare: { url: `${bare.url}/webhook/main`, headers: {} },
    gateway: { url: `${gateway.url}/webhook/main`, headers: { 'x-telegram-bot-api-secret-token': secret } },
  } as const;
  for (const side of Object.values(sides)) await load(side.url, side.headers, body, WARM_UP, CONCURRENCY);
  const results: Record<keyof typeof sides, LoadResult[]> = { bare: [], gateway: [] };
  for (let round = 0; round < 2; round++) {
    for (const name of ['bare', 'gateway'] as const) results[name].push(await load(sides[name].url, sides[name].headers, body, REQUESTS, CONCURRENCY));
  }

  const summary = (runs: readonly LoadResult[]) => {
    const latencies = runs.flatMap((run) => run.latencies);
    const seconds = runs.reduce((sum, run) => sum + run.seconds, 0);
    return { rate: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures: runs.reduce((sum, run) => sum + run.failures, 0) };
  };
  const base = summary(results.bare);
  const ours = summary(results.gateway);
  const fmt = (value: number, digits = 1): string => value.toFixed(digits);
  console.log(`webhook accept benchmark: ${String(cpus().length)} cores (${cpus()[0]?.model.trim() ?? '?'}), ${fmt(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`);
  console.log(`  nats-server ${nats.version} on loopback; ${String(REQUESTS)} requests x 2 rounds per side, ${String(CONCURRENCY)} in flight, keep-alive; load generator in this process`);
  console.log(`bare node:http + js.publish: ${fmt(base.rate, 0)} req/s, p50 ${fmt(base.p50, 2)} ms, p99 ${fmt(base.p99, 2)} ms, non-200: ${String(base.failures)}`);
  console.log(`webhook gateway:             ${fmt(ours.rate, 0)} req/s, p50 ${fmt(ours.p50, 2)} ms, p99 ${fmt(ours.p99, 2)} ms, non-200: ${String(ours.failures)}`);
  console.log(`gateway / baseline: throughput ${fmt(ours.rate / base.rate, 2)}×, p50 ${fmt(ours.p50 / base.p50, 2)}×, p99 ${fmt(ours.p99 / base.p99, 2)}×`);
} finally {
  await stack.stop();
}
