/**
 * One chaos run: the fleet, a quiet phase (latency baseline of the same fleet), then the same
 * traffic while a seeded loop SIGKILLs a random process every `everyMs` and starts it again,
 * then a drain (Telegram's retries, the services' redeliveries) and the accounting. Bounded:
 * every phase has a deadline.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { Stack, startTestbed, type KubeInfo, type Testbed } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import { KILL_KINDS, startChaosFleet, type ChaosFleet, type Killable, type KillKind } from './fleet.js';
import { ChaosMigration, type WeightAudit } from './migration.js';
import { ChaosOperators, failoverBoundMs, PRODUCTION_ELECTION, type Election, type Failover } from './operators.js';
import { readReplyRows, repeatedReplies, type RepeatedReply } from './replies.js';
import { ChaosTraffic, onboardChildBots, percentiles, type TrafficCounts } from './traffic.js';

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
  /** The operators' leader election; default the production defaults (15 s / 10 s / 2 s). */
  readonly election?: Election;
  /**
   * After every update is answered, wait this long before counting (ms; default 60 s): a reply
   * whose sender was killed before its "sent" mark goes out again only after its lease
   * (NOVA_REPLY_LEASE, 30 s) and the update's redelivery, 30-40 s later in the runs here, often
   * after the last answer; counted before, it was missed (a run here saw one at 214 s of 215).
   */
  readonly repeatWaitMs?: number;
  /**
   * NATS as a three-node cluster (streams and KV buckets R3, NOVA_NATS_REPLICAS=3, every process
   * given the three URLs), whose nodes the loop kills one at a time; default one nats-server (R1).
   */
  readonly natsCluster?: boolean;
  /** A running kube-apiserver to use (the test bed's, in a test); default: the run starts its own. */
  readonly kube?: KubeInfo;
  readonly log?: (line: string) => void;
}

export interface KillRecord {
  readonly kind: KillKind;
  readonly name: string;
  readonly at: number;
  /** SIGKILL → ready again, ms. */
  readonly downMs: number;
}

export interface OperatorFigures {
  readonly election: Election;
  /** The algorithm's bound on a failover after a SIGKILL (operators.ts, failoverBoundMs). */
  readonly failoverBoundMs: number;
  /** Each kill of the replica that held the Lease, and how long until another held it. */
  readonly failovers: readonly Failover[];
  readonly standbyKills: number;
  /** The stage migration that ran through its steps during the chaos. */
  readonly migration: { readonly name: string; readonly phase: string | undefined; readonly weights: WeightAudit };
}

export interface ChaosReport {
  readonly seed: number;
  readonly options: Omit<ChaosOptions, 'log' | 'kube'>;
  readonly traffic: TrafficCounts;
  readonly latencyMs: { readonly quiet: { p50: number; p99: number; count: number }; readonly chaos: { p50: number; p99: number; count: number } };
  readonly kills: Readonly<Record<KillKind, number>>;
  readonly killLog: readonly KillRecord[];
  /**
   * Each reply Telegram got more than once (replies.ts: tied to its update by the bots context's
   * own record): its chat and update, when its first send went out (since the start), how much
   * later the next did, and the kills between that first send and its "sent" mark
   * (explainDuplicates); none named: unexplained.
   */
  readonly duplicates: readonly { readonly chat: number; readonly bot: number; readonly update: string; readonly extra: number; readonly firstReplyAtMs: number; readonly repeatAfterMs: number; readonly kills: readonly string[] }[];
  /** The chats with more replies than updates (the count the verdict bounds), to compare with `duplicates`. */
  readonly duplicateChats: readonly { readonly chat: number; readonly bot: number; readonly extra: number }[];
  readonly operator: OperatorFigures;
  /** nats-server processes (1, or 3 with natsCluster) and the copies of each stream and bucket. */
  readonly nats: { readonly nodes: number; readonly replicas: number };
  readonly durationMs: number;
}

