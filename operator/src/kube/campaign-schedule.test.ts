/**
 * When a replica that does not lead tries for the Lease, on the manual clock: the campaign loop of
 * leader-election.ts is played here with instant tries against a Lease the test changes, so every
 * try's moment is exact. (The elector itself, with its watch and a real apiserver, is timed in
 * test/operator/leader.test.ts and leader-failover.test.ts.)
 */
import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '../runtime/clock.js';
import { CampaignSchedule, TAKEOVER_MARGIN_MS, type LeaseSighting } from './campaign-schedule.js';

const LEASE_MS = 15_000;
const RETRY_MS = 2_000;
/** random() = 1: client-go's longest jittered period, 2 s × 2.2. */
const LONGEST_PERIOD_MS = RETRY_MS * 2.2;

interface Play {
  readonly clock: ManualClock;
  readonly schedule: CampaignSchedule;
  /** Each try's moment, in order. */
  readonly tries: number[];
  /** The moment the campaign took the Lease, once it did. */
  won(): number | undefined;
  /** The Lease changes now and the watch sees it at once. */
  watchSees(lease: LeaseSighting): void;
  /** The Lease changes now; only the next try's read sees it (the watch is down). */
  changesUnseen(lease: LeaseSighting): void;
  stop(): Promise<void>;
}

/**
 * The elector's campaign with instant tries. A try wins when the Lease as this replica saw it is
 * takeable by the elector's rule (free, or held a lease duration after it was seen to change),
 * unless `loses` says another candidate's write came first (the 409 of the precondition).
 */
function play(options: { random?: () => number; lease: LeaseSighting; loses?: (at: number) => boolean }): Play {
  const clock = new ManualClock(0);
  const schedule = new CampaignSchedule({ clock, identity: 'me', retryPeriodMs: RETRY_MS, random: options.random ?? (() => 1) });
  const tries: number[] = [];
  let seen = options.lease;
  let actual = options.lease;
  let wonAt: number | undefined;
  const stopping = new AbortController();
  const expired = (at: number): boolean => seen.holder === '' || at >= seen.changedAt + seen.durationMs;
  const done = (async () => {
    while (!stopping.signal.aborted) {
      const at = clock.now();
      tries.push(at);
      // The try's read: a change the watch missed is seen now, counted from now.
      if (actual !== seen) {
        seen = { ...actual, changedAt: at };
        actual = seen;
      }
      if (expired(at) && options.loses?.(at) !== true) {
        wonAt = at;
        return;
      }
      schedule.attempted(at);
      schedule.sighted(seen);
      await schedule.wait(stopping.signal);
    }
  })();
  return {
    clock,
    schedule,
    tries,
    won: () => wonAt,
    watchSees: (lease) => {
      actual = lease;
      seen = lease;
      schedule.sighted(lease);
    },
    changesUnseen: (lease) => { actual = lease; },
    stop: async () => {
      stopping.abort();
      await done;
    },
  };
}

const heldBy = (holder: string, changedAt: number): LeaseSighting => ({ holder, changedAt, durationMs: LEASE_MS });

/** Runs `fn` at `at` on the play's clock (a watch event, a renewal). */
function at(p: Play, moment: number, fn: () => void): void {
  p.clock.setTimer(moment - p.clock.now(), fn);
}

