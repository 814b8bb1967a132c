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
import { KvRouter } from '@nova/bus';
import { ROUTING_APPLIED_BUCKET, ROUTING_BUCKET } from '@nova/contracts';
import { createLogger, type Side } from '@nova/platform';
import { Writable } from 'node:stream';

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
