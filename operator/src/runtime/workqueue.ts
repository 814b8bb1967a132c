/**
 * A work queue with client-go's guarantees, which the reconciler relies on:
 * - a key added while it waits in the queue is queued once;
 * - a key is never handed to two workers at once: added while being processed, it is queued
 *   again only when its worker calls `done`;
 * - failed keys come back after a per-key exponential backoff (`addRateLimited`), reset by `forget`;
 * - `addAfter` delays a key, keeping only its earliest due time;
 * - `shutDown` stops intake and resolves once the queue is drained: every key handed out is done
 *   (and, unless dropped, every waiting key was handed out and done).
 */
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { ExponentialRateLimiter, type RateLimiter } from './rate-limiter.js';

export interface WorkQueueOptions {
  readonly clock?: Clock;
  readonly rateLimiter?: RateLimiter;
}

export interface ShutDownOptions {
  /**
   * Drop keys still waiting instead of handing them out. A replica that lost leadership must
   * not start new work; a graceful stop may finish the backlog.
   */
  readonly dropQueued?: boolean;
}

interface Delayed {
  readonly at: number;
  readonly timer: TimerHandle;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  /** Keys that need processing: waiting in `queue`, or re-added while processing. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, Delayed>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private shuttingDown = false;
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter;

  constructor(options: WorkQueueOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.rateLimiter = options.rateLimiter ?? new ExponentialRateLimiter();
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.enqueue(key);
  }

  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing !== undefined) {
      if (existing.at <= at) return;
      existing.timer.cancel();
    }
    const timer = this.clock.setTimer(delayMs, () => {
      this.delayed.delete(key);
      this.add(key);
    });
    this.delayed.set(key, { at, timer });
  }

  /** Requeues `key` after its backoff; every call without `forget` doubles the next wait. */
  addRateLimited(key: string): number {
    const delay = this.rateLimiter.when(key);
    this.addAfter(key, delay);
    return delay;
  }

  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /** The next key to process, or undefined once the queue is shut down and has nothing to hand out. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `key` processed; if it was added meanwhile, it goes back into the queue now. */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    if (this.dirty.has(key)) this.enqueue(key);
    if (this.shuttingDown && this.isIdle()) this.notifyIdle();
  }

  get length(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops intake and delayed keys; resolves when nothing is queued or being processed. */
  shutDown(options: ShutDownOptions = {}): Promise<void> {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) timer.cancel();
    this.delayed.clear();
    if (options.dropQueued === true) {
      this.queue.splice(0);
      this.dirty.clear();
    }
    // Waiting workers would otherwise hang forever on an empty, closed queue.
    if (this.queue.length === 0) {
      for (const waiter of this.waiters.splice(0)) waiter(undefined);
    }
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private enqueue(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      waiter(this.take(key));
      return;
    }
    this.queue.push(key);
  }

  private take(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    if (this.shuttingDown && this.queue.length === 0) {
      for (const waiter of this.waiters.splice(0)) waiter(undefined);
    }
    return key;
  }

  private isIdle(): boolean {
    return this.processing.size === 0 && this.queue.length === 0;
  }

  private notifyIdle(): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
