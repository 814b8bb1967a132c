/**
 * Telegram's per-bot budget (30 messages a second) shared by the bot service's replicas. Each
 * replica paces each bot to its share, the limit divided by the replicas alive; without this the
 * chart's two replicas sent up to 60 a second for one bot while both drained a backlog (187-228 x
 * 429 per 20-s run, bench/README.md part 14).
 *
 * Why shares and not the publisher's lease (one sender per bot): replies to one bot reach every
 * replica at once (a bot's chats are spread over all partitions, and every replica pulls every
 * partition), so a lease would make one replica's replies wait for the other to fall idle, which
 * under steady traffic it never does. Shares follow how the work is spread: evenly.
 *
 * What an equal share costs: a bot whose traffic nears half the limit per replica (the benchmark's
 * 25 a second per bot over two replicas) reaches each replica in random bursts, and a burst over
 * the share waits, holding its update's partition while it does (a partition has one update out at
 * a time). Why not let replicas pace alone and back off at Telegram's 429s instead (AIMD, tried
 * 2026-12-07): the same bots then met 30-47 x 429 per 20 s and p95 0.1-5 s, and a real Telegram
 * answers a bot that keeps flooding with longer and longer waits. Both are in bench/README.md
 * part 15, beside what would remove the wait from the partition.
 *
 * The membership is a NATS KV bucket with one key per replica, renewed every third of its TTL and
 * watched by all. The handshake keeps the sum of shares within the limit at every instant:
 * - A replica lowers its share the moment it sees a newcomer, and writes the replicas it counts
 *   (its acknowledgement), `settled` when its windows already hold no more than the new share.
 * - A newcomer sends nothing until every replica counting has acknowledged it, settled (at once
 *   when the others were not busy) or a window ago (the sends an old share allowed are out of
 *   Telegram's window by then). A replica that starts alone sends at once.
 * - A replica that leaves (a graceful stop writes `left`) or dies (its record runs out) counts
 *   for a window more, and only then do the others raise their shares.
 * A replica whose own record ran out (NATS unreachable past its TTL) stops sending until it is
 * acknowledged again: the others stopped counting it.
 *
 * Records compare wall clocks of different processes only through `until`: the TTL (seconds)
 * must dwarf their skew (NTP keeps it to milliseconds).
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV, type KvEntry, type KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection, QueuedIterator } from '@nats-io/nats-core';
import type { Logger, Metrics } from '@nova/platform';
import { DEFAULT_RATE_LIMITS, InFlightWindow, type SendGate } from '@nova/telegram';

export const REPLY_SENDERS_BUCKET = 'nova_bot_reply_senders';

export interface ReplyBudgetOptions {
  /** This process's name among the replicas (unique: the pod name and a random part; a KV key). */
  readonly holder: string;
  /** Telegram's messages per window for one bot. Default 30. */
  readonly perBotLimit?: number;
  /** Telegram's per-bot window. Default 1 s. */
  readonly windowMs?: number;
  /**
   * How long a replica's record lasts unrenewed (renewed every third of it). Default 3 s: a
   * replica that died holds a newcomer back until its record ran out and a window more, and one
   * cut off from NATS this long stops sending until it is acknowledged again.
   */
  readonly ttlMs?: number;
  readonly logger?: Logger;
  /** Where nova_reply_budget_senders and nova_reply_budget_share go (the service's registry). */
  readonly metrics?: Metrics;
}

interface SenderRecord {
  /** Until when (the writer's clock) it counts unrenewed. */
  readonly until: number;
  /** How many senders (itself included) it paces its share for. */
  readonly pacingFor: number;
  /** The other replicas it counts (its acknowledgement of each). */
  readonly sees: readonly string[];
  /** When written, each of its bots' windows held no more than its share. */
  readonly settled: boolean;
  /** Written by a graceful stop: it sends no more. */
  readonly left?: true;
}

