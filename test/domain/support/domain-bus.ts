/**
 * Events of the domain tests go out the way the deployables send them: through the production
 * EventPublisher, `busEventPublisher` (@nova/wiring), over a real JetStream bus
 * (`connectJetStreamBus`, which declares the NOVA stream as the services do), so the msgID rule,
 * the subject, the headers and JetStream's de-duplication a test observes are production's. The
 * bus's streams have fixed names, so each test file gets a nats-server of its own (as test/bus
 * does) instead of sharing the test bed's with files that run at the same time.
 *
 * Beside the bus, on the same server, this reads back what the NOVA stream holds and makes a
 * JetStream outage (the stream gone), which production code has no reason to do.
 */
import { fromBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { connectJetStreamBus, ensureStreams, ROUTING_KEY_HEADER, type JetStreamTransport, type NovaBus } from '@nova/bus';
import { EVENT_SCHEMAS, STREAMS, type EventSubject } from '@nova/contracts';
import type { EventPublisher } from '@nova/domain';
import { createLogger, Metrics } from '@nova/platform';
import { Stack, startNats } from '@nova/testbed';
import { busEventPublisher } from '@nova/wiring';
import { Writable } from 'node:stream';

export interface StoredEvent {
  readonly subject: EventSubject;
  readonly msgId: string;
  /** The Nova-Routing-Key header the bus stamped, if the event had a routing key. */
  readonly routingKey: string | undefined;
  readonly message: MessageShape<DescMessage>;
}

export class DomainBus {
  /** The production EventPublisher over `bus`. */
  readonly publisher: EventPublisher;

  private constructor(private readonly stack: Stack, readonly bus: NovaBus<JetStreamTransport>) {
    this.publisher = busEventPublisher(bus);
  }

  static async start(name: string): Promise<DomainBus> {
    const stack = Stack.create({ keep: process.env.NOVA_TESTBED_KEEP === '1' });
    try {
      const nats = await startNats(stack);
      const logger = createLogger({ name, level: 'warn', destination: new Writable({ write(_chunk, _encoding, done) { done(); } }) });
      const metrics = new Metrics({ namespace: 'test', side: 'target', defaults: false });
      const bus = await connectJetStreamBus({ servers: [nats.url], name, metrics, logger });
      return new DomainBus(stack, bus);
    } catch (error) {
      await stack.stop();
      throw error;
    }
  }

  /** Every event the NOVA stream holds, in order, decoded with its schema. */
  async stored(): Promise<StoredEvent[]> {
    const { jsm } = this.bus.transport;
    const info = await jsm.streams.info(STREAMS.NOVA);
    const events: StoredEvent[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const stored = await jsm.streams.getMessage(STREAMS.NOVA, { seq });
      if (stored === null) continue;
      const subject = stored.subject as EventSubject;
      const routingKey = stored.header.get(ROUTING_KEY_HEADER);
      events.push({ subject, msgId: stored.header.get('Nats-Msg-Id'), routingKey: routingKey === '' ? undefined : routingKey, message: fromBinary(EVENT_SCHEMAS[subject], stored.data) });
    }
    return events;
  }

  /** Removes the NOVA stream: publishes fail as they do while JetStream cannot store events. */
  async deleteStream(): Promise<void> {
    await this.bus.transport.jsm.streams.delete(STREAMS.NOVA);
  }

  /** Declares the streams again, as a service does at start. */
  async createStream(): Promise<void> {
    await ensureStreams(this.bus.transport.jsm);
  }

  async close(): Promise<void> {
    try {
      await this.bus.close();
    } finally {
      await this.stack.stop();
    }
  }
}
