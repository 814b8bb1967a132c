/**
 * The one Kubernetes watch of NovaMigrations a process keeps for every open migrations page
 * (get/list/watch: the panel's Role allows nothing else). The informer pattern by hand: list, then
 * watch from the listing's resourceVersion, moving it forward with every event and bookmark; when
 * the watch ends (the apiserver closes it after timeoutSeconds) it resumes from there; when the
 * apiserver no longer has that version (410 Gone) it lists again, and the table turns the new
 * listing into the changes missed meanwhile. Failures are retried with a capped exponential backoff.
 */
import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '@nova/platform';
import { MigrationTable, type MigrationChange, type MigrationsFeed } from '../domain/index.js';
import { migrationView, type NovaMigrationObject } from './kube-migrations.js';

const API = { group: 'novabot.io', version: 'v1alpha1', plural: 'novamigrations' } as const;
/**
 * The apiserver ends each watch after this long; it is then resumed from the last version seen.
 * Under the client's own 30 s inactivity limit (Watch's), so a quiet but healthy watch ends
 * cleanly rather than as a timeout, and a dead connection is noticed within 30 s.
 */
const WATCH_SECONDS = 25;

/** Waits between attempts after a failure: 1 s, 2 s, 4 s … capped at 30 s. */
export function backoffMs(failures: number, baseMs = 1_000, capMs = 30_000): number {
  if (failures <= 0) return 0;
  return Math.min(capMs, baseMs * 2 ** Math.min(failures - 1, 20));
}

/** How a watch ended, and what comes next. */
export type WatchEnd =
  | { readonly kind: 'relist' } // the version is gone (410): list again
  | { readonly kind: 'resume' } // ended cleanly: watch again from the last version
  | { readonly kind: 'failed'; readonly reason: string }; // retry after a backoff, from the last version

/** A watch event's or a finished watch's meaning (the apiserver says Gone either way: an ERROR event, or HTTP 410). */
export function watchEnd(error: unknown, errorEvent: { readonly code?: unknown; readonly reason?: unknown } | undefined): WatchEnd {
  if (errorEvent !== undefined) {
    if (errorEvent.code === 410 || errorEvent.reason === 'Expired' || errorEvent.reason === 'Gone') return { kind: 'relist' };
    return { kind: 'failed', reason: `watch error event ${String(errorEvent.code)} ${String(errorEvent.reason)}` };
  }
  if (error === null || error === undefined) return { kind: 'resume' };
  const status = (error as { statusCode?: unknown }).statusCode;
  if (status === 410) return { kind: 'relist' };
  return { kind: 'failed', reason: typeof status === 'number' ? `HTTP ${String(status)}` : error instanceof Error ? error.message : 'watch failed' };
}

export class MigrationsWatchError extends Error {
  override readonly name = 'MigrationsWatchError';
  constructor(readonly namespace: string, readonly reason: string) {
    super(`the NovaMigrations watch in ${namespace} failed: ${reason}`);
  }
}

interface KubeEventObject extends NovaMigrationObject {
  readonly metadata?: NovaMigrationObject['metadata'] & { readonly resourceVersion?: string };
  readonly code?: unknown;
  readonly reason?: unknown;
}

export interface KubeMigrationWatchOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly logger: Logger;
}

