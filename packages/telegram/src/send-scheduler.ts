/**
 * Paces one bot's messages to Telegram's limits without letting one chat hold up another.
 *
 * Every chat has a lane: a FIFO of its messages, run one at a time (so a chat's messages keep
 * their order, Decided 3), each waiting for the chat's token bucket (and the group window for
 * groups), then for the bot's shared budget when other processes send for the same bot (a
 * SendGate), then for a slot of the bot-wide window. A lane asks for a bot-wide slot only when
 * its own head is due, so a flood to one chat holds at most one bot-wide slot at a time and
 * the other chats' messages go out between its messages.
 *
 * Every limit is paced from answers, not starts: Telegram counts a message when it arrives,
 * somewhere between our send and its answer (InFlightWindow says why that makes 429s
 * impossible from one process, however late the answers come).
 *
 * The time a message waits for its limits is written into the asker's WaitLedger (captured when
 * it asked): a handler's duration is measured without Telegram's pacing (outside-waits.ts in
 * @nova/resilience says why).
 */
import { currentWaitLedger, sleep, type WaitLedger } from '@nova/resilience';
import { TelegramClientClosedError, TelegramQueueFullError, TelegramSendNotStartedError } from './errors.js';
import { InFlightWindow, TokenBucket, type ReleaseSlot } from './limits.js';
import type { SendTarget } from './methods.js';
import type { SendGate } from './send-gate.js';
import type { RateLimitSettings } from './settings.js';

/**
 * Waits for the message's limits again before a retry: a message Telegram refused did not count
 * there, and counts when it is sent again.
 */
export type Pace = () => Promise<void>;

/**
 * Called by a task the moment Telegram's answer starts to arrive (its status line and headers):
 * the message reached Telegram before that, so its limits count it from then, not from when the
 * body was read and decoded a few event-loop turns later (which on a loaded machine is what
 * costs the rate: each slot comes back that much later).
 */
export type Answered = () => void;

/** A message's work: its attempts, pacing again before a retry, marking each answer as it arrives. */
export type SendTask<T> = (pace: Pace, answered: Answered) => Promise<T>;

interface Job {
  readonly method: string;
  readonly task: SendTask<unknown>;
  readonly signal: AbortSignal | undefined;
  /** Gives the job up while it waits for its first turn (TelegramSendNotStartedError), never later. */
  readonly startBy: AbortSignal | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** The asker's ledger, for the waits before a retry. */
  readonly ledger: WaitLedger | undefined;
  /** Ends the wait for the first turn (idempotent): when the message starts, or when it fails before that. */
  readonly turnCame: () => void;
}

/** What a message holds while it is in flight, given back at its answer. */
interface Held {
  readonly bot: ReleaseSlot;
  readonly group: ReleaseSlot | undefined;
  /** The bot's shared budget (a SendGate), when there is one. */
  readonly leave: (() => void) | undefined;
  /** When the chat's token was due: the bucket counts the message from its answer instead. */
  readonly tokenAt: number | undefined;
}

interface Lane {
  readonly key: string;
  readonly bucket: TokenBucket;
  readonly groupWindow: InFlightWindow | undefined;
  readonly queue: Job[];
  busy: boolean;
}

/** Idle lanes are forgotten once their limits have fully recovered; checked every this many new lanes. */
const LANE_SWEEP_EVERY = 256;

