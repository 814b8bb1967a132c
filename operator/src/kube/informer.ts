/**
 * An informer that keeps itself alive. client-node's ListWatch (what `makeInformer` builds)
 * reconnects on its own only after a server-side close, a client timeout or a 410; any other
 * error (apiserver down, 403, 404 while a CRD is missing, a failed list) is reported once and the
 * informer STOPS. This wrapper restarts it with exponential backoff, resuming from the last
 * resourceVersion (ListWatch relists by itself on 410), and adds a watchdog that recycles the
 * watch when nothing at all arrived within a window, the symptom of a silently dead connection.
 */
import { ListWatch, type KubeConfig, type KubernetesObject, type ListPromise } from '@kubernetes/client-node';
import { systemClock, type Clock, type TimerHandle } from '../runtime/clock.js';
import { silentLogger, type Logger } from '../runtime/log.js';
import { backoffDelay } from '../runtime/rate-limiter.js';
import { describeError } from './api-errors.js';
import { ObservedWatch } from './observed-watch.js';

export type ObjectEvent = 'add' | 'update' | 'delete';
/** `previous`: the version this informer delivered before `object` (updates only; undefined on an add or a delete). */
export type ObjectHandler<T> = (object: T, previous?: T) => void;

export interface InformerRestart {
  readonly reason: 'error' | 'watchdog';
  /** Consecutive restarts without a healthy watch in between, from 1. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error?: unknown;
}

export interface InformerOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /** The collection's URL path, e.g. /apis/novabot.io/v1alpha1/namespaces/nova/novamigrations. */
  readonly path: string;
  readonly list: ListPromise<T>;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** For logs and metrics. */
  readonly name?: string;
  /** Restart backoff after errors: base * 2^(attempt-1), capped. Defaults 500 ms, 30 s. */
  readonly restartBaseMs?: number;
  readonly restartMaxMs?: number;
  /** Recycle the watch when nothing arrived for this long. Default 5 min; 0 turns it off. */
  readonly watchdogMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

type State = 'idle' | 'running' | 'backoff' | 'stopped';

export class ResilientInformer<T extends KubernetesObject> {
  readonly name: string;
  private readonly listWatch: ListWatch<T>;
  private readonly watch: ObservedWatch;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly restartBaseMs: number;
  private readonly restartMaxMs: number;
  private readonly watchdogMs: number;
  private state: State = 'idle';
  private synced = false;
  private failures = 0;
  private lastActivity = 0;
  private restartTimer: TimerHandle | undefined;
  private watchdogTimer: TimerHandle | undefined;
  private readonly restartListeners: ((restart: InformerRestart) => void)[] = [];
  private readonly syncWaiters: (() => void)[] = [];
  /**
   * The version of each object handed to handlers last, so an update can say what changed.
   * References to objects the cache held anyway (ListWatch replaces objects, never mutates
   * them), so it costs a map entry per object, not a copy.
   */
  private readonly delivered = new Map<string, T>();
  /** The event being dispatched now: the handlers of one event all see the same previous version. */
  private dispatching: { readonly object: T; readonly previous: T | undefined } | undefined;
  /** Counters for metrics and tests. */
  readonly stats = { restarts: 0, watchdogRecycles: 0, errors: 0, watchRequests: 0 };

  constructor(options: InformerOptions<T>) {
    this.name = options.name ?? options.path;
    this.clock = options.clock ?? systemClock;
    this.logger = (options.logger ?? silentLogger).child({ informer: this.name });
    this.restartBaseMs = options.restartBaseMs ?? 500;
    this.restartMaxMs = options.restartMaxMs ?? 30_000;
    this.watchdogMs = options.watchdogMs ?? 5 * 60_000;
    this.watch = new ObservedWatch(options.kubeConfig, {
      onWatchStart: () => {
        this.stats.watchRequests++;
        this.touch();
        this.markSynced();
      },
      onConnected: () => {
        this.failures = 0;
        this.touch();
      },
      onActivity: () => {
        this.failures = 0;
        this.touch();
      },
      isStopped: () => this.state === 'stopped',
    });
    this.listWatch = new ListWatch(options.path, this.watch, options.list, false, options.labelSelector, options.fieldSelector);
    // Registered before any caller's handler: it runs first for every event and records which
    // version the handlers of this event are to compare against.
    const track = (event: ObjectEvent) => (object: T): void => {
      const key = objectKey(object);
      // A deletion has no "before" to compare with: handlers treat it like a first sight.
      this.dispatching = { object, previous: event === 'delete' ? undefined : this.delivered.get(key) };
      if (event === 'delete') this.delivered.delete(key);
      else this.delivered.set(key, object);
    };
    this.listWatch.on('add', track('add'));
    this.listWatch.on('update', track('update'));
    this.listWatch.on('delete', track('delete'));
    this.listWatch.on('connect', () => { this.touch(); });
    this.listWatch.on('error', (error?: unknown) => { this.onError(error); });
  }

