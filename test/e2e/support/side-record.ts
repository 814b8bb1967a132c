/**
 * Which side served each users-context request, read back from the wire, and where the
 * migration stood at every moment, to check one against the other.
 *
 * RequestRecord: a plain (not queue-group) NATS subscription sees every request addressed to
 * either side: `svc.user.*`, where only the user service listens, and `svc.legacy.user.*`, where
 * only the monolith does; with the chat it is about (Nova-Routing-Key) and when the caller sent
 * it (Nova-Deadline minus the caller's timeout: same machine, same clock). The test then checks
 * that each side's own nova_bus_messages_total counted exactly what was addressed to it.
 *
 * StatusTimeline: the migration's status, polled. While weights only rise, a poll begun after a
 * moment bounds from above what any process could route by at that moment (status.desiredWeight
 * is written before the weight reaches NATS), and a poll ended before it bounds from below
 * (status.weight is confirmed only once every live process applied it).
 */
import { connect } from '@nats-io/transport-node';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { NovaMigrationStatus } from '../../../operator/src/api/novamigration.js';

export type SideName = 'legacy' | 'target';

export interface AddressedRequest {
  readonly chat: string;
  readonly side: SideName;
  /** The contract method, e.g. svc.user.upsert. */
  readonly method: string;
  /** When the caller sent it (ms since the epoch). */
  readonly sentAt: number;
}

const LEGACY_PREFIX = 'svc.legacy.';

export class RequestRecord {
  private readonly requests: AddressedRequest[] = [];
  private readonly problems: string[] = [];

  private readonly unroutedSeen: AddressedRequest[] = [];

  private constructor(private readonly nc: NatsConnection, private readonly subscriptions: Subscription[], private readonly requestTimeoutMs: number, private readonly unroutedMethods: readonly string[]) {}

  /**
   * `requestTimeoutMs`: the callers' request timeout (the bus's default, 5 s, for svc.user.upsert).
   * `unrouted`: the context's methods that are about no chat (svc.publisher.publish_due), kept apart
   * from the per-chat record rather than reported as malformed.
   */
  static async start(natsUrl: string, context: string, requestTimeoutMs: number, unrouted: readonly string[] = []): Promise<RequestRecord> {
    const nc = await connect({ servers: natsUrl, name: 'stage2-side-record' });
    const subscriptions = [nc.subscribe(`svc.${context}.>`), nc.subscribe(`svc.legacy.${context}.>`)];
    const record = new RequestRecord(nc, subscriptions, requestTimeoutMs, unrouted);
    for (const subscription of subscriptions) void record.follow(subscription);
    await nc.flush();
    return record;
  }

  private async follow(subscription: Subscription): Promise<void> {
    for await (const message of subscription) {
      const chat = message.headers?.get('Nova-Routing-Key') ?? '';
      const deadline = Number(message.headers?.get('Nova-Deadline'));
      const legacy = message.subject.startsWith(LEGACY_PREFIX);
      const contract = legacy ? `svc.${message.subject.slice(LEGACY_PREFIX.length)}` : message.subject;
      if (chat === '' && this.unroutedMethods.includes(contract)) {
        this.unroutedSeen.push({ chat, side: legacy ? 'legacy' : 'target', method: contract, sentAt: Date.now() });
        continue;
      }
      if (chat === '' || !Number.isFinite(deadline)) {
        this.problems.push(`${message.subject} without a routing key or deadline`);
        continue;
      }
      const sentAt = deadline - this.requestTimeoutMs;
      // A send time in the future means the callers' timeout is not the one assumed here.
      if (sentAt > Date.now() + 1_000) this.problems.push(`${message.subject} sent in the future: the callers' timeout is not ${String(this.requestTimeoutMs)} ms`);
      this.requests.push({ chat, side: legacy ? 'legacy' : 'target', method: contract, sentAt });
    }
  }

  all(): readonly AddressedRequest[] {
    return this.requests;
  }

  /** The `unrouted` methods' requests, by side (their chat is empty, their time is when seen). */
  unrouted(side: SideName): number {
    return this.unroutedSeen.filter((request) => request.side === side).length;
  }

