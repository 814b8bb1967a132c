/** The chaos run's pure parts: the seeded choice of victims (every kind once per round, never a process already down), and which kills explain a repeated reply (replies.test.ts: which reply is repeated). */
import { describe, expect, it } from '@jest/globals';
import type { Killable, KillKind } from '../../bench/src/chaos/fleet.js';
import { explainDuplicates, seededRandom, VictimPicker, type KillRecord } from '../../bench/src/chaos/run.js';

function killable(kind: KillKind, name: string): Killable {
  return { kind, name, kill: () => Promise.resolve(), restart: () => Promise.resolve() };
}

const FLEET = [
  killable('nats-server', 'nats'), killable('postgres', 'pg'), killable('monolith', 'mono'),
  killable('gateway', 'gw-1'), killable('gateway', 'gw-2'), killable('service', 'user-1'), killable('service', 'user-2'), killable('service', 'bot-1'),
];

function names(seed: number, count: number): string[] {
  const picker = new VictimPicker(FLEET, seededRandom(seed));
  return Array.from({ length: count }, () => picker.next(new Set())?.name ?? 'none');
}

describe('VictimPicker', () => {
  it('repeats the same kills for the same seed, and others for another', () => {
    expect(names(7, 20)).toEqual(names(7, 20));
    expect(names(7, 20)).not.toEqual(names(8, 20));
  });

  it('visits every kind once per round', () => {
    const picker = new VictimPicker(FLEET, seededRandom(1));
    for (let round = 0; round < 4; round++) {
      const kinds = Array.from({ length: 5 }, () => picker.next(new Set())?.kind);
      expect(new Set(kinds).size).toBe(5);
    }
  });

  it('kills the NATS cluster\'s nodes one at a time: never a second node while one is down', () => {
    const cluster = [killable('nats-server', 'nats-1'), killable('nats-server', 'nats-2'), killable('nats-server', 'nats-3'), killable('gateway', 'gw-1')];
    const down = new Set([cluster[0] as Killable]);
    const picker = new VictimPicker(cluster, seededRandom(5));
    // A tick whose round met only the held kind picks nobody (as for a kind that is all down): the loop waits for the next.
    const picked = Array.from({ length: 20 }, () => picker.next(down)?.kind);
    expect(picked).not.toContain('nats-server');
    expect(picked).toContain('gateway');
    const allUp = new VictimPicker(cluster, seededRandom(5));
    const kinds = Array.from({ length: 8 }, () => allUp.next(new Set())?.kind);
    expect(kinds.filter((kind) => kind === 'nats-server')).toHaveLength(4);
  });

  it('never picks a process that is still down, and skips a kind that is all down', () => {
    const down = new Set(FLEET.filter((k) => k.kind === 'nats-server' || k.name === 'gw-1'));
    const picker = new VictimPicker(FLEET, seededRandom(3));
    for (let i = 0; i < 40; i++) {
      const victim = picker.next(down);
      expect(victim).toBeDefined();
      expect(down.has(victim as Killable)).toBe(false);
    }
  });
});

describe('explainDuplicates', () => {
  const kill = (kind: KillKind, name: string, at: number): KillRecord => ({ kind, name, at, downMs: 3_000 });

  it('names the kill of a replying process or PostgreSQL between the first send and its mark, however late the repeat', () => {
    // The first send at 100 s; the repeat 45 s later (after the reply's 30 s lease and the update's redelivery).
    const repeats = [{ effectKey: 'u1', chatId: 1, botId: 2, sends: [1_100_000, 1_145_000] }];
    const kills = [kill('monolith', 'nova-monolith', 100_400), kill('gateway', 'webhook-gateway-1', 100_200), kill('service', 'bot-service-1', 130_000), kill('postgres', 'postgres', 99_500)];
    expect(explainDuplicates(repeats, kills, 1_000_000)).toEqual([{ chat: 1, bot: 2, update: 'u1', extra: 1, firstReplyAtMs: 100_000, repeatAfterMs: 45_000, kills: ['nova-monolith@100.4s', 'postgres@99.5s'] }]);
  });

  it('names nothing when no such kill came near the first send', () => {
    const repeats = [{ effectKey: 'u1', chatId: 1, botId: 2, sends: [1_100_000, 1_101_000] }];
    expect(explainDuplicates(repeats, [kill('service', 'user-service-1', 50_000)], 1_000_000)[0]?.kills).toEqual([]);
  });
});
