/**
 * The short version of `npm run chaos` (docs/chaos.md): the whole fleet from its builds (one
 * replica of each here, to keep the file's time down; `npm run chaos` runs two of every service
 * and gateway), nginx in front, nats-server and PostgreSQL restarted on their stores, simulated Telegram users sending steadily while a seeded loop SIGKILLs a random
 * process and starts it again. Fails on any accepted update never answered, and on more duplicate
 * replies than kills (Telegram's sendMessage has no idempotency key: a send in flight at a kill
 * may go out twice). Telegram itself is the emulator: the real one cannot be reached from here.
 * Two operator replicas (leader election at the production defaults, 15 s / 10 s / 2 s: the
 * scaled-down 2 s renew deadline was missed under load elsewhere and ended an operator) drive
 * stage 2's users context through its steps while the loop also kills them, the Lease's holder
 * first: fails on a weight written that status did not intend, a leader nobody took over from
 * within the election's bound, or the migration not Promoted. kube-apiserver is the test bed's.
 * The deployables and the operator run from dist/: `npm run build` first.
 */
import { expect, it, jest } from '@jest/globals';
import { component } from '@nova/testbed';
import { runChaos } from '../../bench/src/chaos/run.js';
import { verdict } from '../../bench/src/chaos/verdict.js';

jest.setTimeout(600_000);

const SEED = Number(process.env.NOVA_CHAOS_SEED ?? 20261205);

it('loses no accepted update, repeats at most one reply per kill and writes no weight status did not intend while processes of every kind are SIGKILLed', async () => {
  const report = await runChaos({
    updates: 600, rate: 25, everyMs: 2_500, maxKills: 12, seed: SEED, quietUpdates: 50, chats: 200, bots: 3, replicas: 1, timeoutMs: 540_000, kube: component('kube'),
    // NOVA_CHAOS_NATS_CLUSTER=1: NATS as three nodes (R3), killed one at a time, as `npm run chaos -- --nats-cluster`; one nats-server by default (the file's time).
    natsCluster: process.env.NOVA_CHAOS_NATS_CLUSTER === '1',
    // No 60 s wait for replies repeated after their 30 s lease (the file's time): such a repeat coming after the last answer is not counted here; npm run chaos waits for them.
    repeatWaitMs: 0,
    log: (line) => { process.stdout.write(`${line}\n`); },
  });
  process.stdout.write(`${JSON.stringify({ traffic: report.traffic, latencyMs: report.latencyMs, kills: report.kills, operator: report.operator, durationMs: report.durationMs })}\n`);
  // Every kind at least once: the picker visits each kind once per round.
  expect(Object.values(report.kills).every((n) => n >= 1)).toBe(true);
  // The operator's first kill is the Lease's holder.
  expect(report.operator.failovers.length).toBeGreaterThanOrEqual(1);
  expect(verdict(report)).toEqual([]);
});
