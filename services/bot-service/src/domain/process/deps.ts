import type { BusinessConnection, ListPlansRequest, ListPlansResponse } from '@nova/contracts';
import type { ContextHandlers, HandlerContext } from '@nova/domain';
import type { BotTokens, MainBotIdentity } from '../bot-tokens.js';
import type { AdminSignInDesk } from '../main-bot/admin-link.js';
import type { RegistryDeps } from '../registry/deps.js';
import type { UserRegistry } from '../users.js';

/** Everything processing Telegram updates needs, injected by the flow layer. */
export interface UpdateProcessingDeps extends RegistryDeps {
  readonly users: UserRegistry;
  readonly mainBot: MainBotIdentity;
  readonly tokens: BotTokens;
  /**
   * The payments context as the main bot needs it (svc.payment.* over the bus; its handlers in
   * tests). Absent: /subscribe and /billing answer that payments are not available.
   */
  readonly payments?: PaymentDesk;
  /**
   * The publisher context as the main bot needs it (svc.publisher.* over the bus; its handlers in
   * tests). Absent: the channel, post and story commands answer that publishing is not available.
   */
  readonly publishing?: PublisherDesk;
  /**
   * Where child bots' business connections go (svc.publisher.record_business_connection: the
   * publisher posts stories through them). Absent: business_connection updates are acknowledged
   * and forgotten.
   */
  readonly businessConnections?: BusinessConnectionSink;
  /**
   * The main bot's /admin: one-time sign-in links to the admin panel for the configured admins.
   * Absent: /admin is an unknown command for everyone.
   */
  readonly adminSignIn?: AdminSignInDesk;
  /** How long a sender holds a reply (see deliverReplies); default 60 s. */
  readonly replyLeaseMs?: number;
  /** Aborted when the process stops (see DeliveryDeps.stopping). */
  readonly stopping?: AbortSignal;
}

/**
 * The part of the payments context the main bot uses. `plans` also takes who asks: the catalogue
 * is the same for everyone, but over the bus the question is routed by the asker's id like every
 * other payments request, so during stage 5 a user's payments conversation stays on one side.
 */
export interface PaymentDesk extends Pick<ContextHandlers<'payment'>, 'create_invoice' | 'list'> {
  plans(request: ListPlansRequest, ctx: HandlerContext, asker?: bigint): Promise<ListPlansResponse>;
}

/** Takes a child bot's business connection as Telegram reported it; idempotent (the newer report wins). */
export interface BusinessConnectionSink {
  record(connection: BusinessConnection, ctx: HandlerContext): Promise<void>;
}

/** The part of the publisher context the main bot's commands use. */
export type PublisherDesk = Pick<ContextHandlers<'publisher'>, 'link_channel' | 'unlink_channel' | 'list_channels' | 'create_post' | 'update_post' | 'list_posts' | 'cancel_post' | 'post_story' | 'list_stories'>;
