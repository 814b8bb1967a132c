/**
 * The single active scheduler's lease and tick fence on a real NATS KV bucket (the test bed's
 * nats-server), with several schedulers in one process standing for replicas.
 *
 * Each replica gets its own injectable clock: a fake clock is how this test sets skew between
 * replicas (seconds apart, in both directions) and lets a lease run out, deterministically and at
 * once, instead of waiting on wall time that a loaded machine stretches. The store, its revisions
 * and its compare-and-set are real. The process test (test/services/notifications.test.ts) runs
 * the same code on the wall clock with real replica processes and a SIGKILL.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Scheduler, SchedulerLease, TickFence, tickIdAt, type KeyValueStore, type SchedulerObserver } from '@nova/notification-service/domain';
import { NatsKvStore, openSchedulerBucket } from '@nova/notification-service/wiring';
import { startPrivateNats, type PrivateNats } from '../bus/support/nats.js';

const INTERVAL = 1_000;
const TTL = 3_000;
const T0 = Date.UTC(2026, 11, 2, 12, 0, 0);

let nats: PrivateNats;
let nc: NatsConnection;
let buckets = 0;

beforeAll(async () => {
  nats = await startPrivateNats();
  nc = await connect({ servers: nats.info.url });
});

afterAll(async () => {
  await nc.close();
  await nats.stop();
});

/** A fresh bucket per test: tests never see each other's records. */
async function freshStore(): Promise<KeyValueStore> {
  buckets += 1;
  return new NatsKvStore(await openSchedulerBucket(nc, `scheduler_test_${String(buckets)}`));
}

class FakeClock {
  constructor(public ms: number) {}
  readonly now = (): Date => new Date(this.ms);
}

const quiet: SchedulerObserver = { activeChanged: () => undefined, tickRan: () => undefined, tickFailed: () => undefined, ticksSkipped: () => undefined, leaseFailed: () => undefined };

/** A replica: its scheduler with one job that records which ticks it ran. */
function replica(store: KeyValueStore, name: string, clock: FakeClock, ran: { holder: string; tick: number }[]) {
  return new Scheduler({
    lease: new SchedulerLease({ store, holder: name, ttlMs: TTL, clock: clock.now }),
    fence: new TickFence(store, name, clock.now),
    jobs: [{ name: 'job', intervalMs: INTERVAL, run: (tick) => { ran.push({ holder: name, tick }); return Promise.resolve(1); } }],
    clock: clock.now,
    observer: quiet,
    leaseTtlMs: TTL,
  });
}

async function pollAll(...schedulers: Scheduler[]): Promise<void> {
  await Promise.all(schedulers.map((s) => s.poll()));
  await Promise.all(schedulers.map((s) => s.idle()));
}

describe('the scheduler lease', () => {
  it('is held by one replica at a time, and taken by another only after it ran out', async () => {
    const store = await freshStore();
    const clock = new FakeClock(T0);
    const a = new SchedulerLease({ store, holder: 'a', ttlMs: TTL, clock: clock.now });
    const b = new SchedulerLease({ store, holder: 'b', ttlMs: TTL, clock: clock.now });
    const took = await Promise.all([a.tryHold(), b.tryHold()]);
    expect(took.filter(Boolean)).toHaveLength(1);
    const [holder, other] = took[0] ? [a, b] : [b, a];
    clock.ms += TTL - 1;
    expect(await other.tryHold()).toBe(false);
    expect(await holder.tryHold()).toBe(true); // renewed: runs until now + TTL
    clock.ms += TTL - 1;
    expect(await other.tryHold()).toBe(false);
    clock.ms += 2; // the holder stopped renewing: its lease is over
    expect(await other.tryHold()).toBe(true);
    expect(await holder.tryHold()).toBe(false);
  });

  it('is given up at a graceful stop, so the next replica takes it at once', async () => {
    const store = await freshStore();
    const clock = new FakeClock(T0);
    const a = new SchedulerLease({ store, holder: 'a', ttlMs: TTL, clock: clock.now });
    const b = new SchedulerLease({ store, holder: 'b', ttlMs: TTL, clock: clock.now });
    expect(await a.tryHold()).toBe(true);
    await a.release();
    expect(await b.tryHold()).toBe(true);
  });
});

