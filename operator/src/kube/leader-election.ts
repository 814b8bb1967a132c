/**
 * Leader election on a coordination.k8s.io/v1 Lease, the algorithm of client-go's leaderelection
 * (which controller-runtime uses) with its timings as defaults: 15 s lease, 10 s renew deadline,
 * 2 s retry period.
 *
 * Safety rests on three rules:
 * - every write carries the resourceVersion it was computed from, so of two candidates racing
 *   for a free or expired lease exactly one write succeeds (the other gets 409);
 * - a lease held by someone else counts as expired only leaseDuration after THIS process last
 *   saw it change (local clock, so clock skew between machines does not matter);
 * - a leader that has not renewed for renewDeadline (< leaseDuration) steps down on its own,
 *   even while a renew request still hangs, so it has stopped before anyone else may take over.
 *
 * One thing differs from client-go, and only in WHEN a replica that does not lead tries, never in
 * what a try may do: besides its jittered retries it watches the Lease (lease-watch.ts), so it
 * sees each renewal as it happens, and it tries at the very moment the Lease it saw becomes
 * takeable by the second rule (campaign-schedule.ts). client-go's standby saw a renewal only at
 * its next try and took an expired Lease only at its first try after the expiry: after a leader's
 * SIGKILL that was up to two jittered retry periods past the lease (15.5–20 s at the defaults,
 * docs/chaos.md); now it is the lease duration less the time between the last renewal and the kill.
 * The watch can only make this replica see a change sooner, never before it happened, so the
 * count still starts no earlier than the change; an event older than what a try read is ignored.
 */
import { CoordinationV1Api, V1Lease, V1LeaseSpec, V1MicroTime, V1ObjectMeta, type KubeConfig } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { sleep, systemClock, type Clock, type TimerHandle } from '../runtime/clock.js';
import { silentLogger, type Logger } from '../runtime/log.js';
import { describeError, isConflict, isNotFound } from './api-errors.js';
import { CampaignSchedule, JITTER_FACTOR, type LeaseSighting } from './campaign-schedule.js';
import { LeaseWatch } from './lease-watch.js';
import { withTimeout } from './request-options.js';
import { isAtLeast } from './resource-version.js';

export interface LeaderCallbacks {
  /** This replica leads now; `signal` aborts when it stops leading for any reason. */
  onStartedLeading(signal: AbortSignal): void;
  /** Must stop all work that needs leadership; awaited before a graceful release. */
  onStoppedLeading(): void | Promise<void>;
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly leaseName: string;
  readonly identity?: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly callbacks: LeaderCallbacks;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Spreads the candidates' acquire attempts (client-go's JitterFactor 1.2). */
  readonly random?: () => number;
}

export type ElectionOutcome = 'stopped' | 'lost';

export class InvalidLeaderElectionConfigError extends Error {
  constructor(message: string) {
    super(`leader election: ${message}`);
    this.name = 'InvalidLeaderElectionConfigError';
  }
}

export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;

type Attempt = 'acquired' | 'held-by-other' | 'failed';

export class LeaderElector {
  readonly identity: string;
  private readonly api: CoordinationV1Api;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly stopController = new AbortController();
  private leadingController: AbortController | undefined;
  /** The lease as last read or written by us, and when (local clock) it last changed. */
  private observed: V1Lease | undefined;
  private observedAt = 0;
  private lastRenewAt = 0;
  private deadlineTimer: TimerHandle | undefined;
  private knownLeader: string | undefined;
  private stoppedLeading: Promise<void> | undefined;

