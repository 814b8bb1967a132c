/**
 * One sender per bot across the publisher's replicas: the bot's Telegram budget (30 messages a
 * second) is shared by lending the whole of it to one process at a time, through a lease per bot
 * in a NATS KV bucket (compare-and-set on the key's revision).
 *
 * Why a lease and not a shared token bucket: the client's pacing is exact only because one
 * process sees every send's start and answer (InFlightWindow in @nova/telegram); a KV token
 * bucket would cost a compare-and-set round trip per message, contend between replicas on the
 * same key, and still pace by start times, which is what let jitter through before. One bot's
 * whole budget is a few dozen requests a second, which one process sends easily; replicas scale
 * over bots (a broadcast through three bots can use three replicas), not within one.
 *
 * The hand-over keeps the budget whole: a holder gives the lease back only when it has nothing
 * in flight for the bot (idle for `idleReleaseMs`) and writes when; one that dies stops renewing,
 * and its lease ends at its `until`. The next holder starts sending a window (`windowMs`) after
 * that moment, when every message of the previous holder is out of Telegram's window. The lease
 * compares wall clocks of different processes: `ttlMs` must dwarf their skew (NTP keeps it to
 * milliseconds; the TTL is seconds).
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from '@nova/platform';
import { sleep } from '@nova/resilience';
import type { SendGate } from '@nova/telegram';

export const SEND_LEASES_BUCKET = 'nova_publisher_send_leases';

export interface BotSendLeasesOptions {
  /** This process's name among the replicas (unique: the pod name and a random part). */
  readonly holder: string;
  /** How long a lease lasts unrenewed (renewed every third of it). Default 5 s. */
  readonly ttlMs?: number;
  /** Telegram's per-bot window: the next holder waits this long after the last one's end. Default 1 s. */
  readonly windowMs?: number;
  /** Nothing in flight for this long gives the lease back. Default 1 s. */
  readonly idleReleaseMs?: number;
  /** How long a message waits for the lease before it fails (not sent) with SendBudgetUnavailableError. Default 60 s. */
  readonly maxWaitMs?: number;
  /** How often a waiter looks at a lease held by another replica. Default 200 ms. */
  readonly pollMs?: number;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/** The bot's lease could not be had in time: the message was not sent. */
export class SendBudgetUnavailableError extends Error {
  override readonly name = 'SendBudgetUnavailableError';
  constructor(
    readonly botId: string,
    readonly heldBy: string | undefined,
    waitedMs: number,
  ) {
    super(`bot ${botId}: its send budget stayed with ${heldBy ?? 'another replica'} for ${String(waitedMs)} ms; not sent`);
  }
}

interface LeaseRecord {
  readonly holder: string;
  /** Until when (ms since the epoch) the holder may send; a release writes the moment it ended. */
  readonly until: number;
}

interface BotLease {
  readonly botId: string;
  held: boolean;
  revision: number;
  active: number;
  acquiring: Promise<void> | undefined;
  renewTimer: NodeJS.Timeout | undefined;
  idleTimer: NodeJS.Timeout | undefined;
}

/** JetStream's answers to a write whose expected last sequence did not hold (a lost compare-and-set). */
const LOST_COMPARE_AND_SET = new Set([10071, 10164]);

function isLostCompareAndSet(error: unknown): boolean {
  // By shape: the NATS client's errors may come from another realm (jest's VM).
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && LOST_COMPARE_AND_SET.has(code);
}

function parseLease(text: string): LeaseRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<LeaseRecord> | null;
    return typeof value?.holder === 'string' && typeof value.until === 'number' ? { holder: value.holder, until: value.until } : undefined;
  } catch {
    return undefined;
  }
}

/** `replicas` (NOVA_NATS_REPLICAS) counts only when this call creates the bucket. */
export async function openSendLeasesBucket(nc: NatsConnection, replicas = 1): Promise<KV> {
  return new Kvm(jetstream(nc)).create(SEND_LEASES_BUCKET, { history: 1, replicas, description: 'Nova publisher: which replica sends for each bot (its Telegram budget)' });
}

export class BotSendLeases {
  private readonly leases = new Map<string, BotLease>();
  private readonly ttlMs: number;
  private readonly windowMs: number;
  private readonly idleReleaseMs: number;
  private readonly maxWaitMs: number;
  private readonly pollMs: number;
  private readonly now: () => number;
  private closed = false;

  constructor(
    private readonly kv: KV,
    private readonly options: BotSendLeasesOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.windowMs = options.windowMs ?? 1_000;
    this.idleReleaseMs = options.idleReleaseMs ?? 1_000;
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
    this.pollMs = options.pollMs ?? 200;
    this.now = options.now ?? Date.now;
  }

  /** The bot's gate, for TelegramClients' `gateFor`. */
  gate(botId: string): SendGate {
    return { enter: (signal) => this.enter(botId, signal) };
  }

  /** Whether this process holds the bot's lease now. */
  holds(botId: string): boolean {
    return this.leases.get(botId)?.held === true;
  }