interface Peer {
  readonly record: SenderRecord;
  /** When this process first saw the peer's acknowledgement as it stands (pacing for as many, seeing it; this process's clock). */
  readonly ackedAt: number;
  /** When this process saw it leave (a `left` record or a delete), if it did. */
  readonly leftSeenAt: number | undefined;
}

/** Idle bots' windows are forgotten once empty; checked every this many new ones. */
const WINDOW_SWEEP_EVERY = 256;

export interface ReplySendersBucketOptions {
  /** NOVA_NATS_REPLICAS: counts only when this call creates the bucket. */
  readonly replicas?: number;
  /** The bucket's name (tests use their own). Default REPLY_SENDERS_BUCKET. */
  readonly name?: string;
}

/** Records of replicas that died are dropped after this long (a live one rewrites its own every third of its TTL). */
const RECORD_MAX_AGE_MS = 10 * 60_000;

export async function openReplySendersBucket(nc: NatsConnection, options: ReplySendersBucketOptions = {}): Promise<KV> {
  return new Kvm(jetstream(nc)).create(options.name ?? REPLY_SENDERS_BUCKET, { history: 1, replicas: options.replicas ?? 1, ttl: RECORD_MAX_AGE_MS, description: 'Nova bot service: the replicas sharing each bot\'s Telegram budget for replies' });
}

function parseRecord(entry: KvEntry): SenderRecord | undefined {
  if (entry.operation !== 'PUT') return undefined;
  try {
    const value = JSON.parse(entry.string()) as Partial<SenderRecord> | null;
    if (typeof value?.until !== 'number' || typeof value.pacingFor !== 'number' || !(value.pacingFor >= 1)) return undefined;
    if (!Array.isArray(value.sees) || !value.sees.every((holder) => typeof holder === 'string') || typeof value.settled !== 'boolean') return undefined;
    const record = { until: value.until, pacingFor: value.pacingFor, sees: value.sees, settled: value.settled };
    return value.left === true ? { ...record, left: true } : record;
  } catch {
    return undefined;
  }
}

/** The budget was closed (the process stops): the message was not sent. */
export class ReplyBudgetClosedError extends Error {
  override readonly name = 'ReplyBudgetClosedError';
  constructor(readonly botId: string) {
    super(`bot ${botId}: the reply budget is closed (the process stops); not sent`);
  }
}

export class ReplyBudget {
  private readonly peers = new Map<string, Peer>();
  private readonly windows = new Map<string, InFlightWindow>();
  private readonly perBotLimit: number;
  private readonly windowMs: number;
  private readonly ttlMs: number;
  private readonly spacingMs: number;
  /** How many senders this process paces for (itself included). */
  private pacingFor = 1;
  /** The other replicas counted, as a key (sorted, joined): a change is acknowledged by a write. */
  private counted = '';
  /** This process's last record said `settled: false`: it writes again once its windows fit. */
  private unsettled = false;
  /** Until when this process's own record counts (this process's clock), as last written. */
  private ownUntil = 0;
  /**
   * This process's latest record came back on the current watch as an update: every record
   * written before it was seen, and whoever writes after it and is new waits for this process.
   */
  private ownRecordSeen = false;
  /** Acknowledged by every replica counting (settled, or a window ago): this process may send. */
  private admitted = false;
  private watch: QueuedIterator<KvWatchEntry> | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private readyWaiters: (() => void)[] = [];
  private writes: Promise<unknown> = Promise.resolve();
  private windowsCreated = 0;
  private closed = false;
  private readonly gauges: { readonly senders: ReturnType<Metrics['gauge']>; readonly share: ReturnType<Metrics['gauge']> } | undefined;