  constructor(private readonly options: LeaderElectionOptions) {
    this.identity = options.identity ?? `${hostname()}_${randomUUID()}`;
    this.leaseDurationMs = options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.renewDeadlineMs = options.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.retryPeriodMs = options.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    if (!(this.leaseDurationMs > this.renewDeadlineMs)) throw new InvalidLeaderElectionConfigError('leaseDuration must be greater than renewDeadline');
    if (!(this.renewDeadlineMs > JITTER_FACTOR * this.retryPeriodMs)) {
      throw new InvalidLeaderElectionConfigError('renewDeadline must be greater than retryPeriod * 1.2');
    }
    if (this.leaseDurationMs % 1000 !== 0) throw new InvalidLeaderElectionConfigError('leaseDuration must be whole seconds (the Lease stores seconds)');
    this.api = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.clock = options.clock ?? systemClock;
    this.logger = (options.logger ?? silentLogger).child({ lease: `${options.namespace}/${options.leaseName}`, identity: this.identity });
    this.random = options.random ?? Math.random;
  }

  isLeader(): boolean {
    return this.leadingController !== undefined;
  }

  /** The holder of the lease as this replica last saw it. */
  leader(): string | undefined {
    return this.knownLeader;
  }

  /**
   * Campaigns until elected, then leads until stop() (releasing the lease: 'stopped') or until
   * renewing fails past the deadline ('lost'). A replica that lost should exit or start over.
   */
  async run(): Promise<ElectionOutcome> {
    const stop = this.stopController.signal;
    await this.campaign(stop);
    if (stop.aborted) return 'stopped';
    this.startLeading();
    const leading = this.leadingController;
    if (leading === undefined) return 'lost';
    while (!isAborted(stop) && !isAborted(leading.signal)) {
      await sleep(this.clock, this.retryPeriodMs, AbortSignal.any([stop, leading.signal]));
      if (isAborted(stop) || isAborted(leading.signal)) break;
      const remaining = this.lastRenewAt + this.renewDeadlineMs - this.clock.now();
      const attempt = await this.tryAcquireOrRenew(remaining);
      if (isAborted(leading.signal)) break;
      if (attempt === 'acquired') this.renewed();
      else if (attempt === 'held-by-other') this.loseLeadership('the lease is held by another replica');
    }
    if (isAborted(leading.signal)) {
      await this.stoppedLeading;
      return 'lost';
    }
    // Graceful: stop the work first, then hand the lease over so a standby takes it at once.
    await this.endLeadership();
    await this.release();
    return 'stopped';
  }

  /** Ends the campaign or the leadership; run() resolves after work stopped and the lease was released. */
  stop(): void {
    this.stopController.abort();
  }

  /**
   * Tries until this replica holds the Lease or stop() is called: at once, then when the schedule
   * says (campaign-schedule.ts), with the watch reporting the Lease in between.
   */
  private async campaign(stop: AbortSignal): Promise<void> {
    const { namespace, leaseName: name } = this.options;
    const schedule = new CampaignSchedule({ clock: this.clock, identity: this.identity, retryPeriodMs: this.retryPeriodMs, random: this.random });
    let campaigning = true;
    const watch = new LeaseWatch({
      kubeConfig: this.options.kubeConfig,
      namespace,
      name,
      listTimeoutMs: this.renewDeadlineMs,
      clock: this.clock,
      logger: this.logger,
      onLease: (lease) => { if (campaigning) this.sightedByWatch(lease, schedule); },
      onDeleted: () => { if (campaigning) schedule.sighted({ holder: '', changedAt: this.clock.now(), durationMs: 0 }); },
    });
    watch.start();
    try {
      while (!stop.aborted) {
        const startedAt = this.clock.now();
        if ((await this.tryAcquireOrRenew(this.renewDeadlineMs)) === 'acquired') return;
        schedule.attempted(startedAt);
        const sighting = this.sighting();
        if (sighting !== undefined) schedule.sighted(sighting);
        await schedule.wait(stop);
      }
    } finally {
      campaigning = false;
      // Not awaited: a new leader starts at once; the watch's end is the abort of one stream.
      watch.stop().catch((error: unknown) => { this.logger.warn('stopping the lease watch failed', { error: describeError(error) }); });
    }
  }