  /** Gives back every lease (a graceful stop): other replicas take over a window later, not a TTL later. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.leases.values()].map((lease) => this.release(lease)));
  }

  private async enter(botId: string, signal: AbortSignal | undefined): Promise<() => void> {
    const lease = this.leaseOf(botId);
    // One acquisition per bot, shared by every message waiting for it; each waiter stops waiting
    // when its own signal aborts (the acquisition goes on for the others).
    while (!lease.held) await untilAborted(lease.acquiring ??= this.acquire(lease).finally(() => { lease.acquiring = undefined; }), signal);
    lease.active += 1;
    clearTimeout(lease.idleTimer);
    lease.idleTimer = undefined;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      lease.active -= 1;
      if (lease.active === 0) this.releaseWhenIdle(lease);
    };
  }

  /** Gives the lease back after `idleReleaseMs` unless a message enters meanwhile (enter clears the timer). */
  private releaseWhenIdle(lease: BotLease): void {
    clearTimeout(lease.idleTimer);
    lease.idleTimer = setTimeout(() => { void this.release(lease); }, this.idleReleaseMs);
    lease.idleTimer.unref();
  }

  private leaseOf(botId: string): BotLease {
    let lease = this.leases.get(botId);
    if (lease === undefined) {
      lease = { botId, held: false, revision: 0, active: 0, acquiring: undefined, renewTimer: undefined, idleTimer: undefined };
      this.leases.set(botId, lease);
    }
    return lease;
  }

  private async acquire(lease: BotLease): Promise<void> {
    const started = this.now();
    const key = `bot.${lease.botId}`;
    for (;;) {
      if (this.closed) throw new SendBudgetUnavailableError(lease.botId, undefined, this.now() - started);
      const now = this.now();
      const entry = await this.kv.get(key);
      const current = entry?.operation === 'PUT' ? parseLease(entry.string()) : undefined;
      if (current !== undefined && current.holder !== this.options.holder && current.until > now) {
        if (now - started >= this.maxWaitMs) throw new SendBudgetUnavailableError(lease.botId, current.holder, now - started);
        await sleep(Math.min(this.pollMs, current.until - now + 1));
        continue;
      }
      const record = JSON.stringify({ holder: this.options.holder, until: now + this.ttlMs } satisfies LeaseRecord);
      const revision = await this.write(() => (entry === null ? this.kv.create(key, record) : this.kv.update(key, record, entry.revision)));
      if (revision === undefined) continue; // another replica wrote first: look again
      lease.revision = revision;
      // The previous holder's last messages may still count in Telegram's window until a window after its end.
      const previousEnd = current === undefined || current.holder === this.options.holder ? undefined : current.until;
      if (previousEnd !== undefined && previousEnd + this.windowMs > this.now()) await sleep(previousEnd + this.windowMs - this.now());
      lease.held = true;
      this.scheduleRenewal(lease);
      // Every waiter may have given up meanwhile: then nothing enters, and the lease goes back when idle.
      this.releaseWhenIdle(lease);
      this.options.logger?.debug({ bot: lease.botId, holder: this.options.holder }, 'took the bot\'s send lease');
      return;
    }
  }

  private scheduleRenewal(lease: BotLease): void {
    clearTimeout(lease.renewTimer);
    lease.renewTimer = setTimeout(() => { void this.renew(lease); }, Math.floor(this.ttlMs / 3));
    lease.renewTimer.unref();
  }

  private async renew(lease: BotLease): Promise<void> {
    if (!lease.held) return;
    const record = JSON.stringify({ holder: this.options.holder, until: this.now() + this.ttlMs } satisfies LeaseRecord);
    try {
      const revision = await this.write(() => this.kv.update(`bot.${lease.botId}`, record, lease.revision));
      if (revision === undefined) {
        // Another replica took it (ours ran out while this process stood still): stop sending for the bot.
        lease.held = false;
        this.options.logger?.warn({ bot: lease.botId, holder: this.options.holder }, 'lost the bot\'s send lease; messages wait for it again');
        return;
      }
      lease.revision = revision;
    } catch (error) {
      // NATS unreachable for a moment: try again; the lease lasts a TTL from the last renewal.
      this.options.logger?.warn({ bot: lease.botId, err: error }, 'could not renew the bot\'s send lease');
    }
    if (lease.held) this.scheduleRenewal(lease);
  }

  private async release(lease: BotLease): Promise<void> {
    clearTimeout(lease.idleTimer);
    lease.idleTimer = undefined;
    if (!lease.held || lease.active > 0) return;
    lease.held = false;
    clearTimeout(lease.renewTimer);
    lease.renewTimer = undefined;
    const record = JSON.stringify({ holder: this.options.holder, until: this.now() } satisfies LeaseRecord);
    // Lost or failed: the lease runs out at its TTL instead, which only delays the next holder.
    await this.write(() => this.kv.update(`bot.${lease.botId}`, record, lease.revision)).catch(() => undefined);
  }

  private async write(attempt: () => Promise<number>): Promise<number | undefined> {
    try {
      return await attempt();
    } catch (error) {
      if (isLostCompareAndSet(error)) return undefined;
      throw error;
    }
  }
}

/** `work`, or the signal's reason as soon as it aborts (the work goes on for whoever else waits on it). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => { reject(signal.reason as Error); };
    signal.addEventListener('abort', onAbort, { once: true });
    work.finally(() => { signal.removeEventListener('abort', onAbort); }).then(resolve, reject);
  });
}
