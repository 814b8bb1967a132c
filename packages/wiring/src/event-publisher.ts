/**
 * The domain's EventPublisher port over the bus. The domain names each event by its full msgID
 * (`eventMsgId(subject, key)` = `<subject>:<key>`); the bus builds that msgID from the key, so
 * the key is what passes.
 */
import type { Bus } from '@nova/bus';
import type { EventMessage, EventSubject } from '@nova/contracts';
import type { EventPublisher, PublishOptions } from '@nova/domain';

/** An event whose msgID is not `<subject>:<key>`: it would not be de-duplicated as its writer meant. */
export class EventMsgIdError extends Error {
  override readonly name = 'EventMsgIdError';
  constructor(readonly subject: string, readonly msgId: string) {
    super(`event msgID "${msgId}" does not start with "${subject}:"`);
  }
}

export function busEventPublisher(bus: Pick<Bus, 'publishEvent'>): EventPublisher {
  return {
    async publish<S extends EventSubject>(subject: S, message: EventMessage<S>, options: PublishOptions): Promise<void> {
      const prefix = `${subject}:`;
      if (!options.msgId.startsWith(prefix) || options.msgId.length === prefix.length) throw new EventMsgIdError(subject, options.msgId);
      const key = options.msgId.slice(prefix.length);
      await bus.publishEvent(subject, message as never, options.routingKey === undefined ? { key } : { key, routingKey: options.routingKey });
    },
  };
}
