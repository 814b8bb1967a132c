/** The chaos run's pure parts: the seeded choice of victims (every kind once per round, never a process already down), and which reply is a duplicate. */
import { describe, expect, it } from '@jest/globals';
import type { Killable, KillKind } from '../../bench/src/chaos/fleet.js';
import { explainDuplicates, seededRandom, VictimPicker, type KillRecord } from '../../bench/src/chaos/run.js';
import { repeatedReplies } from '../../bench/src/chaos/traffic.js';

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

describe('repeatedReplies', () => {
  it('names the second reply to one update with its first, not a reply to the next', () => {
    // Updates at 0, 100 and 200; update 0 answered twice (at 50 and 60), the others once.
    expect(repeatedReplies([0, 100, 200], [50, 60, 150, 250])).toEqual([{ first: 50, repeat: 60 }]);
    expect(repeatedReplies([0, 100], [50, 150])).toEqual([]);
  });
});

describe('explainDuplicates', () => {
  const kill = (kind: KillKind, name: string, at: number): KillRecord => ({ kind, name, at, downMs: 3_000 });

  it('names the kill of a replying process or PostgreSQL between the first reply and its mark, however late the repeat', () => {
    // The first reply at 100 s; the repeat 45 s later (after the reply's 30 s lease and the update's redelivery).
    const chats = [{ chat: 1, bot: 2, extra: 1, repeats: [{ first: 1_100_000, repeat: 1_145_000 }] }];
    const kills = [kill('monolith', 'nova-monolith', 100_400), kill('gateway', 'webhook-gateway-1', 100_200), kill('service', 'bot-service-1', 130_000), kill('postgres', 'postgres', 99_500)];
    expect(explainDuplicates(chats, kills, 1_000_000)).toEqual([{ chat: 1, bot: 2, firstReplyAtMs: 100_000, repeatAfterMs: 45_000, kills: ['nova-monolith@100.4s', 'postgres@99.5s'] }]);
  });

  it('names nothing when no such kill came near the first reply', () => {
    const chats = [{ chat: 1, bot: 2, extra: 1, repeats: [{ first: 1_100_000, repeat: 1_101_000 }] }];
    expect(explainDuplicates(chats, [kill('service', 'user-service-1', 50_000)], 1_000_000)[0]?.kills).toEqual([]);
  });
});
