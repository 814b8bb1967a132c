/**
 * Runs a reconciler over a work queue with N workers: the glue between informer events and the
 * reconcile function. A failed reconcile is requeued with its key's backoff; a successful one
 * resets the backoff and may ask to be looked at again after a delay (a pause step's end).
 */
import { systemClock, type Clock } from './clock.js';
import { silentLogger, type Logger } from './log.js';
import type { OperatorMetrics } from './metrics.js';
import { WorkQueue } from './workqueue.js';

export interface ReconcileResult {
  /** Look at the key again after this long, even if nothing changes. */
  readonly requeueAfterMs?: number;
}

export type Reconcile = (key: string, signal: AbortSignal) => Promise<ReconcileResult | undefined>;

export interface ControllerOptions {
  readonly name: string;
  readonly reconcile: Reconcile;
  readonly workers?: number;
  readonly queue?: WorkQueue;
  readonly metrics?: OperatorMetrics;
  readonly logger?: Logger;
  readonly clock?: Clock;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly abort = new AbortController();
  private readonly logger: Logger;
  private readonly clock: Clock;
  private workers: Promise<void>[] = [];
  private started = false;

  constructor(private readonly options: ControllerOptions) {
    this.name = options.name;
    this.clock = options.clock ?? systemClock;
    this.queue = options.queue ?? new WorkQueue({ clock: this.clock });
    this.logger = (options.logger ?? silentLogger).child({ controller: options.name });
  }

  enqueue(key: string): void {
    this.queue.add(key);
    this.options.metrics?.queueDepth.set({ controller: this.name }, this.queue.length);
  }

  start(): void {
    if (this.started) throw new Error(`controller ${this.name} was already started`);
    this.started = true;
    const count = this.options.workers ?? 2;
    this.workers = Array.from({ length: count }, () => this.work());
  }

  /**
   * Stops taking keys and waits for in-flight reconciles. Queued keys are dropped by default:
   * the next leader lists every object anyway, and handing the lease over quickly matters more.
   * `abortInFlight` also signals running reconciles to stop before their next write.
   */
  async stop(options: { abortInFlight?: boolean; dropQueued?: boolean } = {}): Promise<void> {
    if (options.abortInFlight === true) this.abort.abort();
    await this.queue.shutDown({ dropQueued: options.dropQueued ?? true });
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.options.metrics?.queueDepth.set({ controller: this.name }, this.queue.length);
      const started = this.clock.now();
      let result = 'success';
      try {
        const outcome = await this.options.reconcile(key, this.abort.signal);
        this.queue.forget(key);
        if (outcome?.requeueAfterMs !== undefined) {
          result = 'requeue';
          this.queue.addAfter(key, outcome.requeueAfterMs);
        }
      } catch (error) {
        result = 'error';
        const delay = this.queue.addRateLimited(key);
        const [namespace = '', name = key] = key.includes('/') ? key.split('/', 2) : ['', key];
        this.options.metrics?.reconcileErrors.inc({ controller: this.name, namespace, name });
        this.logger.warn('reconcile failed; requeued with backoff', { key, retryInMs: delay, attempt: this.queue.numRequeues(key), error });
      } finally {
        this.options.metrics?.reconcileDuration.observe({ controller: this.name, result }, (this.clock.now() - started) / 1000);
        this.queue.done(key);
      }
    }
  }
}