export class SendScheduler {
  private readonly lanes = new Map<string, Lane>();
  private readonly botWindow: InFlightWindow;
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
    /** The bot's budget shared with other processes; default: this process is the bot's only sender. */
    private readonly gate?: SendGate,
  ) {
    // Spread over the window: a burst would queue at Telegram and hold its slots for the burst's time.
    this.botWindow = new InFlightWindow(limits.perBot.limit, limits.perBot.windowMs, now, wait, limits.perBot.windowMs / limits.perBot.limit);
  }

  /** Messages queued or being sent. */
  get size(): number {
    return this.pending;
  }

  /**
   * Runs `task` when `target`'s limits allow, in order with the chat's other messages. Throws
   * TelegramQueueFullError at once when the chat's or the bot's queue is full, and
   * TelegramSendNotStartedError when `startBy` ends before the task's first turn came.
   */
  run<T>(method: string, target: SendTarget, task: SendTask<T>, signal?: AbortSignal, startBy?: AbortSignal): Promise<T> {
    if (this.closed) return Promise.reject(new TelegramClientClosedError(method, this.botId));
    if (startBy?.aborted === true) return Promise.reject(new TelegramSendNotStartedError(method, this.botId));
    if (this.pending >= this.limits.maxQueued) {
      return Promise.reject(new TelegramQueueFullError(method, this.botId, 'bot', this.limits.maxQueued));
    }
    if (target.chatKey === undefined) return this.track(this.runInline(method, task, signal, startBy));
    const lane = this.laneFor(target.chatKey, target.group);
    if (lane.queue.length >= this.limits.maxQueuedPerChat) {
      return Promise.reject(new TelegramQueueFullError(method, this.botId, `chat ${target.chatKey}`, this.limits.maxQueuedPerChat));
    }
    // Long-lived signals (a worker's stop) see many messages: each takes its listeners away when done.
    let done = (): void => undefined;
    const ledger = currentWaitLedger();
    const turnCame = ledger?.begin() ?? NOTHING;
    return this.track(
      new Promise<T>((resolve, reject) => {
        const job: Job = { method, task, signal, startBy, resolve: resolve as (value: unknown) => void, reject, ledger, turnCame };
        const onAbort = (): void => { this.dropQueued(lane, job, signal?.reason); };
        const onGiveUp = (): void => { this.dropQueued(lane, job, new TelegramSendNotStartedError(method, this.botId)); };
        done = () => {
          turnCame();
          signal?.removeEventListener('abort', onAbort);
          startBy?.removeEventListener('abort', onGiveUp);
        };
        lane.queue.push(job);
        signal?.addEventListener('abort', onAbort, { once: true });
        startBy?.addEventListener('abort', onGiveUp, { once: true });
        void this.pump(lane);
      }).finally(() => { done(); }),
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
    let held: Held | undefined;
    let started = false;
    try {
      held = await this.paceLane(lane, anyOf(this.closing.signal, job.signal, job.startBy));
      job.turnCame();
      const answered = (): void => {
        const done = held;
        held = undefined;
        this.answered(lane, done);
      };
      started = true;
      job.resolve(await job.task(async () => {
        // A retry: the failed attempt was answered; the message counts again when resent.
        answered();
        held = await waitedFor(job.ledger, () => this.paceLane(lane, job.signal));
      }, answered));
    } catch (error) {
      job.reject(this.closed && held === undefined ? new TelegramClientClosedError(job.method, this.botId) : !started && gaveUp(job) ? new TelegramSendNotStartedError(job.method, this.botId) : error);
    } finally {
      // Failed or not, the message may have reached Telegram as late as now: its limits count it from here.
      this.answered(lane, held);
      lane.busy = false;
      void this.pump(lane);
    }
  }

  /** A message to no chat (an inline message's edit): only the bot's limit applies. */
  private async runInline<T>(method: string, task: SendTask<T>, signal: AbortSignal | undefined, startBy: AbortSignal | undefined): Promise<T> {
    let held: Held | undefined;
    const ledger = currentWaitLedger();
    try {
      held = await waitedFor(ledger, () => this.paceBot(undefined, anyOf(signal, startBy)));
    } catch (error) {
      throw gaveUp({ signal, startBy }) ? new TelegramSendNotStartedError(method, this.botId) : error;
    }
    const answered = (): void => {
      const done = held;
      held = undefined;
      this.answered(undefined, done);
    };
    try {
      return await task(async () => {
        answered();
        held = await waitedFor(ledger, () => this.paceBot(undefined, signal));
      }, answered);
    } finally {
      this.answered(undefined, held);
    }
  }

  /** Waits for the chat's token, the group's slot, then the bot's; answers what to give back at the answer. */
  private async paceLane(lane: Lane, signal: AbortSignal | undefined): Promise<Held> {
    const tokenAt = this.now() + lane.bucket.reserve(this.now());
    // Re-checked after each wait: a timer may fire a millisecond early by the wall clock.
    for (let now = this.now(); now < tokenAt; now = this.now()) await this.wait(tokenAt - now, signal);
    const group = lane.groupWindow === undefined ? undefined : await lane.groupWindow.acquire(signal);
    try {
      return { ...(await this.paceBot(group, signal)), tokenAt };
    } catch (error) {
      group?.();
      throw error;
    }
  }

  private async paceBot(group: ReleaseSlot | undefined, signal: AbortSignal | undefined): Promise<Held> {
    const leave = this.gate === undefined ? undefined : await this.gate.enter(signal);
    try {
      return { group, bot: await this.botWindow.acquire(signal), leave, tokenAt: undefined };
    } catch (error) {
      leave?.();
      throw error;
    }
  }

  /** The send was answered (or failed): the chat's bucket, the group's and the bot's windows count it from now. */
  private answered(lane: Lane | undefined, held: Held | undefined): void {
    if (held === undefined) return;
    if (lane !== undefined && held.tokenAt !== undefined) lane.bucket.hold(this.now() - held.tokenAt);
    held.bot();
    held.group?.();
    held.leave?.();
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
        groupWindow: group ? new InFlightWindow(this.limits.perGroup.limit, this.limits.perGroup.windowMs, this.now, this.wait) : undefined,
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

const NOTHING = (): void => undefined;

/** Runs `pacing` as a wait in `ledger` (when there is one). */
async function waitedFor<T>(ledger: WaitLedger | undefined, pacing: () => Promise<T>): Promise<T> {
  const end = ledger?.begin();
  try {
    return await pacing();
  } finally {
    end?.();
  }
}

/** The signals given, as one (undefined when none). */
function anyOf(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  return given.length <= 1 ? given[0] : AbortSignal.any(given);
}

/** The job's caller gave it up before its turn (startBy ended), rather than cancelling it (signal). */
function gaveUp(job: Pick<Job, 'signal' | 'startBy'>): boolean {
  return job.startBy?.aborted === true && job.signal?.aborted !== true;
}
