import type { ListPlansRequest, ListPlansResponse } from '@nova/contracts';
import type { ContextHandlers, HandlerContext } from '@nova/domain';
import type { BotTokens, MainBotIdentity } from '../bot-tokens.js';
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
  /** How long a sender holds a reply (see deliverReplies); default 60 s. */
  readonly replyLeaseMs?: number;
}

/**
 * The part of the payments context the main bot uses. `plans` also takes who asks: the catalogue
 * is the same for everyone, but over the bus the question is routed by the asker's id like every
 * other payments request, so during stage 5 a user's payments conversation stays on one side.
 */
export interface PaymentDesk extends Pick<ContextHandlers<'payment'>, 'create_invoice' | 'list'> {
  plans(request: ListPlansRequest, ctx: HandlerContext, asker?: bigint): Promise<ListPlansResponse>;
}