  constructor(
    private readonly kv: KV,
    private readonly options: ReplyBudgetOptions,
  ) {
    this.perBotLimit = options.perBotLimit ?? DEFAULT_RATE_LIMITS.perBot.limit;
    this.windowMs = options.windowMs ?? DEFAULT_RATE_LIMITS.perBot.windowMs;
    this.ttlMs = options.ttlMs ?? 3_000;
    // The bot's spread, not the share's: the spread keeps a burst from queueing at Telegram, and
    // spacing a replica's sends by the window over its share would hold each message back by up to
    // twice that gap while the replica sends well under its share.
    this.spacingMs = this.windowMs / this.perBotLimit;
    this.gauges = options.metrics === undefined ? undefined : {
      senders: options.metrics.gauge('nova_reply_budget_senders', 'Replicas sharing each bot\'s Telegram budget for replies, as this process counts them (itself included)', []),
      share: options.metrics.gauge('nova_reply_budget_share', 'Messages per window this process may send for one bot now; 0 while it waits for the others\' acknowledgement', []),
    };
  }

  /** Joins the replicas: watches the others and writes this process's record. Sends wait until it is acknowledged. */
  async start(): Promise<void> {
    await this.follow();
    await this.writeOwn();
    this.scheduleRenewal();
  }

  /** The bot's gate, for TelegramClients' `gateFor`. */
  gate(botId: string): SendGate {
    return { enter: (signal) => this.enter(botId, signal) };
  }

  /** Messages per window this process may send for one bot now. */
  share(): number {
    return Math.max(1, Math.floor(this.perBotLimit / this.pacingFor));
  }

  /** How many senders share each bot's budget now, as this process counts them (itself included). */
  senders(): number {
    return this.pacingFor;
  }

  /** Whether this process may send now: it was acknowledged by every replica counting, and its record has not run out. */
  isReady(now = Date.now()): boolean {
    return !this.closed && this.admitted && this.ownRecordSeen && now < this.ownUntil;
  }

  /** Leaves: the others raise their shares a window after they see it. Call after the clients went idle. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.renewTimer);
    clearTimeout(this.recheckTimer);
    clearTimeout(this.settleTimer);
    this.watch?.stop();
    const record: SenderRecord = { until: Date.now(), pacingFor: this.pacingFor, sees: [], settled: true, left: true };
    await this.serialized(() => this.kv.put(this.options.holder, JSON.stringify(record))).catch(() => undefined);
    for (const wake of this.readyWaiters.splice(0)) wake();
  }

  private async enter(botId: string, signal: AbortSignal | undefined): Promise<() => void> {
    while (!this.isReady()) {
      if (this.closed) throw new ReplyBudgetClosedError(botId);
      await this.readyOrAborted(signal);
    }
    return this.windowOf(botId).acquire(signal);
  }

  private readyOrAborted(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      // A waiter that gives up leaves the list: a long wait for acknowledgements must not collect them.
      const onAbort = (): void => {
        this.readyWaiters = this.readyWaiters.filter((waiter) => waiter !== wake);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.readyWaiters.push(wake);
    });
  }

  private windowOf(botId: string): InFlightWindow {
    let window = this.windows.get(botId);
    if (window === undefined) {
      if (++this.windowsCreated % WINDOW_SWEEP_EVERY === 0) this.sweepWindows();
      const share = this.share();
      window = new InFlightWindow(share, this.windowMs, Date.now, undefined, this.spacingMs);
      this.windows.set(botId, window);
    }
    return window;
  }

  private sweepWindows(): void {
    const now = Date.now();
    for (const [botId, window] of this.windows) if (window.isEmpty(now)) this.windows.delete(botId);
  }

  /** A method, not the field: a stop may come while a watch restart waits. */
  private isClosed(): boolean {
    return this.closed;
  }

  private countsUntil(peer: Peer): number {
    return (peer.leftSeenAt ?? peer.record.until) + this.windowMs;
  }