  /** The Lease as last read or watched, for the schedule. */
  private sighting(): LeaseSighting | undefined {
    const spec = this.observed?.spec;
    if (spec === undefined) return undefined;
    return { holder: spec.holderIdentity ?? '', changedAt: this.observedAt, durationMs: (spec.leaseDurationSeconds ?? 0) * 1000 };
  }

  private sightedByWatch(lease: V1Lease, schedule: CampaignSchedule): void {
    const known = this.observed?.metadata?.resourceVersion;
    const version = lease.metadata?.resourceVersion;
    // Older than what a try read since (a stream that lags): taking it for a change would only
    // restart the count later than needed.
    if (known !== undefined && version !== undefined && !isAtLeast(version, known)) return;
    this.observe(lease, this.clock.now());
    const sighting = this.sighting();
    if (sighting === undefined) return;
    this.logger.debug('lease seen by the watch', { holder: sighting.holder, renewTime: timeKey(lease.spec?.renewTime), resourceVersion: version });
    schedule.sighted(sighting);
  }

  private startLeading(): void {
    this.leadingController = new AbortController();
    this.renewed();
    this.logger.info('became leader');
    this.options.callbacks.onStartedLeading(this.leadingController.signal);
  }

  private renewed(): void {
    this.lastRenewAt = this.clock.now();
    this.deadlineTimer?.cancel();
    this.deadlineTimer = this.clock.setTimer(this.renewDeadlineMs, () => {
      this.loseLeadership(`no successful renew within the renew deadline (${this.renewDeadlineMs} ms)`);
    });
  }

  private loseLeadership(why: string): void {
    if (this.leadingController === undefined || this.leadingController.signal.aborted) return;
    this.logger.error('lost leadership', { why });
    void this.endLeadership();
  }

  private endLeadership(): Promise<void> {
    this.stoppedLeading ??= (async () => {
      this.deadlineTimer?.cancel();
      this.leadingController?.abort();
      try {
        await this.options.callbacks.onStoppedLeading();
      } catch (error) {
        this.logger.error('onStoppedLeading threw', { error: describeError(error) });
      } finally {
        this.leadingController = undefined;
      }
    })();
    return this.stoppedLeading;
  }

  private async tryAcquireOrRenew(timeoutMs: number): Promise<Attempt> {
    if (timeoutMs <= 0) return 'failed';
    try {
      return await this.attempt(timeoutMs);
    } catch (error) {
      this.logger.error('leader election attempt failed unexpectedly', { error: describeError(error) });
      return 'failed';
    }
  }

  private async attempt(timeoutMs: number): Promise<Attempt> {
    const { namespace, leaseName: name } = this.options;
    const now = this.clock.now();
    let current: V1Lease;
    try {
      current = await this.api.readNamespacedLease({ namespace, name }, withTimeout(timeoutMs));
    } catch (error) {
      if (!isNotFound(error)) {
        this.logger.warn('reading the lease failed', { error: describeError(error) });
        return 'failed';
      }
      return this.write('create', lease(namespace, name, this.spec(now, undefined)), timeoutMs);
    }
    // Seen when the answer came, as client-go records it: a renewal that landed while the read was
    // in flight is counted from after it, never from before (the count may only start late).
    this.observe(current, this.clock.now());
    const spec = current.spec ?? new V1LeaseSpec();
    const holder = spec.holderIdentity ?? '';
    const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
    if (holder !== '' && holder !== this.identity && this.observedAt + durationMs > now) return 'held-by-other';
    const next = lease(namespace, name, this.spec(now, spec));
    next.metadata = current.metadata ?? new V1ObjectMeta();
    return this.write('replace', next, timeoutMs);
  }

