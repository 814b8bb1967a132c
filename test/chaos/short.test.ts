/**
 * The short version of `npm run chaos` (docs/chaos.md): the whole fleet from its builds (one
 * replica of each here, to keep the file's time down; `npm run chaos` runs two of every service
 * and gateway), nginx in front, nats-server and PostgreSQL restarted on their stores, simulated Telegram users sending steadily while a seeded loop SIGKILLs a random
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

it('loses no accepted update and repeats at most one reply per kill while processes of every kind are SIGKILLed', async () => {
  const report = await runChaos({
    updates: 600, rate: 25, everyMs: 2_500, maxKills: 10, seed: SEED, quietUpdates: 50, chats: 200, bots: 3, replicas: 1, timeoutMs: 540_000,
    log: (line) => { process.stdout.write(`${line}\n`); },
  });
  process.stdout.write(`${JSON.stringify({ traffic: report.traffic, latencyMs: report.latencyMs, kills: report.kills })}\n`);
  // Every kind at least once: the picker visits each kind once per round.
  expect(Object.values(report.kills).every((n) => n >= 1)).toBe(true);
  expect(verdict(report)).toEqual([]);
});
