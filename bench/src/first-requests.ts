/**
 * The first requests a fresh process answers, and the first after a quiet spell, against the same
 * process's own warm requests: what a canary's target meets when its first weight sends it a
 * request every few seconds (issue 20: a stage's first checks judge a handful of them). The user
 * service's svc.user.upsert (its dist/main.js on the test bed's PostgreSQL and nats-server), one
 * request at a time: the first three, `--steady` more (their median is the baseline), then a quiet
 * spell of `--idle` seconds (node-postgres closes a connection idle for 10 s) and three more.
 * Each request is a registration (a new person), so each does the same writes.
 *
 * With BENCH_USER_SERVICE=<dir>/dist/main.js the other build runs too, alternating which goes
 * first, each round on a fresh database and a fresh process, one service at a time (both would
 * serve the same queue group): a before/after in one run.
 *
 * Usage: node bench/dist/first-requests.js [--rounds 4] [--steady 30] [--idle 12]
 */
import { connectJetStreamBus } from '@nova/bus';
import { createLogger, Metrics } from '@nova/platform';
import { createDatabase, startTestbed } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { deployable, startProcess } from './processes.js';
import { option, percentile } from './support.js';

const ROUNDS = option('rounds', 4);
const STEADY = option('steady', 30);
const IDLE_S = option('idle', 12);
const MAIN_BOT = 5_000_000_001n;

const logger = createLogger({ name: 'bench-first-requests', level: 'warn', destination: new Writable({ write(_chunk, _encoding, done) { done(); } }) });

interface RoundResult {
  /** The first three requests of the process, in ms. */
  readonly first: readonly number[];
  /** The median of the steady requests after them. */
  readonly steady: number;
  /** The three requests after the quiet spell. */
  readonly afterIdle: readonly number[];
}

const fmt = (value: number): string => value.toFixed(1);
const list = (values: readonly number[]): string => values.map(fmt).join(' / ');
const median = (values: readonly number[]): number => percentile(values, 50);

const testbed = await startTestbed({ components: ['nats', 'postgres'] });
try {
  const { nats, postgres } = testbed.info;
  if (nats === undefined || postgres === undefined) throw new Error('the test bed did not start NATS and PostgreSQL');
  const builds: [string, string][] = [['this build', deployable('user-service')]];
  const other = process.env.BENCH_USER_SERVICE;
  if (other !== undefined) builds.push([other, other]);
  const results = new Map<string, RoundResult[]>(builds.map(([name]) => [name, []]));
  const bus = await connectJetStreamBus({ servers: [nats.url], name: 'bench-first-requests', metrics: new Metrics({ namespace: 'bench', side: 'target', defaults: false }), logger });
  try {
    let person = 0;
    const upsert = async (): Promise<number> => {
      const id = BigInt(10_000_000 + ++person);
      const started = performance.now();
      await bus.request('svc.user.upsert', { telegramId: id, firstName: `P${String(person)}`, botId: MAIN_BOT, effectKey: `first:${String(person)}` }, { routingKey: id });
      return performance.now() - started;
    };
    const times = async (count: number): Promise<number[]> => {
      const durations: number[] = [];
      for (let i = 0; i < count; i++) durations.push(await upsert());
      return durations;
    };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? builds : [...builds].reverse();
      for (const [name, main] of order) {
        const database = await createDatabase(postgres.url, `bench_first_${randomBytes(3).toString('hex')}`);
        const service = await startProcess(testbed.stack, `user-service-${String(round)}-${String(builds.findIndex(([n]) => n === name))}`, main, { NOVA_NATS_URL: nats.url, NOVA_NAMESPACE: 'bench', NOVA_DATABASE_URL: database });
        try {
          // Ready is when /readyz answers; a request routed before the queue group's subscription
          // is known to the server would wait for it, so one second of nothing first, on both builds.
          await sleep(1_000);
          const first = await times(3);
          const steady = median(await times(STEADY));
          await sleep(IDLE_S * 1_000);
          const afterIdle = await times(3);
          results.get(name)?.push({ first, steady, afterIdle });
          console.log(`  round ${String(round + 1)}, ${name} [load ${loadavg().map((l) => l.toFixed(1)).join(' ')}]: first three ${list(first)} ms; steady p50 ${fmt(steady)} ms; after ${String(IDLE_S)} s quiet ${list(afterIdle)} ms`);
        } finally {
          await service.process.stop();
        }
      }
    }
  } finally {
    await bus.close();
  }
  console.log(`first requests of a fresh user service (svc.user.upsert, one at a time): ${String(cpus().length)} cores (${cpus()[0]?.model.trim() ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`);
  console.log(`  ${String(ROUNDS)} round(s) per build; each: three requests, ${String(STEADY)} more (the baseline: their median), ${String(IDLE_S)} s quiet, three more; nats-server ${nats.version}, PostgreSQL ${postgres.version}`);
  for (const [name, rounds] of results) {
    const ratio = (pick: (r: RoundResult) => number): string => fmt(median(rounds.map((r) => pick(r) / r.steady)));
    console.log(`${name}: first ${fmt(median(rounds.map((r) => r.first[0] ?? 0)))} ms (${ratio((r) => r.first[0] ?? 0)}× its steady p50), second ${ratio((r) => r.first[1] ?? 0)}×, `
      + `first after the quiet spell ${fmt(median(rounds.map((r) => r.afterIdle[0] ?? 0)))} ms (${ratio((r) => r.afterIdle[0] ?? 0)}×); steady p50 ${fmt(median(rounds.map((r) => r.steady)))} ms (medians over rounds)`);
  }
} finally {
  await testbed.stop();
}
