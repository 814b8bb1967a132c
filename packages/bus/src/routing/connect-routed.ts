/**
 * A JetStream bus that routes by the operator's weights (Decided 11): what every process of the
 * fleet (gateway, monolith, services) uses once bus migrations are on. The router shares the
 * bus's NATS connection and stops with it.
 */
import type { RoutingMode } from '@nova/platform';
import { hostname } from 'node:os';
import { NovaBus } from '../bus.js';
import { connectJetStreamBus, type ConnectOptions } from '../connect.js';
import { JetStreamTransport } from '../jetstream/transport.js';
import { KvRouter, type KvRouterOptions } from './kv-router.js';

export interface RoutedConnectOptions extends Omit<ConnectOptions, 'router'>, Pick<KvRouterOptions, 'updatesContext' | 'heartbeatMs' | 'buckets'> {
  /** The process's name in the applied records; default `<name>.<host>.<pid>` (unique per pod). */
  readonly processName?: string;
}

export interface RoutedBus {
  readonly bus: NovaBus<JetStreamTransport>;
  readonly router: KvRouter;
}

export async function connectRoutedBus(options: RoutedConnectOptions): Promise<RoutedBus> {
  const transport = await JetStreamTransport.connect({ ...options, logger: options.logger });
  try {
    const router = await KvRouter.start({
      nc: transport.nc,
      side: options.metrics.side,
      process: options.processName ?? `${options.name}.${hostname()}.${String(process.pid)}`,
      logger: options.logger,
      metrics: options.metrics,
      updatesContext: options.updatesContext,
      heartbeatMs: options.heartbeatMs,
      buckets: options.buckets,
      replicas: options.replicas,
    });
    return { bus: new NovaBus({ ...options, transport, router }), router };
  } catch (error) {
    await transport.close();
    throw error;
  }
}

/**
 * The bus of a deployable, by its NOVA_ROUTING: `kv` routes by the operator's weights, `off` sends
 * everything to the process's own side on the contract subjects (no migration on the bus yet).
 */
export async function connectServiceBus(routing: RoutingMode, options: RoutedConnectOptions): Promise<NovaBus<JetStreamTransport>> {
  if (routing === 'kv') return (await connectRoutedBus(options)).bus;
  return connectJetStreamBus(options);
}