  /** Registers a handler; a throwing handler is logged and does not disturb the informer. */
  on(event: ObjectEvent, handler: ObjectHandler<T>): void {
    this.listWatch.on(event, (object: T) => {
      if (this.state === 'stopped') return;
      const previous = this.dispatching?.object === object ? this.dispatching.previous : undefined;
      try {
        handler(object, previous);
      } catch (error) {
        this.logger.error('informer event handler threw', { event, error: describeError(error) });
      }
    });
  }

  onRestart(listener: (restart: InformerRestart) => void): void {
    this.restartListeners.push(listener);
  }

  /** Starts listing and watching; resolves once the first list is in the cache, or stop() was called. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`informer ${this.name} was already started`);
    this.state = 'running';
    this.touch();
    this.armWatchdog();
    void this.runListWatch();
    await this.waitForSync();
  }

  /** Resolves once the first complete list is in the cache (or the informer is stopped). */
  waitForSync(): Promise<void> {
    if (this.synced || this.state === 'stopped') return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** True while the informer runs (or backs off to run again); false once stopped. */
  isRunning(): boolean {
    return this.state === 'running' || this.state === 'backoff';
  }

  /** From the cache; `namespace` is '' (or omitted) for cluster-scoped objects. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.listWatch.get(name, namespace === '' ? undefined : namespace);
  }

  list(namespace?: string): readonly T[] {
    return this.listWatch.list(namespace);
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.restartTimer?.cancel();
    this.watchdogTimer?.cancel();
    for (const resolve of this.syncWaiters.splice(0)) resolve();
    await this.listWatch.stop();
  }

  private async runListWatch(): Promise<void> {
    try {
      await this.listWatch.start();
    } catch (error) {
      // ListWatch reports most failures through 'error'; this catches what it throws instead.
      this.onError(error);
    }
  }

  private onError(error: unknown): void {
    // ListWatch also reports the abort of its own stop() as an error.
    if (this.state !== 'running') return;
    this.stats.errors++;
    this.scheduleRestart('error', error);
  }

  private scheduleRestart(reason: InformerRestart['reason'], error?: unknown): void {
    this.failures++;
    const delayMs = backoffDelay(this.failures - 1, this.restartBaseMs, this.restartMaxMs);
    const restart: InformerRestart = { reason, attempt: this.failures, delayMs, error };
    this.logger.warn('informer restarting', { reason, attempt: this.failures, delayMs, error: error === undefined ? undefined : describeError(error) });
    for (const listener of this.restartListeners) listener(restart);
    this.state = 'backoff';
    this.restartTimer = this.clock.setTimer(delayMs, () => {
      this.restartTimer = undefined;
      if (this.state !== 'backoff') return;
      this.state = 'running';
      this.stats.restarts++;
      this.touch();
      void this.runListWatch();
    });
  }

  private armWatchdog(): void {
    if (this.watchdogMs <= 0) return;
    const check = (): void => {
      if (this.state === 'stopped') return;
      const silentFor = this.clock.now() - this.lastActivity;
      if (this.state === 'running' && silentFor >= this.watchdogMs && this.watch.recycle()) {
        this.stats.watchdogRecycles++;
        this.logger.warn('informer watchdog: no event in window, recycling the watch', { silentForMs: silentFor });
        // ListWatch reconnects with its own growing delay while the silence lasts.
        for (const listener of this.restartListeners) listener({ reason: 'watchdog', attempt: this.stats.watchdogRecycles, delayMs: 0 });
        this.touch();
      }
      this.watchdogTimer = this.clock.setTimer(Math.max(10, Math.floor(this.watchdogMs / 4)), check);
    };
    this.watchdogTimer = this.clock.setTimer(Math.max(10, Math.floor(this.watchdogMs / 4)), check);
  }

  private touch(): void {
    this.lastActivity = this.clock.now();
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }
}

function objectKey(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}
