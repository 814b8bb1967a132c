/**
 * Stand-ins for the fleet in routing tests: a private nats-server per test file (the bus declares
 * the fixed streams and the routing buckets, so files running in parallel must not share them), and
 * "processes" that route by the real KvRouter on their own NATS connection, as the gateway, the
 * monolith and the services do.
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { connectRoutedBus, KvRouter, type JetStreamTransport, type NovaBus } from '@nova/bus';
import { ROUTING_APPLIED_BUCKET, ROUTING_BUCKET } from '@nova/contracts';
import { createLogger, Metrics, type Side } from '@nova/platform';
import { Writable } from 'node:stream';
import { builtinProviders, type ProviderMigration, type TrafficProvider } from '../../../operator/src/providers/index.js';

export { startPrivateNats, until, testMetrics, memoryLogger } from '../../bus/support/nats.js';

const quiet = createLogger({ name: 'routing-test', level: 'warn', destination: new Writable({ write(_chunk, _encoding, done) { done(); } }) });

export interface RoutingProcess {
  readonly name: string;
  readonly router: KvRouter;
  readonly nc: NatsConnection;
  /** Closes its connection: its applied records stop being refreshed (a process that died). */
  stop(): Promise<void>;
}

export async function startRoutingProcess(url: string, name: string, side: Side, heartbeatMs = 250): Promise<RoutingProcess> {
  const nc = await connect({ servers: [url], name });
  const router = await KvRouter.start({ nc, side, process: name, logger: quiet, heartbeatMs });
  return { name, router, nc, stop: async () => { router.stop(); await nc.close(); } };
}

/** The routing buckets as an SRE with the `nats` CLI sees them. */
export async function routingBuckets(nc: NatsConnection): Promise<{ routing: KV; applied: KV }> {
  const kvm = new Kvm(jetstream(nc));
  return { routing: await kvm.open(ROUTING_BUCKET), applied: await kvm.open(ROUTING_APPLIED_BUCKET) };
}

/** Every weight key `context` held, oldest first (the bucket keeps 64 revisions per key). */
export async function weightHistory(routing: KV, context: string): Promise<{ weight: number; fence: number; revision: number }[]> {
  const history: { weight: number; fence: number; revision: number }[] = [];
  for await (const entry of await routing.history({ key: context })) {
    if (entry.operation !== 'PUT') continue;
    const record = entry.json<{ weight: number; fence: number }>();
    history.push({ weight: record.weight, fence: record.fence, revision: entry.revision });
  }
  return history;
}

/** A bus process of the fleet: a routed JetStream bus with its own connection, metrics and router. */
export interface BusProcess {
  readonly bus: NovaBus<JetStreamTransport>;
  readonly router: KvRouter;
  readonly metrics: Metrics;
}

export async function startBusProcess(url: string, name: string, side: Side): Promise<BusProcess> {
  const metrics = new Metrics({ namespace: 'nova', side, defaults: false });
  const { bus, router } = await connectRoutedBus({ servers: [url], name, metrics, logger: quiet, processName: name, heartbeatMs: 250, requestTimeoutMs: 5_000 });
  return { bus, router, metrics };
}

/** The value of a counter or gauge sample in a process's registry (0 when absent). */
export async function sample(metrics: Metrics, name: string, labels: Readonly<Record<string, string>>): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  const found = metric?.values.find((value) => Object.entries(labels).every(([key, wanted]) => String(value.labels[key]) === wanted));
  return found?.value ?? 0;
}

/**
 * Writes weights the way the operator does (its nats provider): each write carries a higher
 * fence, and resolves once every live process applied it.
 */
export class Weights {
  private readonly provider: TrafficProvider;
  private fence = 0;

  constructor(url: string) {
    this.provider = builtinProviders({ fieldManager: 'nova-operator', nats: { servers: [url], applyTimeoutMs: 10_000 } }).get('nats');
  }

  private migration(context: string): ProviderMigration {
    return { namespace: 'nova', name: `stage-${context}`, uid: `uid-${context}`, legacy: { service: 'nova-monolith', port: 8099 }, target: { service: `${context}-service`, port: 8101 }, config: { context }, fence: this.fence };
  }

  async set(context: string, weight: number): Promise<void> {
    this.fence += 1;
    await this.provider.ensureRoute(this.migration(context));
    await this.provider.setWeight(this.migration(context), weight);
  }

  async close(): Promise<void> {
    await this.provider.close?.();
  }
}
