/**
 * One chaos run: the fleet, a quiet phase (latency baseline of the same fleet), then the same
 * traffic while a seeded loop SIGKILLs a random process every `everyMs` and starts it again,
 * then a drain (Telegram's retries, the services' redeliveries) and the accounting. Bounded:
 * every phase has a deadline.
 */
import { Stack } from '@nova/testbed';
import { startChaosFleet, type Killable, type KillKind } from './fleet.js';
import { ChaosTraffic, onboardChildBots, percentiles, type TrafficCounts } from './traffic.js';

export interface ChaosOptions {
  readonly updates: number;
  /** Updates per second, in all. */
  readonly rate: number;
  /** Between two kills, ms. */
  readonly everyMs: number;
  readonly seed: number;
  /** Updates of the quiet phase before the chaos (its latency is the baseline). */
  readonly quietUpdates: number;
  readonly chats: number;
  readonly bots: number;
  readonly replicas: number;
  /** Whole run's bound, ms. */
  readonly timeoutMs: number;
  readonly log?: (line: string) => void;
}

export interface KillRecord {
  readonly kind: KillKind;
  readonly name: string;
  readonly at: number;
  /** SIGKILL → ready again, ms. */
  readonly downMs: number;
}

export interface ChaosReport {
  readonly seed: number;
  readonly options: Omit<ChaosOptions, 'log'>;
  readonly traffic: TrafficCounts;
  readonly latencyMs: { readonly quiet: { p50: number; p99: number; count: number }; readonly chaos: { p50: number; p99: number; count: number } };
  readonly kills: Readonly<Record<KillKind, number>>;
  readonly killLog: readonly KillRecord[];
  readonly durationMs: number;
}

/** mulberry32: a small seeded generator, so `--seed` repeats the same kills in the same order. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Picks the victim: first a kind (each kind as likely as the others, so the one nats-server and
 * PostgreSQL are killed as often as "a service"), then a process of that kind.
 */
export function pickVictim(killables: readonly Killable[], random: () => number): Killable {
  const kinds = [...new Set(killables.map((killable) => killable.kind))];
  const kind = kinds[Math.floor(random() * kinds.length)];
  const ofKind = killables.filter((killable) => killable.kind === kind);
  const victim = ofKind[Math.floor(random() * ofKind.length)];
  if (victim === undefined) throw new Error('no process to kill');
  return victim;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const stack = Stack.create({ keep: process.env.NOVA_TESTBED_KEEP === '1' });
  log(`chaos: seed ${String(options.seed)}; stack ${stack.dir}`);
  const fleet = await startChaosFleet(stack, options.replicas);
  try {
    log(`chaos: fleet up (${String(fleet.killables.length)} killable processes) in ${String(Math.round((Date.now() - started) / 1000))} s`);
    const children = await onboardChildBots(fleet.emulator, fleet.mainBot, options.bots);
    const traffic = new ChaosTraffic(fleet.emulator, fleet.mainBot, children, options.chats, 120_000);

    await traffic.run(options.quietUpdates, options.rate, deadline);
    await traffic.drain(Math.min(deadline, Date.now() + 60_000));
    const quiet = percentiles(traffic.takeLatencies());
    log(`chaos: quiet phase: ${String(quiet.count)} answered, p50 ${String(quiet.p50)} ms, p99 ${String(quiet.p99)} ms`);

    const random = seededRandom(options.seed);
    const killLog: KillRecord[] = [];
    // An object, not a let: the loop reads what the sender sets later (a plain boolean looks constant to the linter).
    const sending = { on: true };
    const chaosLoop = (async () => {
      while (sending.on && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, options.everyMs));
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the sender turns it off during the pause
        if (!sending.on) break;
        const victim = pickVictim(fleet.killables, random);
        const at = Date.now();
        await victim.kill();
        await victim.restart();
        killLog.push({ kind: victim.kind, name: victim.name, at: at - started, downMs: Date.now() - at });
        log(`chaos: killed ${victim.name} (SIGKILL), ready again after ${String(Date.now() - at)} ms`);
      }
    })();
    await traffic.run(options.updates, options.rate, deadline);
    sending.on = false;
    await chaosLoop;
    log('chaos: all updates sent; draining');
    await traffic.drain(Math.min(deadline, Date.now() + 180_000));
    const chaos = percentiles(traffic.takeLatencies());
    const kills: Record<KillKind, number> = { gateway: 0, monolith: 0, service: 0, 'nats-server': 0, postgres: 0 };
    for (const kill of killLog) kills[kill.kind]++;
    const shown: Omit<ChaosOptions, 'log'> & { log?: unknown } = { ...options };
    delete shown.log;
    return { seed: options.seed, options: shown, traffic: traffic.counts(), latencyMs: { quiet, chaos }, kills, killLog, durationMs: Date.now() - started };
  } finally {
    await fleet.stop();
  }
}