export class KubeMigrationWatch implements MigrationsFeed {
  private readonly table = new MigrationTable();
  private readonly listeners = new Set<(change: MigrationChange) => void>();
  private readonly api: CustomObjectsApi;
  private readonly watcher: Watch;
  private readonly path: string;
  private running: Promise<void> | undefined;
  private stopped = false;
  private synced = false;
  private current: AbortController | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: KubeMigrationWatchOptions) {
    this.api = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.watcher = new Watch(options.kubeConfig);
    this.path = `/apis/${API.group}/${API.version}/namespaces/${encodeURIComponent(options.namespace)}/${API.plural}`;
  }

  /** Starts the watch with the first page that asks (nobody looking, no watch), then keeps it until stop(). */
  subscribe(listener: (change: MigrationChange) => void): () => void {
    this.listeners.add(listener);
    if (this.synced) for (const row of this.table.snapshot()) listener({ kind: 'row', row });
    if (this.running === undefined && !this.stopped) this.running = this.run();
    return () => { this.listeners.delete(listener); };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.abort();
    this.wake?.();
    await this.running;
  }

  /** A method, not the field: stop() changes it while run() awaits, which narrowing cannot see. */
  private isStopped(): boolean {
    return this.stopped;
  }

  /** Tells every page; one page's failure (it runs inside the watch's event callback) never reaches the others or the watch. */
  private emit(changes: readonly (MigrationChange | undefined)[]): void {
    for (const change of changes) {
      if (change === undefined) continue;
      for (const listener of this.listeners) {
        try {
          listener(change);
        } catch (error) {
          this.options.logger.error({ err: error, namespace: this.options.namespace }, 'a migrations page could not be told of a change');
        }
      }
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    let version: string | undefined;
    while (!this.stopped) {
      try {
        if (version === undefined) {
          version = await this.list();
          failures = 0;
        }
        const started = Date.now();
        const end = await this.watchFrom(version, (next) => { version = next; });
        if (this.isStopped()) break;
        if (end.kind === 'relist') {
          this.options.logger.info({ namespace: this.options.namespace }, 'migrations watch: resourceVersion gone (410), listing again');
          version = undefined;
          continue;
        }
        if (end.kind === 'failed') throw new MigrationsWatchError(this.options.namespace, end.reason);
        // A clean end soon after it began, again and again, would be a busy loop: count it as a failure.
        failures = Date.now() - started < 1_000 ? failures + 1 : 0;
      } catch (error) {
        if (this.isStopped()) break;
        failures++;
        this.options.logger.warn({ err: error, namespace: this.options.namespace, failures, retryInMs: backoffMs(failures) }, 'migrations watch failed; retrying');
      }
      await this.pause(backoffMs(failures));
    }
  }

  private pause(ms: number): Promise<void> {
    if (ms === 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.wake = undefined; resolve(); }, ms);
      this.wake = () => { clearTimeout(timer); this.wake = undefined; resolve(); };
    });
  }

  /** Lists, replaces the table (telling every page what changed meanwhile), and returns the listing's version. */
  private async list(): Promise<string> {
    const answer = (await this.api.listNamespacedCustomObject({ ...API, namespace: this.options.namespace })) as { items?: NovaMigrationObject[]; metadata?: { resourceVersion?: string } };
    const version = answer.metadata?.resourceVersion;
    if (version === undefined || version === '') throw new MigrationsWatchError(this.options.namespace, 'the listing has no resourceVersion');
    this.emit(this.table.replace((answer.items ?? []).map(migrationView)));
    this.synced = true;
    return version;
  }

  private watchFrom(version: string, moved: (version: string) => void): Promise<WatchEnd> {
    return new Promise<WatchEnd>((resolve) => {
      let errorEvent: KubeEventObject | undefined;
      const onEvent = (type: string, object: KubeEventObject): void => {
        if (type === 'ERROR') {
          errorEvent = object;
          this.current?.abort();
          return;
        }
        const next = object.metadata?.resourceVersion;
        if (next !== undefined && next !== '') moved(next);
        if (type === 'ADDED' || type === 'MODIFIED') this.emit([this.table.upsert(migrationView(object))]);
        else if (type === 'DELETED') this.emit([this.table.remove(migrationView(object))]);
        // BOOKMARK: only the version moves.
      };
      const query = { resourceVersion: version, allowWatchBookmarks: true, timeoutSeconds: WATCH_SECONDS };
      this.watcher.watch(this.path, query, onEvent, (error: unknown) => {
        this.current = undefined;
        resolve(watchEnd(errorEvent === undefined ? error : null, errorEvent));
      }).then((controller) => {
        this.current = controller;
        if (this.stopped) controller.abort();
      }, (error: unknown) => { resolve(watchEnd(error, undefined)); });
    });
  }
}
