/**
 * One chaos run: the fleet, a quiet phase (latency baseline of the same fleet), then the same
 * traffic while a seeded loop SIGKILLs a random process every `everyMs` and starts it again,
 * then a drain (Telegram's retries, the services' redeliveries) and the accounting. Bounded:
 * every phase has a deadline.
 */
import { Stack } from '@nova/testbed';
import { startChaosFleet, type Killable, type KillKind } from './fleet.js';
import { ChaosTraffic, onboardChildBots, percentiles, type DuplicateChat, type TrafficCounts } from './traffic.js';

export interface ChaosOptions {
  readonly updates: number;
  /** Updates per second, in all. */
  readonly rate: number;
  /** Between two kills, ms. */
  readonly everyMs: number;
  /** No more kills than this (default: as many as the sending lasts). */
  readonly maxKills?: number;
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
  /** Each chat with a duplicate reply, and the kills whose outage (SIGKILL to ready + 10 s) covers one of its duplicates. */
  readonly duplicates: readonly { readonly chat: number; readonly bot: number; readonly extra: number; readonly nearKills: readonly string[] }[];
  readonly durationMs: number;
}

/** A duplicate is explained by a kill when it went out while that process was down or within 10 s of its return. */
export function explainDuplicates(chats: readonly DuplicateChat[], kills: readonly KillRecord[], startedAt: number): ChaosReport['duplicates'] {
  return chats.map(({ chat, bot, extra, duplicateTimes }) => ({
    chat, bot, extra,
    nearKills: kills.filter((kill) => duplicateTimes.some((time) => time - startedAt >= kill.at && time - startedAt <= kill.at + kill.downMs + 10_000)).map((kill) => `${kill.name}@${String(Math.round(kill.at / 1000))}s`),
  }));
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
 * Picks the victims in rounds: each round visits every kind once in a seeded random order (so the
 * one nats-server and PostgreSQL are killed as often as "a service", and a short run kills every
 * kind), and takes a random process of that kind among those not down already.
 */
export class VictimPicker {
  private round: KillKind[] = [];

  constructor(private readonly killables: readonly Killable[], private readonly random: () => number) {}

  next(down: ReadonlySet<Killable>): Killable | undefined {
    const kinds = [...new Set(this.killables.map((killable) => killable.kind))];
    for (let tried = 0; tried < kinds.length; tried++) {
      if (this.round.length === 0) this.round = shuffled(kinds, this.random);
      const kind = this.round.shift();
      const up = this.killables.filter((killable) => killable.kind === kind && !down.has(killable));
      const victim = up[Math.floor(this.random() * up.length)];
      if (victim !== undefined) return victim;
    }
    return undefined;
  }
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
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

    const picker = new VictimPicker(fleet.killables, seededRandom(options.seed));
    const killLog: KillRecord[] = [];
    // A killed process is started again in the background, as its supervisor would: the next kill
    // does not wait for it (another process may die meanwhile), but never hits a process still down.
    const down = new Set<Killable>();
    const restarts: Promise<void>[] = [];
    // An object, not a let: the loop reads what the sender sets later (a plain boolean looks constant to the linter).
    const sending = { on: true };
    const chaosLoop = (async () => {
      while (sending.on && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, options.everyMs));
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the sender turns it off during the pause
        if (!sending.on) break;
        if (restarts.length >= (options.maxKills ?? Number.POSITIVE_INFINITY)) break;
        const victim = picker.next(down);
        if (victim === undefined) continue;
        const at = Date.now();
        down.add(victim);
        await victim.kill();
        log(`chaos: killed ${victim.name} (SIGKILL)`);
        restarts.push(victim.restart().then(() => {
          down.delete(victim);
          killLog.push({ kind: victim.kind, name: victim.name, at: at - started, downMs: Date.now() - at });
          log(`chaos: ${victim.name} ready again after ${String(Date.now() - at)} ms`);
        }));
      }
    })();
    await traffic.run(options.updates, options.rate, deadline);
    sending.on = false;
    await chaosLoop;
    await Promise.all(restarts);
    log('chaos: all updates sent; draining');
    await traffic.drain(Math.min(deadline, Date.now() + 180_000));
    const chaos = percentiles(traffic.takeLatencies());
    const kills: Record<KillKind, number> = { gateway: 0, monolith: 0, service: 0, 'nats-server': 0, postgres: 0 };
    for (const kill of killLog) kills[kill.kind]++;
    const shown: Omit<ChaosOptions, 'log'> & { log?: unknown } = { ...options };
    delete shown.log;
    const counts = traffic.counts();
    return {
      seed: options.seed, options: shown, traffic: counts, latencyMs: { quiet, chaos }, kills, killLog,
      duplicates: explainDuplicates(traffic.duplicateChats, killLog, started), durationMs: Date.now() - started,
    };
  } finally {
    await fleet.stop();
  }
}
