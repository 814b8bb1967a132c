import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { createInProcessBus, type Delivery } from '@nova/bus';
import { UserRegisteredSchema, eventMsgId } from '@nova/contracts';
import { createLogger, Metrics } from '@nova/platform';
import { Writable } from 'node:stream';
import { busEventPublisher, EventMsgIdError } from './event-publisher.js';

describe('busEventPublisher', () => {
  it('publishes with the domain\'s msgID, so a republished event is de-duplicated', async () => {
    const logger = createLogger({ name: 'test', level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });
    const bus = createInProcessBus({ metrics: new Metrics({ namespace: 'test', side: 'legacy', defaults: false }), logger });
    const seen: Delivery[] = [];
    await bus.consumeEvents({ name: 'seen', context: 'bot', subjects: ['nova.user.registered'], handle: (_event, delivery) => { seen.push(delivery); return Promise.resolve(); } });
    const publisher = busEventPublisher(bus);
    const event = create(UserRegisteredSchema, { user: { telegramId: 42n, firstName: 'Ann' }, botId: 9n });
    await publisher.publish('nova.user.registered', event, { msgId: eventMsgId('nova.user.registered', 42n) });
    await publisher.publish('nova.user.registered', event, { msgId: eventMsgId('nova.user.registered', 42n) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.map((delivery) => delivery.idempotencyKey)).toEqual(['nova.user.registered:42']);
    expect(seen[0]?.routingKey).toBeUndefined();
    await publisher.publish('nova.user.registered', event, { msgId: eventMsgId('nova.user.registered', 43n), routingKey: 42n });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen[1]?.routingKey).toBe('42');
    await expect(publisher.publish('nova.user.registered', event, { msgId: 'nova.bot.added:42' })).rejects.toBeInstanceOf(EventMsgIdError);
    await bus.close();
  });
});
