/**
 * The Router every process of the fleet uses during bus migrations (Decided 11): it watches the
 * weights the operator writes into the KV bucket `nova_routing` (key = context), routes each
 * message by its chat (routing-table.ts), and tells the operator what it applied by writing
 * `<context>.<process>` into `nova_routing_applied` (on every change and every heartbeat; the
 * bucket's max age drops a process that stopped). The operator confirms a weight only when every
 * live process applied it, so "status.weight" means the fleet routes at it.
 *
 * Start-up reads every key before `start` resolves: a process never sends a message with a weight
 * older than the bucket's at the moment it started. A record that does not parse is logged and
 * ignored (the previous weight stays, and the operator sees this process has not applied it).
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection, QueuedIterator } from '@nats-io/nats-core';
import {
  APPLIED_HEARTBEAT_MS,
  APPLIED_TTL_MS,
  appliedKey,
  contractSubjectOf,
  encodeAppliedRecord,
  isContextName,
  parseRoutingRecord,
  ROUTING_APPLIED_BUCKET,
  ROUTING_BUCKET,
  ROUTING_HISTORY,
  sideSubject,
  type ContextName,
} from '@nova/contracts';
import type { Logger, Metrics, Side } from '@nova/platform';
import type { Router } from '../routing.js';
import { RoutingTable, type RoutingTableOptions } from './routing-table.js';

export interface KvRouterOptions extends RoutingTableOptions {
  readonly nc: NatsConnection;
  /** This process's side: what its applied records say, and the `side` label of its gauge. */
  readonly side: Side;
  /** Unique per process (e.g. `<service>.<pod>.<pid>`): the second token of its applied keys. */
  readonly process: string;
  readonly logger: Logger;
  /** Exports `nova_routing_weight{namespace, side, context}`: the weight this process routes by. */
  readonly metrics?: Metrics;
  /** Rewrite of the applied records. Default APPLIED_HEARTBEAT_MS (5 s). */
  readonly heartbeatMs?: number;
  /** Bucket names, for tests that isolate themselves on a shared server. */
  readonly buckets?: { readonly routing?: string; readonly applied?: string };
  /** Copies of each bucket when this process creates it (NOVA_NATS_REPLICAS); default 1. */
  readonly replicas?: number;
}

/**
 * Opens (creating when absent) the two routing buckets with the settings every writer and reader
 * shares; `replicas` (NOVA_NATS_REPLICAS) counts only when this call creates them.
 */
export async function openRoutingBuckets(nc: NatsConnection, names: KvRouterOptions['buckets'] = {}, replicas = 1): Promise<{ routing: KV; applied: KV }> {
  const kvm = new Kvm(jetstream(nc));
  const routing = await kvm.create(names.routing ?? ROUTING_BUCKET, { history: ROUTING_HISTORY, replicas, description: 'Nova: weight per bounded context (the nats traffic provider)' });
  const applied = await kvm.create(names.applied ?? ROUTING_APPLIED_BUCKET, { history: 1, ttl: APPLIED_TTL_MS, replicas, description: 'Nova: the weight each process routes by' });
  return { routing, applied };
}

export class KvRouter implements Router {
  private readonly table: RoutingTable;
  private readonly gauge;
  private watch: QueuedIterator<KvEntry> | undefined;
  /** The contexts this process handles (serves or consumes), as the bus's bindings said. */
  private readonly handled = new Set<ContextName>();
  private heartbeat: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Read through a method: a flag that an await may have flipped is not narrowed by the compiler. */
  private isStopped(): boolean {
    return this.stopped;
  }

  private constructor(
    private readonly options: KvRouterOptions,
    private readonly buckets: { routing: KV; applied: KV },
  ) {
    this.table = new RoutingTable(options);
    this.gauge = options.metrics?.gauge('nova_routing_weight', 'Percent of a context\'s chats this process sends to the target', ['namespace', 'side', 'context']);
  }

  static async start(options: KvRouterOptions): Promise<KvRouter> {
    const router = new KvRouter(options, await openRoutingBuckets(options.nc, options.buckets, options.replicas));
    await router.follow();
    router.heartbeat = setInterval(() => { void router.acknowledgeAll(); }, options.heartbeatMs ?? APPLIED_HEARTBEAT_MS);
    router.heartbeat.unref();
    void options.nc.closed().then(() => { router.stop(); });
    return router;
  }