/**
 * Kinds whose death can repeat a reply: a process that sends replies (the monolith, a service),
 * or PostgreSQL, whose restart fails the "sent" mark (retried while the sender holds the update).
 */
const REPLYING_KINDS: ReadonlySet<KillKind> = new Set(['monolith', 'service', 'postgres']);

/**
 * How long after Telegram accepted a reply the kill that repeats it can come: the sender marks it
 * sent right after Telegram's answer, but on this loaded machine a mark's round trip has been
 * seen to take seconds.
 */
export const MARK_WINDOW_MS = 10_000;

/**
 * Each repeated reply with the kills that explain it: a kill of a process that sends replies (or
 * of PostgreSQL) after the update's first reply went out and within MARK_WINDOW_MS of it, i.e.
 * between Telegram's answer and the "sent" mark. The repeat itself comes later, when the reply's
 * lease (NOVA_REPLY_LEASE, 30 s) has lapsed and the update is redelivered (its backoff): 30-60 s
 * after the kill, which the first version's window (the process's outage + 10 s) did not reach.
 */
export function explainDuplicates(repeats: readonly RepeatedReply[], kills: readonly KillRecord[], startedAt: number): ChaosReport['duplicates'] {
  return repeats.map(({ chatId, botId, effectKey, sends }) => {
    const first = sends[0] ?? 0;
    const firstAt = first - startedAt;
    return {
      chat: chatId, bot: botId, update: effectKey, extra: sends.length - 1,
      firstReplyAtMs: firstAt,
      repeatAfterMs: (sends[1] ?? first) - first,
      kills: kills.filter((kill) => REPLYING_KINDS.has(kill.kind) && kill.at >= firstAt - 1_000 && kill.at <= firstAt + MARK_WINDOW_MS).map((kill) => `${kill.name}@${(kill.at / 1000).toFixed(1)}s`),
    };
  });
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
 * Kinds of which only one process may be down at a time: the NATS cluster's nodes (JetStream
 * needs a majority of the three up; two down at once is an outage by design, not a test of Nova).
 */
const ONE_DOWN_AT_A_TIME: ReadonlySet<KillKind> = new Set(['nats-server']);

/**
 * Picks the victims in rounds: each round visits every kind once in a seeded random order (so the
 * one nats-server and PostgreSQL are killed as often as "a service", and a short run kills every
 * kind), and takes a random process of that kind among those not down already; a NATS node only
 * while no other node is down (ONE_DOWN_AT_A_TIME).
 */
export class VictimPicker {
  private round: KillKind[] = [];

  constructor(private readonly killables: readonly Killable[], private readonly random: () => number) {}

