import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { SubscriptionActivatedSchema, SubscriptionExpiredSchema, UserRegisteredSchema, type EventMessage, type EventSubject } from '@nova/contracts';
import { paymentEventRoutingKey } from './outbox-store.js';

describe('paymentEventRoutingKey', () => {
  it('routes both payment events by the subscription\'s user', () => {
    const activated = create(SubscriptionActivatedSchema, { subscription: { id: 's1', telegramId: 42n } });
    const expired = create(SubscriptionExpiredSchema, { subscription: { id: 's1', telegramId: 42n } });
    expect(paymentEventRoutingKey('nova.payment.subscription_activated', activated)).toBe(42n);
    expect(paymentEventRoutingKey('nova.payment.subscription_expired', expired)).toBe(42n);
  });

  it('gives no key for an event without a user, or another context\'s event', () => {
    expect(paymentEventRoutingKey('nova.payment.subscription_expired', create(SubscriptionExpiredSchema, {}))).toBeUndefined();
    const other = create(UserRegisteredSchema, { user: { telegramId: 7n } }) as EventMessage<EventSubject>;
    expect(paymentEventRoutingKey('nova.user.registered', other)).toBeUndefined();
  });
});