  /** Requests sent in [from, to). */
  between(from: number, to = Number.POSITIVE_INFINITY): AddressedRequest[] {
    return this.requests.filter((request) => request.sentAt >= from && request.sentAt < to);
  }

  /** Requests without a chat or a deadline (every users-context request is about a chat), or with a deadline the assumed timeout cannot explain. */
  malformed(): readonly string[] {
    return this.problems;
  }

  count(side: SideName): number {
    return this.requests.filter((request) => request.side === side).length;
  }

  async close(): Promise<void> {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    await this.nc.close();
  }
}

export interface StatusPoll {
  readonly start: number;
  readonly end: number;
  readonly status: NovaMigrationStatus;
}

export class StatusTimeline {
  private readonly recorded: StatusPoll[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly read: () => Promise<NovaMigrationStatus>, intervalMs = 100) {
    this.loop = (async () => {
      while (this.running) {
        const start = Date.now();
        const status = await this.read().catch(() => undefined);
        if (status !== undefined) this.recorded.push({ start, end: Date.now(), status });
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    })();
  }

  polls(): readonly StatusPoll[] {
    return this.recorded;
  }

  /** The first poll begun after `at` that satisfies `probe`. */
  firstAfter(at: number, probe: (status: NovaMigrationStatus) => boolean = () => true): StatusPoll | undefined {
    return this.recorded.find((poll) => poll.start > at && probe(poll.status));
  }

  /** The desired weight at the first poll begun after `at`: no process routed by more at `at`, while weights only rise. */
  desiredAfter(at: number): number | undefined {
    return this.firstAfter(at)?.status.desiredWeight;
  }

  /** The confirmed weight at the last poll ended before `at`: every live process routed by at least that, while weights only rise. */
  confirmedBefore(at: number): number {
    let confirmed = 0;
    for (const poll of this.recorded) {
      if (poll.end >= at) break;
      confirmed = poll.status.weight ?? 0;
    }
    return confirmed;
  }

  /** The highest desired weight among polls begun in [from, to]. */
  maxDesired(from: number, to: number): number {
    return Math.max(0, ...this.recorded.filter((poll) => poll.start >= from && poll.start <= to).map((poll) => poll.status.desiredWeight ?? 0));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

/** Per chat, the sides of its requests in order with repeats collapsed: "L", "LT", "LTL", ... */
export function sidePatterns(requests: readonly AddressedRequest[]): Map<string, string> {
  const patterns = new Map<string, string>();
  for (const request of [...requests].sort((a, b) => a.sentAt - b.sentAt)) {
    const letter = request.side === 'legacy' ? 'L' : 'T';
    const pattern = patterns.get(request.chat) ?? '';
    if (!pattern.endsWith(letter)) patterns.set(request.chat, pattern + letter);
  }
  return patterns;
}

/**
 * Requests the weights could not have sent where they went, while weights only rise (from
 * `from` on): a target request needs the chat's bucket under the desired weight of the next poll,
 * a legacy one needs it at or above the weight confirmed by the previous poll.
 */
export function misrouted(requests: readonly AddressedRequest[], timeline: StatusTimeline, bucketOf: (chat: string) => number): string[] {
  const wrong: string[] = [];
  for (const request of requests) {
    const bucket = bucketOf(request.chat);
    if (request.side === 'target') {
      const desired = timeline.desiredAfter(request.sentAt);
      if (desired === undefined || bucket >= desired) wrong.push(`chat ${request.chat} (bucket ${String(bucket)}) served by the target at ${new Date(request.sentAt).toISOString()}, desired weight then at most ${String(desired)}`);
    } else {
      const confirmed = timeline.confirmedBefore(request.sentAt);
      if (bucket < confirmed) wrong.push(`chat ${request.chat} (bucket ${String(bucket)}) served by legacy at ${new Date(request.sentAt).toISOString()}, every process already at ${String(confirmed)}`);
    }
  }
  return wrong;
}
