/**
 * svc.user.upsert as the bots context calls it, against the user service alone (its dist/main.js
 * on the test bed's PostgreSQL and nats-server): `--users` first sightings (each a registration:
 * the user row and nova.user.registered in the outbox), `--concurrency` in flight (the bot
 * service's 16 partitions), then the same people again (known users). Per call, from the request
 * to its answer. With BENCH_USER_SERVICE=<dir>/dist/main.js the other build runs too, alternating
 * which goes first, each round on a fresh database, one service at a time (both would serve the
 * same queue group): a before/after of the users context in one run (issue 20).
 *
 * Usage: node bench/dist/registrations.js [--users 400] [--concurrency 16] [--rounds 3]
 */
import { connectJetStreamBus } from '@nova/bus';
import { createLogger, Metrics } from '@nova/platform';
import { createDatabase, startTestbed } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { deployable, startProcess } from './processes.js';
import { option, percentile } from './support.js';

const USERS = option('users', 400);
const CONCURRENCY = option('concurrency', 16);
const ROUNDS = option('rounds', 3);
const MAIN_BOT = 5_000_000_001n;

const logger = createLogger({ name: 'bench-registrations', level: 'warn', destination: new Writable({ write(_chunk, _encoding, done) { done(); } }) });

/** Calls `call(i)` for i in [0, count) with `concurrency` in flight; each call's duration in ms. */
async function timed(count: number, concurrency: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const durations: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const started = performance.now();
      await call(i);
      durations.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return durations;
}

interface RoundResult {
  readonly first: number[];
  readonly known: number[];
}

const fmt = (value: number): string => value.toFixed(1);
const summary = (values: number[]): string => `p50 ${fmt(percentile(values, 50))}, p95 ${fmt(percentile(values, 95))}, p99 ${fmt(percentile(values, 99))}, max ${fmt(Math.max(...values))} ms`;

const testbed = await startTestbed({ components: ['nats', 'postgres'] });
try {
  const { nats, postgres } = testbed.info;
  if (nats === undefined || postgres === undefined) throw new Error('the test bed did not start NATS and PostgreSQL');
  const builds: [string, string][] = [['this build', deployable('user-service')]];
  const other = process.env.BENCH_USER_SERVICE;
  if (other !== undefined) builds.push([other, other]);
  const results = new Map<string, RoundResult[]>(builds.map(([name]) => [name, []]));
  const bus = await connectJetStreamBus({ servers: [nats.url], name: 'bench-registrations', metrics: new Metrics({ namespace: 'bench', side: 'target', defaults: false }), logger });
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? builds : [...builds].reverse();
      for (const [name, main] of order) {
        const database = await createDatabase(postgres.url, `bench_registrations_${randomBytes(3).toString('hex')}`);
        const service = await startProcess(testbed.stack, `user-service-${String(round)}-${String(builds.findIndex(([n]) => n === name))}`, main, { NOVA_NATS_URL: nats.url, NOVA_NAMESPACE: 'bench', NOVA_DATABASE_URL: database });
        try {
          const base = BigInt(1_000_000 * (round + 1));
          const upsert = (i: number, pass: string) => bus.request('svc.user.upsert', { telegramId: base + BigInt(i), firstName: `P${String(i)}`, botId: MAIN_BOT, effectKey: `${pass}:${String(i)}` }, { routingKey: base + BigInt(i) });
          const first = await timed(USERS, CONCURRENCY, (i) => upsert(i, 'first'));
          const known = await timed(USERS, CONCURRENCY, (i) => upsert(i, 'again'));
          results.get(name)?.push({ first, known });
          console.log(`  round ${String(round + 1)}, ${name} [load ${loadavg().map((l) => l.toFixed(1)).join(' ')}]: registrations ${summary(first)}; known users ${summary(known)}`);
        } finally {
          await service.process.stop();
        }
      }
    }
  } finally {
    await bus.close();
  }
  console.log(`svc.user.upsert benchmark: ${String(cpus().length)} cores (${cpus()[0]?.model.trim() ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`);
  console.log(`  ${String(USERS)} first sightings, then the same ${String(USERS)} again, ${String(CONCURRENCY)} in flight, ${String(ROUNDS)} round(s) per build; nats-server ${nats.version}, PostgreSQL ${postgres.version}`);
  for (const [name, rounds] of results) {
    console.log(`${name}: registrations ${summary(rounds.flatMap((r) => r.first))}; known users ${summary(rounds.flatMap((r) => r.known))}`);
  }
} finally {
  await testbed.stop();
}