describe('the tick fence', () => {
  it('lets exactly one of many concurrent claims of a tick win', async () => {
    const store = await freshStore();
    const clock = new FakeClock(T0);
    const fences = Array.from({ length: 8 }, (_, i) => new TickFence(store, `r${String(i)}`, clock.now));
    for (let tick = 100; tick < 105; tick++) {
      const won = await Promise.all(fences.map((fence) => fence.claim('job', tick)));
      expect(won.filter(Boolean)).toHaveLength(1);
    }
    expect(await fences[0]?.lastTick('job')).toBe(104);
  });

  it('only moves forward: an older tick (a clock behind, a stale holder) is refused', async () => {
    const store = await freshStore();
    const fence = new TickFence(store, 'a', new FakeClock(T0).now);
    expect(await fence.claim('job', 10)).toBe(true);
    expect(await fence.claim('job', 10)).toBe(false);
    expect(await fence.claim('job', 9)).toBe(false);
    expect(await fence.claim('job', 11)).toBe(true);
  });
});

describe('the scheduler across replicas', () => {
  it('runs every tick once across a hand-over after the holder dies, with the replicas\' clocks skewed both ways', async () => {
    const store = await freshStore();
    const ran: { holder: string; tick: number }[] = [];
    // b runs 1.5 intervals behind a, c 0.7 of an interval ahead: skew a lease alone could not absorb.
    const clocks = { a: new FakeClock(T0), b: new FakeClock(T0 - 1_500), c: new FakeClock(T0 + 700) };
    const a = replica(store, 'a', clocks.a, ran);
    const b = replica(store, 'b', clocks.b, ran);
    const c = replica(store, 'c', clocks.c, ran);
    const advance = (ms: number): void => {
      for (const clock of Object.values(clocks)) clock.ms += ms;
    };
    await a.poll(); // a takes the lease first
    await a.idle();
    expect(a.isActive).toBe(true);
    for (let step = 0; step < 20; step++) {
      await pollAll(a, b, c);
      advance(250);
    }
    expect([b.isActive, c.isActive]).toEqual([false, false]);
    const beforeDeath = ran.length;
    expect(beforeDeath).toBeGreaterThanOrEqual(5);

    // a is killed: it polls no more. b and c go on; one of them takes over after the lease ran out.
    for (let step = 0; step < 40; step++) {
      await pollAll(b, c);
      advance(250);
    }
    expect(b.isActive || c.isActive).toBe(true);
    expect(b.isActive && c.isActive).toBe(false);

    // a comes back (a paused process, not dead): it must not run anything twice.
    for (let step = 0; step < 12; step++) {
      await pollAll(a, b, c);
      advance(250);
    }
    const ticks = ran.map((r) => r.tick);
    expect(new Set(ticks).size).toBe(ticks.length); // none twice
    const first = Math.min(...ticks);
    const last = Math.max(...ticks);
    expect(ticks).toHaveLength(last - first + 1); // none lost, the hand-over included
    expect(new Set(ran.map((r) => r.holder)).size).toBeGreaterThanOrEqual(2);
    // The newest tick is the most advanced clock's (c's); none ran ahead of it.
    expect(last).toBeLessThanOrEqual(tickIdAt(clocks.c.now(), INTERVAL));
  });

  it('skips ticks older than the catch-up allows after a long outage, and says so', async () => {
    const store = await freshStore();
    const clock = new FakeClock(T0);
    const ran: { holder: string; tick: number }[] = [];
    const skipped: number[] = [];
    const scheduler = new Scheduler({
      lease: new SchedulerLease({ store, holder: 'a', ttlMs: TTL, clock: clock.now }),
      fence: new TickFence(store, 'a', clock.now),
      jobs: [{ name: 'job', intervalMs: INTERVAL, run: (tick) => { ran.push({ holder: 'a', tick }); return Promise.resolve(0); } }],
      clock: clock.now,
      observer: { ...quiet, ticksSkipped: (_job, count) => skipped.push(count) },
      leaseTtlMs: TTL,
      maxCatchUp: 3,
    });
    await pollAll(scheduler);
    clock.ms += 10 * INTERVAL;
    await pollAll(scheduler);
    const current = tickIdAt(clock.now(), INTERVAL);
    expect(ran.map((r) => r.tick)).toEqual([current - 10, current - 2, current - 1, current]);
    expect(skipped).toEqual([7]);
  });
});