  /**
   * Watches every record (last values first, then changes), and again when the watch ends. Until
   * this process's next record comes back on it, the watch may not have shown every replica:
   * nothing is sent meanwhile.
   */
  private async follow(): Promise<void> {
    this.ownRecordSeen = false;
    this.admitted = false;
    const watch = await this.kv.watch();
    this.watch = watch;
    void (async () => {
      try {
        for await (const entry of watch) this.apply(entry);
      } catch (error) {
        this.options.logger?.error({ err: error }, 'reply budget: the watch of the senders failed');
      }
      if (this.closed) return;
      // Sending goes on meanwhile: a newcomer waits for this process's acknowledgement, a departure
      // only raises the share later, and this process's own record is still renewed.
      this.options.logger?.warn('reply budget: the watch of the senders ended; watching again');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (this.isClosed()) return;
      try {
        await this.follow();
        await this.writeOwn();
      } catch (error) {
        this.options.logger?.error({ err: error }, 'reply budget: could not watch the senders again');
      }
    })();
  }

  private apply(entry: KvWatchEntry): void {
    const now = Date.now();
    if (entry.key === this.options.holder) {
      // A last value from before this watch is not this process's latest write; its next write comes as an update.
      if (entry.isUpdate) this.ownRecordSeen = true;
      this.reconsider(now);
      return;
    }
    const record = parseRecord(entry);
    const known = this.peers.get(entry.key);
    if (record === undefined && entry.operation === 'PUT') {
      this.options.logger?.warn({ key: entry.key, revision: entry.revision }, 'reply budget: ignoring a sender record that does not parse');
      return;
    }
    if (record === undefined || record.left === true) {
      // Left (or deleted): it counts a window more, until its last sends are out of Telegram's window.
      if (known !== undefined && known.leftSeenAt === undefined) this.peers.set(entry.key, { ...known, leftSeenAt: now });
      else if (known === undefined && record !== undefined) this.peers.set(entry.key, { record, ackedAt: now, leftSeenAt: Math.min(now, record.until) });
    } else {
      // A last value (the watch (re)started) is acknowledged from now: it may have changed and back while this process did not watch.
      const unchanged = entry.isUpdate && known !== undefined && known.leftSeenAt === undefined && known.record.pacingFor === record.pacingFor
        && known.record.sees.includes(this.options.holder) === record.sees.includes(this.options.holder);
      this.peers.set(entry.key, { record, ackedAt: unchanged ? known.ackedAt : now, leftSeenAt: undefined });
    }
    this.reconsider(now);
  }

  /**
   * Paces for the senders counting now: lowers the windows at once (or raises them, a departure
   * having counted out), acknowledges by writing the new count, wakes sends that may go, and comes
   * back when a peer stops counting or this process's wait for acknowledgements ends.
   */
  private reconsider(now: number): void {
    if (this.closed) return;
    for (const [holder, peer] of this.peers) if (now >= this.countsUntil(peer)) this.peers.delete(holder);
    const counting = 1 + this.peers.size;
    const counted = [...this.peers.keys()].sort().join(' ');
    if (counting !== this.pacingFor) {
      const before = this.pacingFor;
      this.pacingFor = counting;
      const share = this.share();
      for (const window of this.windows.values()) window.resize(share);
      this.options.logger?.info({ holder: this.options.holder, senders: counting, before, share }, 'reply budget: each bot\'s replies shared by a new number of senders');
    }
    if (counted !== this.counted) {
      this.counted = counted;
      void this.writeOwn().catch((error: unknown) => { this.options.logger?.warn({ err: error }, 'reply budget: could not write this sender\'s record; retried at the next renewal'); });
    }
    this.reconsiderAdmission(now);
    const ready = this.isReady(now);
    if (ready) for (const wake of this.readyWaiters.splice(0)) wake();
    this.gauges?.senders.set(this.pacingFor);
    this.gauges?.share.set(ready ? this.share() : 0);
    this.scheduleRecheck(now);
  }

