/**
 * Records every write to one object, in order, for tests that must see each state an object went
 * through and not only the last one (e.g. every weight the operator wrote into a route).
 *
 * A bare `new Watch(config).watch(path, {}, ...)` loses writes here, silently, for two reasons:
 * - kube-apiserver >= 1.34 (WatchList on by default) serves a watch WITHOUT resourceVersion as
 *   `sendInitialEvents=true` "not older than etcd's current revision": the watch cache of that
 *   resource must first reach the newest revision of etcd, which any write to any object moves.
 *   It asks etcd for a progress notification to get there, but only when etcd supports it
 *   (>= 3.4.31 / 3.5.13); the test bed's etcd 3.4.23 does not, so a quiet resource's cache
 *   catches up only on that resource's own next write. After 3 s the apiserver answers 200 with a
 *   single ERROR event (504, ResourceVersionTooLarge) and closes the stream.
 * - client-node's Watch aborts a stream after 30 s without data and reports it to `done` only.
 *
 * So the recorder lists the object (a consistent read: its resourceVersion is etcd's current
 * revision, never older than the start of the watch cache, unlike the object's own version), watches
 * from that resourceVersion (an explicit version is served at once and nothing after it is missed),
 * asks for bookmarks, re-opens from the last version seen whenever a stream ends, and fails loudly
 * (every read of the record throws) when it cannot prove the record complete.
 */
import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import { asArray, asObject, dig, type JsonObject } from '../../../operator/src/providers/json.js';

/** A namespaced object under /apis (custom resources, Ingresses). */
export interface ObjectRef {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespace: string;
  readonly name: string;
}

export interface ObservedWrite {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: JsonObject;
  readonly resourceVersion: string;
}

export class WriteRecordingError extends Error {
  override readonly name = 'WriteRecordingError';

  constructor(ref: ObjectRef, problem: string, options?: { cause?: unknown }) {
    super(`recording the writes to ${ref.plural}/${ref.name} in ${ref.namespace}: ${problem}`, options);
  }
}

export interface RecorderOptions {
  /** Runs synchronously for each write, in order. */
  readonly onWrite?: (write: ObservedWrite) => void;
  /** Asks the apiserver to end each stream after this long (its `timeoutSeconds`); by default it picks 30-60 min. */
  readonly streamTimeoutSeconds?: number;
}

function explain(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error);
}

/** This many streams in a row that ended in an error (not a quiet timeout) end the recording. */
const MAX_FAILED_STREAMS = 8;

interface Stream {
  controller?: AbortController;
  ended: boolean;
  /** An ERROR event or the error it ended with; undefined for a clean end. */
  problem?: string;
}

export class WriteRecorder {
  private readonly seen: ObservedWrite[] = [];
  private failure: WriteRecordingError | undefined;
  private stopped = false;
  private failedStreams = 0;
  private stream: Stream | undefined;
  private starting: { resolve: () => void; reject: (error: WriteRecordingError) => void } | undefined;
  private opened = 0;

  private constructor(
    private readonly config: KubeConfig,
    readonly ref: ObjectRef,
    /** The object as it was when recording began; every later write is in `writes()`. */
    readonly initial: JsonObject,
    /** The last version seen: the list's, then each event's (bookmarks included). */
    private resourceVersion: string,
    private readonly options: RecorderOptions,
  ) {}

