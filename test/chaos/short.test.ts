/**
 * The short version of `npm run chaos` (docs/chaos.md): the whole fleet from its builds (two
 * replicas of every service, two gateways behind nginx, nats-server and PostgreSQL restarted on
 * their stores), simulated Telegram users sending steadily while a seeded loop SIGKILLs a random
 * process and starts it again. Fails on any accepted update never answered, and on more duplicate
 * replies than kills (Telegram's sendMessage has no idempotency key: a send in flight at a kill
 * may go out twice). Telegram itself is the emulator: the real one cannot be reached from here.
 * The deployables run from dist/: `npm run build` first.
 */
import { expect, it, jest } from '@jest/globals';
import { runChaos } from '../../bench/src/chaos/run.js';
import { verdict } from '../../bench/src/chaos/verdict.js';

jest.setTimeout(600_000);

const SEED = Number(process.env.NOVA_CHAOS_SEED ?? 20261205);

it('loses no accepted update and repeats at most one reply per kill while processes are SIGKILLed', async () => {
  const report = await runChaos({
    updates: 1_000, rate: 25, everyMs: 3_000, seed: SEED, quietUpdates: 100, chats: 60, bots: 3, replicas: 2, timeoutMs: 540_000,
    log: (line) => { process.stdout.write(`${line}\n`); },
  });
  process.stdout.write(`${JSON.stringify({ traffic: report.traffic, latencyMs: report.latencyMs, kills: report.kills })}\n`);
  expect(report.killLog.length).toBeGreaterThan(0);
  expect(verdict(report)).toEqual([]);
});
