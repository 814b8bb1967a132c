/**
 * The platform's numbers over time. No context keeps a history of its counts, so the panel keeps
 * one: at every interval it asks the users, bots and payments contexts for their numbers now
 * (svc.user.stats, svc.bot.stats, svc.payment.stats, over the bus like every other read) and
 * stores their answers in its own table. Time is cut into slots of one interval; a slot holds one
 * sample whoever took it, so any number of replicas, on both sides of the stage-8 canary, sample
 * together without duplicates (the first to insert a slot wins; the others see it and skip).
 */
import type { Bus } from '@nova/bus';
import type { Logger } from '@nova/platform';
import type { AdminDatabase } from './database.js';

/** One provider's revenue in one currency, exact (minor units). */
export interface RevenueFigure {
  readonly provider: string;
  readonly currency: string;
  readonly minorUnits: bigint;
}

/** The numbers at one moment; a context that did not answer leaves its figures undefined. */
export interface StatsSample {
  readonly takenAt: Date;
  readonly totalUsers?: bigint;
  readonly activeLast24h?: bigint;
  readonly activeLast7d?: bigint;
  readonly totalBots?: bigint;
  readonly blockedBots?: bigint;
  readonly activeSubscriptions?: bigint;
  readonly revenue?: readonly RevenueFigure[];
}

export interface StatsHistory {
  /** Whether the slot already has its sample (another replica or side took it). */
  has(slot: bigint): Promise<boolean>;
  /** Stores the slot's sample; false when another one got there first (the slot keeps that one). */
  record(slot: bigint, sample: StatsSample): Promise<boolean>;
  /** The samples since `since`, oldest first, at most `limit` (the newest ones). */
  since(since: Date, limit: number): Promise<StatsSample[]>;
}

/** The slot a moment falls in. */
export function slotOf(at: Date, intervalMs: number): bigint {
  return BigInt(Math.floor(at.getTime() / intervalMs));
}

/** Asks the three contexts at once; one that does not answer (or is not deployed) is left out of the sample. */
export async function takeSample(bus: Pick<Bus, 'request'>, now: Date, timeoutMs: number, logger: Logger): Promise<StatsSample> {
  const options = { timeoutMs };
  const quietly = <T>(what: string, asked: Promise<T>): Promise<T | undefined> => asked.catch((error: unknown) => {
    logger.warn({ err: error, subject: what }, 'a context did not answer for the numbers history');
    return undefined;
  });
  const [users, bots, payments] = await Promise.all([
    quietly('svc.user.stats', bus.request('svc.user.stats', {}, options)),
    quietly('svc.bot.stats', bus.request('svc.bot.stats', {}, options)),
    quietly('svc.payment.stats', bus.request('svc.payment.stats', {}, options)),
  ]);
  return {
    takenAt: now,
    ...(users === undefined ? {} : { totalUsers: users.totalUsers, activeLast24h: users.activeLast24h, activeLast7d: users.activeLast7d }),
    ...(bots === undefined ? {} : { totalBots: bots.totalBots, blockedBots: bots.blockedBots }),
    ...(payments === undefined ? {} : {
      activeSubscriptions: payments.activeSubscriptions,
      revenue: payments.revenue.map((entry) => ({ provider: entry.provider, currency: entry.paid?.currency ?? '', minorUnits: entry.paid?.minorUnits ?? 0n })),
    }),
  };
}

function isRevenue(value: unknown): value is { provider: string; currency: string; minorUnits: string }[] {
  return Array.isArray(value) && value.every((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return false;
    const e = entry as Record<string, unknown>;
    return typeof e.provider === 'string' && typeof e.currency === 'string' && typeof e.minorUnits === 'string' && /^-?\d+$/.test(e.minorUnits);
  });
}

const optional = <K extends string, T>(key: K, value: T | null): { [P in K]?: T } => (value === null ? {} : { [key]: value }) as { [P in K]?: T };

export function databaseStatsHistory(db: AdminDatabase): StatsHistory {
  return {
    async has(slot) {
      return (await db.statsSample.count({ where: { slot } })) > 0;
    },
    async record(slot, sample) {
      const { count } = await db.statsSample.createMany({
        data: [{
          slot,
          takenAt: sample.takenAt,
          totalUsers: sample.totalUsers ?? null,
          activeLast24h: sample.activeLast24h ?? null,
          activeLast7d: sample.activeLast7d ?? null,
          totalBots: sample.totalBots ?? null,
          blockedBots: sample.blockedBots ?? null,
          activeSubscriptions: sample.activeSubscriptions ?? null,
          // JSON holds no bigint: minor units as decimal strings, exact.
          ...(sample.revenue === undefined ? {} : { revenue: sample.revenue.map((entry) => ({ provider: entry.provider, currency: entry.currency, minorUnits: entry.minorUnits.toString() })) }),
        }],
        skipDuplicates: true,
      });
      return count === 1;
    },
    async since(since, limit) {
      const rows = await db.statsSample.findMany({ where: { takenAt: { gte: since } }, orderBy: { takenAt: 'desc' }, take: limit });
      return rows.reverse().map((row) => ({
        takenAt: row.takenAt,
        ...optional('totalUsers', row.totalUsers),
        ...optional('activeLast24h', row.activeLast24h),
        ...optional('activeLast7d', row.activeLast7d),
        ...optional('totalBots', row.totalBots),
        ...optional('blockedBots', row.blockedBots),
        ...optional('activeSubscriptions', row.activeSubscriptions),
        ...(isRevenue(row.revenue) ? { revenue: row.revenue.map((entry) => ({ provider: entry.provider, currency: entry.currency, minorUnits: BigInt(entry.minorUnits) })) } : {}),
      }));
    },
  };
}

export interface StatsSamplerOptions {
  readonly bus: Pick<Bus, 'request'>;
  readonly history: StatsHistory;
  readonly intervalMs: number;
  readonly logger: Logger;
  readonly clock?: () => Date;
  /** How long to wait for each context. Default 5 s. */
  readonly requestTimeoutMs?: number;
}

/**
 * Samples once per slot while running: at start, then at each interval. A tick that fails (the
 * database away) is logged and the next one tries again; stop() waits for a tick in flight.
 */
export class StatsSampler {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: StatsSamplerOptions) {}

  start(): void {
    this.schedule(0);
  }

  /** One sampling: skipped when the slot already has its sample. Returns whether this call stored it. */
  async sampleNow(): Promise<boolean> {
    const { history, bus, intervalMs, logger } = this.options;
    const now = (this.options.clock ?? (() => new Date()))();
    const slot = slotOf(now, intervalMs);
    if (await history.has(slot)) return false;
    const sample = await takeSample(bus, now, this.options.requestTimeoutMs ?? 5_000, logger);
    return history.record(slot, sample);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.sampleNow().then(
        () => undefined,
        (error: unknown) => { this.options.logger.warn({ err: error }, 'could not sample the numbers for their history'); },
      ).finally(() => {
        // The next tick at the start of the next slot, so samples fall one per slot.
        const { intervalMs } = this.options;
        const now = Date.now();
        this.schedule(intervalMs - (now % intervalMs));
      });
    }, delayMs);
    this.timer.unref();
  }
}