  /**
   * Admitted once every replica counting acknowledged this process (it counts it, pacing for at
   * least as many senders as this process) and was settled then or acknowledged a window ago.
   */
  private reconsiderAdmission(now: number): void {
    if (!this.ownRecordSeen || now >= this.ownUntil) {
      this.admitted = false;
      return;
    }
    if (this.admitted) return;
    for (const peer of this.peers.values()) {
      if (now < this.countsUntil(peer) && !this.acknowledgedBy(peer, now)) return;
    }
    this.admitted = true;
    this.options.logger?.info({ holder: this.options.holder, senders: this.pacingFor, share: this.share() }, 'reply budget: acknowledged by every sender; replies go out');
  }

  private acknowledgedBy(peer: Peer, now: number): boolean {
    const { record } = peer;
    if (!record.sees.includes(this.options.holder) || record.pacingFor < this.pacingFor) return false;
    return record.settled || now >= peer.ackedAt + this.windowMs;
  }

  /** Whether every bot's window holds no more than the share now (sends out before it was lowered included). */
  private windowsFit(now: number): boolean {
    const share = this.share();
    for (const window of this.windows.values()) if (window.occupied(now) > share) return false;
    return true;
  }

  /** While the last record said unsettled: looks again every tenth of a window, and writes once the windows fit. */
  private scheduleSettling(): void {
    clearTimeout(this.settleTimer);
    if (!this.unsettled || this.closed) return;
    this.settleTimer = setTimeout(() => {
      if (this.windowsFit(Date.now())) void this.writeOwn().catch((error: unknown) => { this.options.logger?.warn({ err: error }, 'reply budget: could not write this sender\'s record; retried at the next renewal'); });
      else this.scheduleSettling();
    }, Math.ceil(this.windowMs / 10));
    this.settleTimer.unref();
  }

  private scheduleRecheck(now: number): void {
    clearTimeout(this.recheckTimer);
    let next = Number.POSITIVE_INFINITY;
    for (const peer of this.peers.values()) {
      next = Math.min(next, this.countsUntil(peer));
      if (now < peer.ackedAt + this.windowMs) next = Math.min(next, peer.ackedAt + this.windowMs);
    }
    if (this.ownUntil > now) next = Math.min(next, this.ownUntil);
    if (!Number.isFinite(next)) return;
    this.recheckTimer = setTimeout(() => { this.reconsider(Date.now()); }, Math.max(0, next - now) + 1);
    this.recheckTimer.unref();
  }

  private scheduleRenewal(): void {
    clearTimeout(this.renewTimer);
    this.renewTimer = setTimeout(() => {
      void this.writeOwn()
        .catch((error: unknown) => { this.options.logger?.warn({ err: error }, 'reply budget: could not renew this sender\'s record'); })
        .finally(() => { if (!this.closed) this.scheduleRenewal(); });
    }, Math.floor(this.ttlMs / 3));
    this.renewTimer.unref();
  }

  private async writeOwn(): Promise<void> {
    await this.serialized(async () => {
      if (this.closed) return;
      const now = Date.now();
      // Run out meanwhile (NATS unreachable): the others may have stopped counting this process, so it asks again.
      if (this.ownUntil > 0 && now >= this.ownUntil) this.admitted = false;
      const until = now + this.ttlMs;
      const settled = this.windowsFit(now);
      const record: SenderRecord = { until, pacingFor: this.pacingFor, sees: [...this.peers.keys()], settled };
      await this.kv.put(this.options.holder, JSON.stringify(record));
      this.unsettled = !settled;
      this.scheduleSettling();
      // Counts only once written: until then the others may not count this process.
      this.ownUntil = until;
      // The watch may have shown the record before the write's answer came: look again now.
      this.reconsider(Date.now());
    });
  }

  /** One write at a time, in order: a renewal never overtakes an acknowledgement. */
  private serialized<T>(write: () => Promise<T>): Promise<T> {
    const result = this.writes.then(write);
    this.writes = result.catch(() => undefined);
    return result;
  }
}
