import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { ChildBotAddedSchema, ChildBotRemovedSchema } from './gen/nova/v1/bot_pb.js';
import { AnnouncementRequestedSchema, PostPublishedSchema, PublicationRequestedSchema } from './gen/nova/v1/publisher_pb.js';
import { SubscriptionActivatedSchema, SubscriptionExpiredSchema } from './gen/nova/v1/payment_pb.js';
import { UserRegisteredSchema } from './gen/nova/v1/user_pb.js';
import type { EventSubject } from './subjects.js';

/**
 * The message each event subject carries. `satisfies` makes the compiler refuse an event listed
 * in subjects.ts EVENTS without a schema here, and a schema for an event that is not listed.
 */
export const EVENT_SCHEMAS = {
  'nova.user.registered': UserRegisteredSchema,
  'nova.bot.added': ChildBotAddedSchema,
  'nova.bot.removed': ChildBotRemovedSchema,
  'nova.publisher.post_published': PostPublishedSchema,
  'nova.publisher.publication_requested': PublicationRequestedSchema,
  'nova.publisher.announcement_requested': AnnouncementRequestedSchema,
  'nova.payment.subscription_activated': SubscriptionActivatedSchema,
  'nova.payment.subscription_expired': SubscriptionExpiredSchema,
} as const satisfies Record<EventSubject, DescMessage>;

export type EventSchema<S extends EventSubject> = (typeof EVENT_SCHEMAS)[S];
export type EventMessage<S extends EventSubject> = MessageShape<EventSchema<S>>;
