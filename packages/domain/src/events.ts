import type { EventMessage, EventSubject } from '@nova/contracts';

export interface PublishOptions {
  /** JetStream de-duplication key (`eventMsgId(subject, key)`): a republished event is dropped. */
  readonly msgId: string;
  /**
   * The chat (Telegram user or chat id) the event is about, when there is one: on a routed bus it
   * decides, once at publish, which side of each consuming context handles the event.
   */
  readonly routingKey?: string | bigint;
}

/**
 * Where domain events go: JetStream in a service, the in-process bus in the monolith. It resolves
 * once the event is stored (JetStream ack) and rejects otherwise.
 */
export interface EventPublisher {
  publish<S extends EventSubject>(subject: S, message: EventMessage<S>, options: PublishOptions): Promise<void>;
}