  /**
   * Resolves once a watch is established from the version of `initial`: every write after that
   * version will be seen, whenever it happens.
   */
  static async start(config: KubeConfig, ref: ObjectRef, options: RecorderOptions = {}): Promise<WriteRecorder> {
    const { group, version, plural, namespace, name } = ref;
    const list = asObject(await config.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group, version, plural, namespace, fieldSelector: `metadata.name=${name}` }));
    const initial = asObject(asArray(list?.items)[0]);
    const listVersion = dig(list, 'metadata', 'resourceVersion');
    if (initial === undefined) throw new WriteRecordingError(ref, 'the object does not exist');
    if (typeof listVersion !== 'string' || listVersion === '') throw new WriteRecordingError(ref, 'the list carried no resourceVersion');
    const recorder = new WriteRecorder(config, ref, initial, listVersion, options);
    await new Promise<void>((resolve, reject) => {
      recorder.starting = { resolve, reject };
      recorder.open();
    });
    return recorder;
  }

  /** Every write seen so far, in order; throws instead when the record may have a gap. */
  writes(): readonly ObservedWrite[] {
    this.check();
    return this.seen;
  }

  /** Watch requests made so far: one more after each end of a stream. */
  get streams(): number {
    return this.opened;
  }

  /** Throws the reason the record can no longer be trusted, if there is one. */
  check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  stop(): void {
    this.stopped = true;
    this.stream?.controller?.abort();
    this.starting?.reject(new WriteRecordingError(this.ref, 'stopped before the watch was established'));
    this.starting = undefined;
  }

  private open(): void {
    if (this.stopped || this.failure !== undefined) return;
    const stream: Stream = { ended: false };
    this.stream = stream;
    this.opened++;
    const { group, version, plural, namespace, name } = this.ref;
    const query = { fieldSelector: `metadata.name=${name}`, resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: this.options.streamTimeoutSeconds };
    new Watch(this.config)
      .watch(
        `/apis/${group}/${version}/namespaces/${namespace}/${plural}`,
        query,
        (type: string, object: unknown) => { this.onEvent(stream, type, object); },
        (error: unknown) => { this.onStreamEnd(stream, error); },
      )
      .then(
        (controller) => {
          if (stream.ended) return;
          // client-node resolves after a 200 with the stream open: the apiserver registered the watch before answering.
          stream.controller = controller;
          if (this.stopped || this.failure !== undefined) controller.abort();
          this.starting?.resolve();
          this.starting = undefined;
        },
        (error: unknown) => { this.fail(new WriteRecordingError(this.ref, `opening the watch failed: ${explain(error)}`, { cause: error })); },
      );
  }

  private onEvent(stream: Stream, type: string, object: unknown): void {
    if (this.stopped || this.failure !== undefined) return;
    const body = asObject(object) ?? {};
    if (type === 'ERROR') {
      // The apiserver ends the stream after an ERROR; 410 means the version left its history.
      if (body.code === 410) this.fail(this.expired());
      else stream.problem = `ERROR event ${String(body.code)}: ${String(body.message)}`;
      return;
    }
    const resourceVersion = dig(body, 'metadata', 'resourceVersion');
    if (typeof resourceVersion === 'string' && resourceVersion !== '') this.resourceVersion = resourceVersion;
    this.failedStreams = 0;
    if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return; // BOOKMARK: only the version moves
    const write: ObservedWrite = { type, object: body, resourceVersion: this.resourceVersion };
    this.seen.push(write);
    try {
      this.options.onWrite?.(write);
    } catch (error) {
      // client-node swallows whatever its callback throws; keep it instead.
      this.fail(new WriteRecordingError(this.ref, `the write handler threw: ${explain(error)}`, { cause: error }));
    }
  }

  private onStreamEnd(stream: Stream, error: unknown): void {
    stream.ended = true;
    if (this.stopped || this.failure !== undefined) return;
    if ((error as { statusCode?: unknown } | null)?.statusCode === 410) {
      this.fail(this.expired());
      return;
    }
    // A clean end, or client-node's 30 s timeout on a quiet stream, loses nothing: go on from the last version.
    const quiet = error instanceof Error && error.name === 'TimeoutError';
    if (error !== null && error !== undefined && !quiet) stream.problem = explain(error);
    if (stream.problem !== undefined && ++this.failedStreams >= MAX_FAILED_STREAMS) {
      this.fail(new WriteRecordingError(this.ref, `the watch failed ${String(this.failedStreams)} times in a row (last: ${stream.problem})`, { cause: error }));
      return;
    }
    setTimeout(() => { this.open(); }, stream.problem === undefined ? 0 : Math.min(100 * 2 ** this.failedStreams, 2_000));
  }

  private expired(): WriteRecordingError {
    return new WriteRecordingError(this.ref, `resourceVersion ${this.resourceVersion} expired (410 Gone): writes after it may be lost`);
  }

  private fail(error: WriteRecordingError): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.stream?.controller?.abort();
    this.starting?.reject(error);
    this.starting = undefined;
  }
}
