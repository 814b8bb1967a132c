/** Building a bus for a process: on JetStream (a service) or in-process (the monolith). */
import type { Logger, Metrics } from '@nova/platform';
import { NovaBus, type BusOptions } from './bus.js';
import { InProcessTransport } from './in-process/transport.js';
import { JetStreamTransport, type JetStreamTransportOptions } from './jetstream/transport.js';

export interface ConnectOptions extends Omit<BusOptions, 'transport'>, Omit<JetStreamTransportOptions, 'logger'> {}

/** Connects to NATS, ensures the streams, and returns a bus on JetStream. */
export async function connectJetStreamBus(options: ConnectOptions): Promise<NovaBus<JetStreamTransport>> {
  const transport = await JetStreamTransport.connect({ ...options, logger: options.logger });
  return new NovaBus({ ...options, transport });
}

export function createInProcessBus(options: Omit<BusOptions, 'transport'>): NovaBus<InProcessTransport> {
  return new NovaBus({ ...options, transport: new InProcessTransport() });
}

export interface ServiceBusContext {
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly readiness: { add(name: string, check: () => boolean): void };
  onStop(name: string, step: () => Promise<void>): void;
}

/**
 * Wires a bus into runService's context: readiness reports it, and the graceful stop closes it
 * (consumers finish what they hold, servers answer what they took, then NATS drains).
 */
export function attachBus<B extends NovaBus>(service: ServiceBusContext, bus: B): B {
  service.readiness.add('bus', () => bus.ready());
  service.onStop('bus', () => bus.close());
  return bus;
}
