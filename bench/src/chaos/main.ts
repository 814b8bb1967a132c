/**
 * `npm run chaos`: the fleet under steady Telegram traffic while processes are SIGKILLed (see
 * docs/chaos.md). Prints the figures, writes them as JSON with `--report FILE`; exit code 1 when
 * an accepted update was never answered or the duplicates exceed the bound, 2 for a bad command line.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runChaos, type ChaosReport } from './run.js';
import { verdict } from './verdict.js';

function number(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) {
    process.stderr.write(`chaos: --${name} must be a positive number, not "${value}"\n`);
    process.exit(2);
  }
  return parsed;
}

const { values } = parseArgs({
  options: {
    updates: { type: 'string' }, rate: { type: 'string' }, every: { type: 'string' }, seed: { type: 'string' },
    quiet: { type: 'string' }, chats: { type: 'string' }, bots: { type: 'string' }, replicas: { type: 'string' },
    timeout: { type: 'string' }, kills: { type: 'string' }, report: { type: 'string' }, 'scaled-election': { type: 'boolean' },
    'nats-cluster': { type: 'boolean' },
  },
});
const updates = number(values.updates, 100_000, 'updates');
const rate = number(values.rate, 100, 'rate');
const seed = number(values.seed, Math.floor(Math.random() * 2 ** 31), 'seed');
const report: ChaosReport = await runChaos({
  updates,
  rate,
  everyMs: number(values.every, 5, 'every') * 1000,
  ...(values.kills === undefined ? {} : { maxKills: number(values.kills, 1, 'kills') }),
  seed,
  quietUpdates: number(values.quiet, Math.min(2_000, updates), 'quiet'),
  chats: number(values.chats, 500, 'chats'),
  bots: number(values.bots, 8, 'bots'),
  replicas: number(values.replicas, 2, 'replicas'),
  // The bound: sending at the rate, plus an hour for start-up, drain and the machine being shared.
  timeoutMs: number(values.timeout, updates / rate + 3600, 'timeout') * 1000,
  // --scaled-election: 3 s / 2 s / 500 ms, the operator tests' SCALED_DOWN_ELECTION; default production's 15 s / 10 s / 2 s.
  ...(values['scaled-election'] === true ? { election: { leaseMs: 3_000, renewMs: 2_000, retryMs: 500 } } : {}),
  // --nats-cluster: NATS as three nodes, streams and buckets R3, the nodes killed one at a time; default one nats-server.
  natsCluster: values['nats-cluster'] === true,
  log: (line) => { process.stdout.write(`${line}\n`); },
});
/** A repeat's delay: in ms under a second (tenths of a second printed the default-size run's 7-100 ms pairs as "0.0 s"). */
function later(ms: number): string {
  return ms < 1000 ? `${String(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const t = report.traffic;
const lines = [
  `seed ${String(report.seed)} (repeat with --seed ${String(report.seed)})`,
  `updates sent ${String(t.sent)}, accepted ${String(t.accepted)}, answered ${String(t.answered)}, lost ${String(t.lost)} (goal 0), still undelivered ${String(t.undelivered)}`,
  `duplicate replies ${String(t.duplicates)} (bound: one per kill, ${String(report.killLog.length)} kills)`,
  `  by update (the bots context's record): ${String(report.duplicates.reduce((n, d) => n + d.extra, 0))} repeated sends of ${String(report.duplicates.length)} replies`,
  ...report.duplicates.map((d) => `  chat ${String(d.chat)} (bot ${String(d.bot)}, update ${d.update}): first sent at ${(d.firstReplyAtMs / 1000).toFixed(1)} s, again ${later(d.repeatAfterMs)} later${d.extra > 1 ? ` (${String(d.extra)} extra)` : ''}; killed between the first send and its mark: ${d.kills.length === 0 ? 'nothing (unexplained)' : d.kills.join(', ')}`),
  `5xx answered to Telegram ${String(t.answered5xx)}; updates delivered by a later retry ${String(t.delivered5xxLater)}`,
  `update → reply: quiet p50 ${String(report.latencyMs.quiet.p50)} ms, p99 ${String(report.latencyMs.quiet.p99)} ms; under chaos p50 ${String(report.latencyMs.chaos.p50)} ms, p99 ${String(report.latencyMs.chaos.p99)} ms`,
  `weights written to the user context: ${report.operator.migration.weights.written.map((w) => `${String(w.weight)}%`).join(' → ')}; not intended by status ${String(report.operator.migration.weights.unintended.length)} (goal 0); ${report.operator.migration.name} ${String(report.operator.migration.phase)}`,
  `operator failovers (leader SIGKILLed → another replica holds the Lease): ${report.operator.failovers.map((f) => (f.ms === undefined ? 'none' : `${(f.ms / 1000).toFixed(1)} s`)).join(', ') || 'no leader killed'} (goal ≤ ${String(report.operator.election.leaseMs / 1000)} s, the lease; the election's bound ${(report.operator.failoverBoundMs / 1000).toFixed(1)} s); standby kills ${String(report.operator.standbyKills)}`,
  `NATS: ${report.nats.nodes === 1 ? 'one nats-server' : `a cluster of ${String(report.nats.nodes)} nodes`}, streams and KV buckets R${String(report.nats.replicas)}; each NATS kill until the node was back (a cluster's: healthy, its streams current): ${report.killLog.filter((kill) => kill.kind === 'nats-server').map((kill) => `${kill.name} ${(kill.downMs / 1000).toFixed(1)} s`).join(', ') || 'none'}`,
  `kills: ${Object.entries(report.kills).map(([kind, n]) => `${kind} ${String(n)}`).join(', ')}`,
  `took ${String(Math.round(report.durationMs / 1000))} s`,
];
process.stdout.write(`${lines.join('\n')}\n`);
if (values.report !== undefined) writeFileSync(values.report, `${JSON.stringify(report, null, 2)}\n`);
const problems = verdict(report);
for (const problem of problems) process.stdout.write(`FAIL: ${problem}\n`);
process.exit(problems.length === 0 ? 0 : 1);
