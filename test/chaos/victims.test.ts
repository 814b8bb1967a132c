/** The chaos run's pure parts: the seeded choice of victims (every kind once per round, never a process already down), and which reply is a duplicate. */
import { describe, expect, it } from '@jest/globals';
import type { Killable, KillKind } from '../../bench/src/chaos/fleet.js';
import { seededRandom, VictimPicker } from '../../bench/src/chaos/run.js';
import { duplicateReplyTimes } from '../../bench/src/chaos/traffic.js';

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

describe('duplicateReplyTimes', () => {
  it('names the second reply to one update, not a reply to the next', () => {
    // Updates at 0, 100 and 200; update 0 answered twice (at 50 and 60), the others once.
    expect(duplicateReplyTimes([0, 100, 200], [50, 60, 150, 250])).toEqual([60]);
    expect(duplicateReplyTimes([0, 100], [50, 150])).toEqual([]);
  });
});
