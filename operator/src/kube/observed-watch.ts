/**
 * client-node's Watch with three additions the informer needs: bookmarks are requested (so a
 * quiet but healthy watch still shows signs of life), every line that arrives is reported as
 * activity, and the current connection can be recycled: aborted and reported to ListWatch as an
 * ordinary server-side close, which makes it reconnect from its last resourceVersion with its
 * own backoff instead of giving up as it does on errors.
 * ListWatch always watches from its list's (or last event's) resourceVersion, which the apiserver
 * serves at once; a watch without one may wait for the cache and end in an ERROR (DEVELOPERS.md).
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';

export interface WatchHooks {
  /** A watch request is about to be made: ListWatch has finished listing (or resumes from a resourceVersion). */
  onWatchStart(): void;
  /** The apiserver answered 200: the watch is established. */
  onConnected(): void;
  /** Any line arrived: an object event, a BOOKMARK or an in-stream ERROR. */
  onActivity(): void;
  /**
   * ListWatch does not re-check its stopped flag between list and watch, so a stop during a
   * list would still open a watch; asking here closes that gap.
   */
  isStopped(): boolean;
}

type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;
type DoneCallback = (err: unknown) => void;

interface Connection {
  readonly id: number;
  controller?: AbortController;
  finished: boolean;
  /** Set when we aborted it on purpose: its end is reported as a clean close. */
  recycled: boolean;
}

export class ObservedWatch extends Watch {
  private nextId = 0;
  private current: Connection | undefined;

  constructor(
    config: KubeConfig,
    private readonly hooks: WatchHooks,
  ) {
    super(config);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: WatchCallback,
    done: DoneCallback,
  ): Promise<AbortController> {
    if (this.hooks.isStopped()) {
      const aborted = new AbortController();
      aborted.abort();
      queueMicrotask(() => { done(null); });
      return aborted;
    }
    const connection: Connection = { id: this.nextId++, finished: false, recycled: false };
    this.current = connection;
    this.hooks.onWatchStart();
    const controller = await super.watch(
      path,
      { ...queryParams, allowWatchBookmarks: true },
      (phase, apiObj, watchObj) => {
        this.hooks.onActivity();
        callback(phase, apiObj, watchObj);
      },
      (err: unknown) => {
        connection.finished = true;
        // Only an abort of ours is a clean close; a connect that failed on its own stays an error.
        done(connection.recycled && connection.controller !== undefined ? null : err);
      },
    );
    if (!connection.finished) {
      connection.controller = controller;
      this.hooks.onConnected();
      // recycle() was asked for while the request was still connecting, or the informer stopped
      // then: ListWatch's stop() aborts only a request it already holds, and it holds this one
      // only once we return, so a watch that connected after the stop would live on until the
      // apiserver ends it (minutes), holding its connection and the process open.
      if (connection.recycled || this.hooks.isStopped()) controller.abort();
    }
    return controller;
  }

  /**
   * Ends the current connection so that ListWatch reconnects. While a request is still
   * connecting it is aborted as soon as it is established (client-node's own request timeout
   * bounds the connect itself). Returns false when there is no live connection to recycle.
   */
  recycle(): boolean {
    const connection = this.current;
    if (connection === undefined || connection.finished) return false;
    connection.recycled = true;
    connection.controller?.abort();
    return true;
  }
}