  /** The spec we want: ours, keeping acquireTime while we keep holding, counting transitions. */
  private spec(now: number, previous: V1LeaseSpec | undefined): V1LeaseSpec {
    const spec = new V1LeaseSpec();
    spec.holderIdentity = this.identity;
    spec.leaseDurationSeconds = this.leaseDurationMs / 1000;
    spec.renewTime = new V1MicroTime(now);
    const ours = previous?.holderIdentity === this.identity;
    spec.acquireTime = (ours ? microTime(previous.acquireTime) : undefined) ?? new V1MicroTime(now);
    spec.leaseTransitions = ours ? (previous.leaseTransitions ?? 0) : (previous?.leaseTransitions ?? -1) + 1;
    return spec;
  }

  private async write(verb: 'create' | 'replace', body: V1Lease, timeoutMs: number): Promise<Attempt> {
    const { namespace, leaseName: name } = this.options;
    try {
      const written =
        verb === 'create'
          ? await this.api.createNamespacedLease({ namespace, body }, withTimeout(timeoutMs))
          : await this.api.replaceNamespacedLease({ namespace, name, body }, withTimeout(timeoutMs));
      this.observe(written, this.clock.now());
      return 'acquired';
    } catch (error) {
      // 409: another candidate wrote first (or the lease changed since we read it).
      if (!isConflict(error)) this.logger.warn(`${verb} of the lease failed`, { error: describeError(error) });
      return 'failed';
    }
  }

  private observe(current: V1Lease, now: number): void {
    const before = this.observed?.spec;
    const after = current.spec;
    const changed =
      before?.holderIdentity !== after?.holderIdentity ||
      timeKey(before?.renewTime) !== timeKey(after?.renewTime) ||
      before?.leaseTransitions !== after?.leaseTransitions;
    this.observed = current;
    if (changed || this.observedAt === 0) this.observedAt = now;
    const holder = after?.holderIdentity ?? '';
    if (holder !== '' && holder !== this.knownLeader) {
      this.knownLeader = holder;
      this.options.callbacks.onNewLeader?.(holder);
    }
  }

  /**
   * Empties the holder with a 1 s duration so a standby acquires at once (its watch sees the
   * release) or at its next try, not after expiry.
   */
  private async release(): Promise<void> {
    const observed = this.observed;
    if (observed?.spec?.holderIdentity !== this.identity) return;
    const spec = new V1LeaseSpec();
    const now = new V1MicroTime(this.clock.now());
    spec.holderIdentity = '';
    spec.leaseDurationSeconds = 1;
    spec.renewTime = now;
    spec.acquireTime = now;
    spec.leaseTransitions = observed.spec.leaseTransitions ?? 0;
    const body = lease(this.options.namespace, this.options.leaseName, spec);
    body.metadata = observed.metadata ?? new V1ObjectMeta();
    try {
      await this.api.replaceNamespacedLease({ namespace: this.options.namespace, name: this.options.leaseName, body }, withTimeout(this.renewDeadlineMs));
      this.logger.info('released the lease');
    } catch (error) {
      // A conflict means someone else already holds it; either way the lease is no longer ours.
      this.logger.warn('releasing the lease failed', { error: describeError(error) });
    }
  }
}

function lease(namespace: string, name: string, spec: V1LeaseSpec): V1Lease {
  const body = new V1Lease();
  body.apiVersion = 'coordination.k8s.io/v1';
  body.kind = 'Lease';
  body.metadata = new V1ObjectMeta();
  body.metadata.namespace = namespace;
  body.metadata.name = name;
  body.spec = spec;
  return body;
}

/** The client hands MicroTime back as a Date or as the wire string, depending on the path. */
function timeKey(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  return typeof value === 'string' ? new Date(value).toISOString() : undefined;
}

function microTime(value: unknown): V1MicroTime | undefined {
  const key = timeKey(value);
  return key === undefined ? undefined : new V1MicroTime(Date.parse(key));
}

/** Reads the flag afresh: TypeScript keeps a property narrowed across awaits that can change it. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