describe('CampaignSchedule', () => {
  it('tries at the moment the Lease it saw renewed last runs out, not at its next jittered try after that', async () => {
    // The leader's last renewal, seen by the watch 3 ms after it; then the leader is SIGKILLed.
    const p = play({ lease: heldBy('leader', 0) });
    await p.clock.advance(3);
    p.watchSees(heldBy('leader', 3));
    await p.clock.advance(30_000);
    // Periodic tries at the longest jitter; the takeover at 3 + 15 s + the margin, where client-go
    // would have waited for its try at 17.6 s.
    expect(p.tries).toEqual([0, 4_400, 8_800, 13_200, 3 + LEASE_MS + TAKEOVER_MARGIN_MS]);
    expect(p.won()).toBe(3 + LEASE_MS + TAKEOVER_MARGIN_MS);
    await p.stop();
  });

  it('while the leader renews (every 2 s, seen by the watch) tries only periodically; after its last renewal, once the lease ran out', async () => {
    const p = play({ lease: heldBy('leader', 0) });
    for (let renewal = 2_000; renewal <= 20_000; renewal += 2_000) at(p, renewal, () => { p.watchSees(heldBy('leader', renewal)); });
    await p.clock.advance(60_000);
    const takeover = 20_000 + LEASE_MS + TAKEOVER_MARGIN_MS;
    expect(p.won()).toBe(takeover);
    // Every try before it is a periodic one, LONGEST_PERIOD_MS apart: none at an expiry the
    // renewals had moved.
    const periodic = p.tries.slice(0, -1);
    expect(periodic).toEqual(periodic.map((_, index) => index * LONGEST_PERIOD_MS));
    expect(p.tries.at(-1)).toBe(takeover);
    await p.stop();
  });

  it('tries at once when the watch sees the Lease released, and when it sees it deleted', async () => {
    const released = play({ lease: heldBy('leader', 0) });
    at(released, 1_234, () => { released.watchSees({ holder: '', changedAt: 1_234, durationMs: 1_000 }); });
    await released.clock.advance(10_000);
    expect(released.tries).toEqual([0, 1_234]);
    expect(released.won()).toBe(1_234);
    await released.stop();

    const deleted = play({ lease: heldBy('leader', 0) });
    // What the elector reports for a deleted Lease: nobody holds it, since now.
    at(deleted, 777, () => { deleted.watchSees({ holder: '', changedAt: 777, durationMs: 0 }); });
    await deleted.clock.advance(10_000);
    expect(deleted.tries).toEqual([0, 777]);
    await deleted.stop();
  });

  it('a takeover another candidate won (409) is not tried again at once: the next try is a jittered period later', async () => {
    const takeover = LEASE_MS + TAKEOVER_MARGIN_MS;
    const p = play({ lease: heldBy('leader', 0), loses: (moment) => moment === takeover });
    // The winner's write reaches this replica's watch 4 ms after the lost try.
    at(p, takeover + 4, () => { p.watchSees(heldBy('winner', takeover + 4)); });
    await p.clock.advance(takeover + 3 * LONGEST_PERIOD_MS);
    expect(p.tries).toEqual([0, 4_400, 8_800, 13_200, takeover, takeover + 4_400, takeover + 8_800, takeover + 13_200]);
    expect(p.won()).toBeUndefined();
    await p.stop();
  });

  it('keeps the jitter where candidates race for a free Lease: after losing it, the next try is a jittered period later', async () => {
    const draws = [0.25, 0.75];
    const p = play({ random: () => draws.shift() ?? 0, lease: { holder: '', changedAt: 0, durationMs: 1_000 }, loses: () => true });
    await p.clock.advance(10_000);
    expect(p.tries.slice(0, 3)).toEqual([0, RETRY_MS * 1.3, RETRY_MS * 1.3 + RETRY_MS * 1.9]);
    await p.stop();
  });

  it('with the watch down, the tries\' own reads are the sightings: tries every jittered period, and the takeover counted from the try that saw the last renewal', async () => {
    const draws = [0, 0.5, 1];
    const p = play({ random: () => draws.shift() ?? 0.5, lease: heldBy('leader', 0) });
    // A renewal at 1 s that only the try at 2 s reads; then nothing more.
    at(p, 1_000, () => { p.changesUnseen(heldBy('leader', 1_000)); });
    await p.clock.advance(40_000);
    // Tries at 0, 2 s, 5.2 s, 9.6 s (jitter 0, 0.5, 1), then 3.2 s apart; the takeover 15 s after
    // the try at 2 s that saw the renewal, not at the next periodic try after that (19.2 s).
    expect(p.tries).toEqual([0, 2_000, 5_200, 9_600, 12_800, 16_000, 2_000 + LEASE_MS + TAKEOVER_MARGIN_MS]);
    await p.stop();
  });

  it('ends a wait at once when the campaign is stopped', async () => {
    const p = play({ lease: heldBy('leader', 0) });
    await p.clock.advance(1_000);
    expect(p.tries).toEqual([0]);
    await p.stop();
    expect(p.clock.pendingTimers).toBe(0);
  });
});
