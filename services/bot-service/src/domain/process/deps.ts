import type { ContextHandlers } from '@nova/domain';
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

/** The part of the payments context the main bot uses. */
export type PaymentDesk = Pick<ContextHandlers<'payment'>, 'plans' | 'create_invoice' | 'list'>;