  route(scope: string, routingKey: string | undefined): Side {
    return this.table.side(scope, routingKey);
  }

  address(subject: string, side: Side): string {
    return sideSubject(subject, side);
  }

  bindingSubject(subject: string, side: Side): string {
    return sideSubject(subject, side);
  }

  subjectOf(address: string): string {
    return contractSubjectOf(address);
  }

  eventRoute(routingKey: string | undefined): string {
    return this.table.eventRoute(routingKey);
  }

  accepts(context: ContextName, eventRoute: string | undefined, routingKey: string | undefined, side: Side): boolean {
    return this.table.accepts(context, eventRoute, routingKey, side);
  }

  handling(context: ContextName): void {
    if (this.handled.has(context)) return;
    this.handled.add(context);
    // Said at once where a weight is known; otherwise with the first weight applied.
    if (this.table.entries().some(([known]) => known === context)) void this.acknowledge(context);
  }

  /** The weight (and its revision) this process routes `context` by. */
  weight(context: ContextName): { weight: number; revision: number } {
    return this.table.get(context);
  }

  /** Stops following the bucket; the last weights stay in force for what is still sent. */
  stop(): void {
    this.stopped = true;
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.watch?.stop();
  }

  /** Watches every key, then reads every key once, so start-up never misses a write between the two. */
  private async follow(): Promise<void> {
    const { routing } = this.buckets;
    this.watch = await routing.watch();
    void this.consume(this.watch);
    for await (const key of await routing.keys()) {
      const entry = await routing.get(key);
      if (entry !== null) this.apply(entry);
    }
  }

  private async consume(watch: QueuedIterator<KvEntry>): Promise<void> {
    try {
      for await (const entry of watch) this.apply(entry);
    } catch (error) {
      this.options.logger.error({ err: error }, 'routing: the watch of the weights failed');
    }
    if (this.isStopped()) return;
    // The watch ended under us (connection closed, consumer lost): follow again; revisions make repeats harmless.
    this.options.logger.warn('routing: the watch of the weights ended; watching again');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    if (!this.isStopped()) await this.follow().catch((error: unknown) => { this.options.logger.error({ err: error }, 'routing: could not watch the weights again'); });
  }

  private apply(entry: KvEntry): void {
    const context = entry.key;
    if (!isContextName(context)) {
      this.options.logger.warn({ key: context }, 'routing: ignoring a key that is not a context');
      return;
    }
    let weight = 0;
    if (entry.operation === 'PUT') {
      try {
        weight = parseRoutingRecord(entry.value, `${ROUTING_BUCKET} ${context} revision ${String(entry.revision)}`).weight;
      } catch (error) {
        this.options.logger.error({ err: error, context, revision: entry.revision }, 'routing: ignoring a weight that does not parse; the previous one stays');
        return;
      }
    }
    const previous = this.table.get(context);
    if (!this.table.set(context, weight, entry.revision)) return;
    this.gauge?.set({ namespace: this.options.metrics?.namespace ?? '', side: this.options.side, context }, weight);
    if (previous.weight !== weight) this.options.logger.info({ context, weight, previous: previous.weight, revision: entry.revision }, `routing: ${context} now sends ${String(weight)}% of its chats to the target`);
    void this.acknowledge(context);
  }

  private async acknowledgeAll(): Promise<void> {
    await Promise.all(this.table.entries().map(([context]) => this.acknowledge(context)));
  }

  private async acknowledge(context: ContextName): Promise<void> {
    if (this.isStopped()) return;
    const { weight, revision } = this.table.get(context);
    const record = { process: this.options.process, side: this.options.side, revision, weight, at: new Date().toISOString(), handles: this.handled.has(context) };
    try {
      await this.buckets.applied.put(appliedKey(context, this.options.process), encodeAppliedRecord(record));
    } catch (error) {
      if (!this.isStopped()) this.options.logger.warn({ err: error, context }, 'routing: could not record the applied weight; retrying at the next heartbeat');
    }
  }
}
