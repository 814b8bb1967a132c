/**
 * Kubernetes Events (events.k8s.io/v1) about the objects the operator manages, what
 * `kubectl describe` and `kubectl events` show. Like client-go's recorder, a repeat of the same
 * event about the same object within the series window updates the first one's `series`
 * (count, lastObservedTime) instead of piling up new objects. Recording never throws: an event
 * that cannot be written is logged, and the reconcile that emitted it carries on.
 */
import {
  EventsV1Api,
  EventsV1Event,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  V1ObjectMeta,
  V1ObjectReference,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../runtime/clock.js';
import { silentLogger, type Logger } from '../runtime/log.js';
import { describeError, isNotFound } from './api-errors.js';

export type EventType = 'Normal' | 'Warning';

export interface EventSpec {
  readonly type: EventType;
  /** UpperCamelCase, why the action was taken, e.g. WeightChanged. */
  readonly reason: string;
  /** What was done, e.g. SetWeight. */
  readonly action: string;
  /** For people, at most 1 kB. */
  readonly note: string;
}

export interface EventRecorderOptions {
  readonly kubeConfig: KubeConfig;
  /** e.g. novabot.io/nova-operator */
  readonly reportingController: string;
  /** This replica, e.g. its leader-election identity. */
  readonly reportingInstance: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Repeats within this window join a series. Default 6 minutes, as in client-go. */
  readonly seriesWindowMs?: number;
}

interface Series {
  readonly namespace: string;
  readonly name: string;
  count: number;
  lastAt: number;
}

const MAX_NOTE = 1024;
const MAX_TRACKED = 4096;

export class EventRecorder {
  private readonly api: EventsV1Api;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly seriesWindowMs: number;
  private readonly series = new Map<string, Series>();
  /** The last posted write per regarded object: posts about one object are written one after another. */
  private readonly posted = new Map<string, Promise<unknown>>();

  constructor(private readonly options: EventRecorderOptions) {
    this.api = options.kubeConfig.makeApiClient(EventsV1Api);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.seriesWindowMs = options.seriesWindowMs ?? 6 * 60_000;
  }

  /**
   * Records `event` about `regarding` in the background: the caller does not wait for the write,
   * events about one object are written in the order posted, each after the ones before it.
   * `flush` waits for every posted event.
   */
  post(regarding: KubernetesObject, event: EventSpec): void {
    const key = `${regarding.metadata?.namespace ?? ''}/${regarding.metadata?.name ?? ''}`;
    // record() reports its own failures; the catch only keeps a bug there from becoming an unhandled rejection.
    const next = (this.posted.get(key) ?? Promise.resolve()).then(() => this.record(regarding, event)).catch(() => undefined);
    this.posted.set(key, next);
    void next.then(() => {
      if (this.posted.get(key) === next) this.posted.delete(key);
    });
  }

  /** Resolves once every event posted so far was written (or given up on). */
  async flush(): Promise<void> {
    while (this.posted.size > 0) await Promise.all([...this.posted.values()]);
  }

  /** Records `event` about `regarding`; resolves to the Event's name, or undefined if it could not be written. */
  async record(regarding: KubernetesObject, event: EventSpec): Promise<string | undefined> {
    const reference = objectReference(regarding);
    const namespace = reference.namespace ?? 'default';
    const note = event.note.length > MAX_NOTE ? `${event.note.slice(0, MAX_NOTE - 1)}…` : event.note;
    const seriesKey = [reference.uid, reference.name, event.type, event.reason, event.action, note].join('\u0000');
    const now = this.clock.now();
    try {
      const known = this.series.get(seriesKey);
      if (known !== undefined && now - known.lastAt < this.seriesWindowMs) {
        known.count++;
        known.lastAt = now;
        if (await this.patchSeries(known)) return known.name;
      }
      const name = await this.create(namespace, reference, { ...event, note }, now);
      this.remember(seriesKey, { namespace, name, count: 1, lastAt: now });
      return name;
    } catch (error) {
      this.logger.warn('could not record an event', { reason: event.reason, regarding: `${namespace}/${reference.name ?? ''}`, error: describeError(error) });
      return undefined;
    }
  }

  private async create(namespace: string, regarding: V1ObjectReference, event: EventSpec, now: number): Promise<string> {
    const body = new EventsV1Event();
    body.apiVersion = 'events.k8s.io/v1';
    body.kind = 'Event';
    body.metadata = new V1ObjectMeta();
    body.metadata.namespace = namespace;
    // client-go's naming: the object's name and a unique suffix.
    body.metadata.name = `${regarding.name ?? 'object'}.${randomBytes(8).toString('hex')}`;
    body.eventTime = new V1MicroTime(now);
    body.reportingController = this.options.reportingController;
    body.reportingInstance = this.options.reportingInstance;
    body.action = event.action;
    body.reason = event.reason;
    body.note = event.note;
    body.type = event.type;
    body.regarding = regarding;
    const created = await this.api.createNamespacedEvent({ namespace, body });
    return created.metadata?.name ?? body.metadata.name;
  }

  /** False when the first event is gone (expired or deleted): the caller starts a new one. */
  private async patchSeries(series: Series): Promise<boolean> {
    const body = { series: { count: series.count, lastObservedTime: new V1MicroTime(series.lastAt).toISOString() } };
    try {
      await this.api.patchNamespacedEvent(
        { namespace: series.namespace, name: series.name, body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  private remember(key: string, series: Series): void {
    if (this.series.size >= MAX_TRACKED) {
      const oldest = this.series.keys().next();
      if (oldest.done !== true) this.series.delete(oldest.value);
    }
    this.series.set(key, series);
  }
}

export function objectReference(object: KubernetesObject): V1ObjectReference {
  const reference = new V1ObjectReference();
  reference.apiVersion = object.apiVersion;
  reference.kind = object.kind;
  reference.namespace = object.metadata?.namespace;
  reference.name = object.metadata?.name;
  reference.uid = object.metadata?.uid;
  reference.resourceVersion = object.metadata?.resourceVersion;
  return reference;
}
