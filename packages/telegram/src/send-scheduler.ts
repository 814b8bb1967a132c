/**
 * Paces one bot's messages to Telegram's limits without letting one chat hold up another.
 *
 * Every chat has a lane: a FIFO of its messages, run one at a time (so a chat's messages keep
 * their order, Decided 3), each waiting for the chat's token bucket (and the group window for
 * groups) and then for a slot of the bot-wide window. A lane reserves a bot-wide slot only when
 * its own head is due, so a flood to one chat holds at most one bot-wide slot at a time and
 * the other chats' messages go out between its messages.
 */
import { sleep } from '@nova/resilience';
import { TelegramClientClosedError, TelegramQueueFullError } from './errors.js';
import { SlidingWindow, TokenBucket } from './limits.js';
import type { SendTarget } from './methods.js';
import type { RateLimitSettings } from './settings.js';

/**
 * Waits for the message's limits again before a retry: a message Telegram refused did not count
 * there, and counts when it is sent again.
 */
export type Pace = () => Promise<void>;

interface Job {
  readonly method: string;
  readonly task: (pace: Pace) => Promise<unknown>;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

interface Lane {
  readonly key: string;
  readonly bucket: TokenBucket;
  readonly groupWindow: SlidingWindow | undefined;
  readonly queue: Job[];
  busy: boolean;
}

/** Idle lanes are forgotten once their limits have fully recovered; checked every this many new lanes. */
const LANE_SWEEP_EVERY = 256;

export class SendScheduler {
  private readonly lanes = new Map<string, Lane>();
  private readonly botWindow: SlidingWindow;
  private pending = 0;
  private lanesCreated = 0;
  private closed = false;
  /** Aborted by close(): cuts short the waits of messages that have not gone out yet. */
  private readonly closing = new AbortController();
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly botId: string,
    private readonly limits: RateLimitSettings,
    private readonly now: () => number = Date.now,
    /** How waits happen: real timers, or a test's virtual clock (pacing checked without wall-clock time). */
    private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void> = sleep,
  ) {
    this.botWindow = new SlidingWindow(limits.perBot.limit, limits.perBot.windowMs);
  }

  /** Messages queued or being sent. */
  get size(): number {
    return this.pending;
  }

  /**
   * Runs `task` when `target`'s limits allow, in order with the chat's other messages. Throws
   * TelegramQueueFullError at once when the chat's or the bot's queue is full.
   */
  run<T>(method: string, target: SendTarget, task: (pace: Pace) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.closed) return Promise.reject(new TelegramClientClosedError(method, this.botId));
    if (this.pending >= this.limits.maxQueued) {
      return Promise.reject(new TelegramQueueFullError(method, this.botId, 'bot', this.limits.maxQueued));
    }
    if (target.chatKey === undefined) return this.track(this.paceBot(signal).then(() => task(() => this.paceBot(signal))));
    const lane = this.laneFor(target.chatKey, target.group);
    if (lane.queue.length >= this.limits.maxQueuedPerChat) {
      return Promise.reject(new TelegramQueueFullError(method, this.botId, `chat ${target.chatKey}`, this.limits.maxQueuedPerChat));
    }
    return this.track(
      new Promise<T>((resolve, reject) => {
        const job: Job = { method, task, signal, resolve: resolve as (value: unknown) => void, reject };
        lane.queue.push(job);
        signal?.addEventListener('abort', () => { this.dropQueued(lane, job, signal.reason); }, { once: true });
        void this.pump(lane);
      }),
    );
  }

  /** Resolves when nothing is queued or being sent. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Refuses new messages and fails every one that has not gone out yet with TelegramClientClosedError. */
  close(): void {
    this.closed = true;
    this.closing.abort();
    for (const lane of this.lanes.values()) {
      for (const job of lane.queue.splice(0)) job.reject(new TelegramClientClosedError(job.method, this.botId));
    }
  }

  private async pump(lane: Lane): Promise<void> {
    if (lane.busy) return;
    const job = lane.queue.shift();
    if (job === undefined) return;
    lane.busy = true;
    let sentAt: number | undefined;
    try {
      const waiting = job.signal === undefined ? this.closing.signal : AbortSignal.any([job.signal, this.closing.signal]);
      await this.paceLane(lane, waiting);
      sentAt = this.now();
      job.resolve(await job.task(() => this.paceLane(lane, job.signal)));
    } catch (error) {
      job.reject(this.closed && sentAt === undefined ? new TelegramClientClosedError(job.method, this.botId) : error);
    } finally {
      // Failed or not, the message may have reached Telegram as late as now: the chat's next one is paced from here.
      if (sentAt !== undefined) lane.bucket.hold(this.now() - sentAt);
      lane.busy = false;
      void this.pump(lane);
    }
  }

  private async paceLane(lane: Lane, signal: AbortSignal | undefined): Promise<void> {
    await this.wait(lane.bucket.reserve(this.now()), signal);
    if (lane.groupWindow !== undefined) await this.wait(lane.groupWindow.reserve(this.now()), signal);
    await this.paceBot(signal);
  }

  private paceBot(signal: AbortSignal | undefined): Promise<void> {
    return this.wait(this.botWindow.reserve(this.now()), signal);
  }

  private dropQueued(lane: Lane, job: Job, reason: unknown): void {
    const index = lane.queue.indexOf(job);
    if (index < 0) return; // already started: the running sleep or request sees the abort
    lane.queue.splice(index, 1);
    job.reject(reason);
  }

  private laneFor(key: string, group: boolean): Lane {
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      if (++this.lanesCreated % LANE_SWEEP_EVERY === 0) this.sweepIdleLanes();
      const now = this.now();
      lane = {
        key,
        bucket: new TokenBucket(this.limits.perChat.burst, this.limits.perChat.intervalMs, now),
        groupWindow: group ? new SlidingWindow(this.limits.perGroup.limit, this.limits.perGroup.windowMs) : undefined,
        queue: [],
        busy: false,
      };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  /** Forgets lanes that are idle and whose limits are back to full, so a lane per chat ever seen does not pile up. */
  private sweepIdleLanes(): void {
    const now = this.now();
    for (const [key, lane] of this.lanes) {
      if (!lane.busy && lane.queue.length === 0 && lane.bucket.isFull(now) && (lane.groupWindow?.isEmpty(now) ?? true)) this.lanes.delete(key);
    }
  }

  private async track<T>(work: Promise<T>): Promise<T> {
    this.pending++;
    try {
      return await work;
    } finally {
      this.pending--;
      if (this.pending === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