  next(down: ReadonlySet<Killable>): Killable | undefined {
    const kinds = [...new Set(this.killables.map((killable) => killable.kind))];
    for (let tried = 0; tried < kinds.length; tried++) {
      if (this.round.length === 0) this.round = shuffled(kinds, this.random);
      const kind = this.round.shift();
      if (kind !== undefined && ONE_DOWN_AT_A_TIME.has(kind) && [...down].some((killable) => killable.kind === kind)) continue;
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
  // kube-apiserver + etcd for the operators (not killed: the control plane is not the subject here).
  let ownKube: Testbed | undefined;
  let kube = options.kube;
  if (kube === undefined) {
    ownKube = await startTestbed({ components: ['kube'], keep: process.env.NOVA_TESTBED_KEEP === '1' });
    kube = ownKube.info.kube;
    if (kube === undefined) throw new Error('chaos: the test bed did not start kube-apiserver');
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kube.kubeconfig);
  // Namespaces of their own: in a test, the apiserver is shared with other files.
  const id = randomBytes(3).toString('hex');
  const namespace = `chaos-${id}`;
  const operatorNamespace = `chaos-system-${id}`;
  const core = kubeConfig.makeApiClient(CoreV1Api);
  for (const name of [namespace, operatorNamespace]) await core.createNamespace({ body: { metadata: { name } } });
  const election = options.election ?? PRODUCTION_ELECTION;
  let fleet: ChaosFleet | undefined;
  let operators: ChaosOperators | undefined;
  let migration: ChaosMigration | undefined;
  try {
    fleet = await startChaosFleet(stack, options.replicas, namespace, { natsCluster: options.natsCluster ?? false });
    log(`chaos: fleet up (${String(fleet.killables.length)} killable processes) in ${String(Math.round((Date.now() - started) / 1000))} s`);
    // The operators start while the bots are connected and the quiet phase runs (they have nothing to do until the migration).
    const startingOperators = ChaosOperators.start({ stack, kubeConfig, kubeconfigPath: kube.kubeconfig, operatorNamespace, watchNamespace: namespace, natsUrl: fleet.natsUrl, natsReplicas: fleet.natsReplicas, election, startedAt: started });
    startingOperators.catch(() => undefined);
    const children = await onboardChildBots(fleet.emulator, fleet.mainBot, options.bots);
    const traffic = new ChaosTraffic(fleet.emulator, fleet.mainBot, children, options.chats, 120_000);

    await traffic.run(options.quietUpdates, options.rate, deadline);
    await traffic.drain(Math.min(deadline, Date.now() + 60_000));
    const quiet = percentiles(traffic.takeLatencies());
    log(`chaos: quiet phase: ${String(quiet.count)} answered, p50 ${String(quiet.p50)} ms, p99 ${String(quiet.p99)} ms`);
    operators = await startingOperators;
    const killables: readonly Killable[] = [...fleet.killables, operators];
    log(`chaos: 2 operator replicas up; leader ${String(await operators.holder())}`);

    // The migration's three timed pauses take half the sending, so its steps (and a failover's stall) run under the kills.
    const pauseMs = (options.updates / options.rate) * 1000 / 6;
    migration = await ChaosMigration.apply(kubeConfig, namespace, pauseMs);
    log(`chaos: applied ${migration.name} (pauses of ${String(Math.round(pauseMs / 1000))} s)`);

    const picker = new VictimPicker(killables, seededRandom(options.seed));
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
    await operators.settle();
    const phase = await migration.settle(Math.min(deadline, Date.now() + 180_000));
    const repeatWaitMs = Math.max(0, Math.min(options.repeatWaitMs ?? 60_000, deadline - Date.now()));
    if (repeatWaitMs > 0) {
      log(`chaos: waiting ${String(Math.round(repeatWaitMs / 1000))} s for replies repeated after their lease`);
      await new Promise((resolve) => setTimeout(resolve, repeatWaitMs));
    }
    log(`chaos: ${migration.name} ${String(phase)}`);
    await migration.stop();
    const weights = await migration.audit(fleet.natsUrl);
    const kills = Object.fromEntries(KILL_KINDS.map((kind) => [kind, 0])) as Record<KillKind, number>;
    for (const kill of killLog) kills[kill.kind]++;
    const shown: Omit<ChaosOptions, 'log' | 'kube'> & { log?: unknown; kube?: unknown } = { ...options };
    delete shown.log;
    delete shown.kube;
    const counts = traffic.counts();
    return {
      seed: options.seed, options: shown, traffic: counts, latencyMs: { quiet, chaos }, kills, killLog,
      duplicates: explainDuplicates(repeatedReplies(await readReplyRows(fleet.databaseUrl), traffic.sentCalls()), killLog, started),
      duplicateChats: traffic.duplicateChats,
      operator: { election, failoverBoundMs: failoverBoundMs(election), failovers: operators.failovers, standbyKills: operators.standbyKills.length, migration: { name: migration.name, phase, weights } },
      nats: { nodes: fleet.killables.filter((killable) => killable.kind === 'nats-server').length, replicas: fleet.natsReplicas },
      durationMs: Date.now() - started,
    };
  } finally {
    await migration?.stop();
    await operators?.stop();
    await (fleet?.stop() ?? stack.stop());
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    await core.deleteNamespace({ name: operatorNamespace }).catch(() => undefined);
    await ownKube?.stop();
  }
}
