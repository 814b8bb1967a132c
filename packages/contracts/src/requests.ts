import type { DescMethodUnary, MessageShape } from '@bufbuild/protobuf';
import { BotService } from './gen/nova/v1/bot_pb.js';
import { PublisherService } from './gen/nova/v1/publisher_pb.js';
import { PaymentService } from './gen/nova/v1/payment_pb.js';
import { UserService } from './gen/nova/v1/user_pb.js';
import type { ServiceSubject } from './subjects.js';

/**
 * The rpc each request subject stands for: its input and output messages. The subject's method
 * is the short verb of the issue texts (`svc.user.get`), the rpc keeps protobuf's style
 * (`UserService.GetUser`); this table is the one place that pairs them.
 */
export const REQUEST_METHODS = {
  'svc.user.get': UserService.method.getUser,
  'svc.user.upsert': UserService.method.upsertUser,
  'svc.user.stats': UserService.method.userStats,
  'svc.user.search': UserService.method.searchUsers,
  'svc.user.set_blocked': UserService.method.setUserBlocked,
  'svc.user.list_recipients': UserService.method.listRecipients,
  'svc.user.set_language': UserService.method.setUserLanguage,
  'svc.bot.list': BotService.method.listBots,
  'svc.bot.get': BotService.method.getBot,
  'svc.bot.remove': BotService.method.removeBot,
  'svc.bot.set_greeting': BotService.method.setBotGreeting,
  'svc.bot.webhook_auth': BotService.method.getWebhookAuth,
  'svc.bot.sealed_token': BotService.method.getSealedToken,
  'svc.bot.set_blocked': BotService.method.setBotBlocked,
  'svc.bot.stats': BotService.method.botStats,
  'svc.publisher.link_channel': PublisherService.method.linkChannel,
  'svc.publisher.unlink_channel': PublisherService.method.unlinkChannel,
  'svc.publisher.list_channels': PublisherService.method.listChannels,
  'svc.publisher.create_post': PublisherService.method.createPost,
  'svc.publisher.update_post': PublisherService.method.updatePost,
  'svc.publisher.cancel_post': PublisherService.method.cancelPost,
  'svc.publisher.list_posts': PublisherService.method.listPosts,
  'svc.publisher.publish_due': PublisherService.method.publishDue,
  'svc.publisher.grant_posting': PublisherService.method.grantPosting,
  'svc.publisher.record_business_connection': PublisherService.method.recordBusinessConnection,
  'svc.publisher.post_story': PublisherService.method.postStory,
  'svc.publisher.list_stories': PublisherService.method.listStories,
  'svc.publisher.list_due': PublisherService.method.listDue,
  'svc.publisher.stats': PublisherService.method.publisherStats,
  'svc.publisher.announce': PublisherService.method.announce,
  'svc.publisher.announcement_status': PublisherService.method.getAnnouncementStatus,
  'svc.publisher.list_announcements': PublisherService.method.listAnnouncements,
  'svc.payment.plans': PaymentService.method.listPlans,
  'svc.payment.create_invoice': PaymentService.method.createInvoice,
  'svc.payment.entitlement': PaymentService.method.getEntitlement,
  'svc.payment.list': PaymentService.method.listPayments,
  'svc.payment.expire_due': PaymentService.method.expireDue,
  'svc.payment.expiring': PaymentService.method.listExpiring,
  'svc.payment.grant': PaymentService.method.grantSubscription,
  'svc.payment.revoke': PaymentService.method.revokeSubscription,
  'svc.payment.stats': PaymentService.method.paymentStats,
} as const satisfies Record<ServiceSubject, DescMethodUnary>;

export type RequestMethod<S extends ServiceSubject> = (typeof REQUEST_METHODS)[S];
export type RequestMessage<S extends ServiceSubject> = MessageShape<RequestMethod<S>['input']>;
export type ResponseMessage<S extends ServiceSubject> = MessageShape<RequestMethod<S>['output']>;
