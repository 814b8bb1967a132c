/**
 * A real JetStream publisher for the domain's EventPublisher port, as the bus will provide one:
 * events are encoded with their contract schema and published with their msgID, so JetStream's
 * de-duplication is what a test observes. Each test file gets its own stream and subject
 * prefix (`<prefix>.nova.…`) so files sharing the test bed's NATS never overlap.
 */
import { fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EVENT_SCHEMAS, type EventMessage, type EventSubject } from '@nova/contracts';
import type { EventPublisher, PublishOptions } from '@nova/domain';
import { component } from '@nova/testbed';
import { randomBytes } from 'node:crypto';

export interface StoredEvent {
  readonly subject: EventSubject;
  readonly msgId: string;
  readonly message: MessageShape<DescMessage>;
}

export class JetStreamTestPublisher implements EventPublisher {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly stream: string,
    private readonly prefix: string,
  ) {}

  static async start(): Promise<JetStreamTestPublisher> {
    const nc = await connect({ servers: component('nats').url });
    const tag = randomBytes(4).toString('hex');
    const publisher = new JetStreamTestPublisher(nc, jetstream(nc), await jetstreamManager(nc), `DOMAIN_${tag.toUpperCase()}`, `domain${tag}`);
    await publisher.createStream();
    return publisher;
  }

  async publish<S extends EventSubject>(subject: S, message: EventMessage<S>, options: PublishOptions): Promise<void> {
    const schema: DescMessage = EVENT_SCHEMAS[subject];
    const payload = toBinary(schema, message as MessageShape<DescMessage>);
    // A short timeout: with the stream gone the publish fails fast ("no responders").
    await this.js.publish(`${this.prefix}.${subject}`, payload, { msgID: options.msgId, timeout: 2_000 });
  }

  /** Removes the stream: publishes fail as they do while JetStream is unavailable. */
  async deleteStream(): Promise<void> {
    await this.jsm.streams.delete(this.stream);
  }

  async createStream(): Promise<void> {
    await this.jsm.streams.add({ name: this.stream, subjects: [`${this.prefix}.>`], duplicate_window: 120_000_000_000 });
  }

  /** Every event the stream holds, in order, decoded with its schema. */
  async stored(): Promise<StoredEvent[]> {
    const info = await this.jsm.streams.info(this.stream);
    const events: StoredEvent[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const stored = await this.jsm.streams.getMessage(this.stream, { seq });
      if (stored === null) continue;
      const subject = stored.subject.slice(this.prefix.length + 1) as EventSubject;
      events.push({ subject, msgId: stored.header.get('Nats-Msg-Id'), message: fromBinary(EVENT_SCHEMAS[subject], stored.data) });
    }
    return events;
  }

  async close(): Promise<void> {
    await this.jsm.streams.delete(this.stream).catch(() => undefined);
    await this.nc.close();
  }
}
