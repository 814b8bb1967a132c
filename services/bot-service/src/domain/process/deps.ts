import type { BotTokens, MainBotIdentity } from '../bot-tokens.js';
import type { RegistryDeps } from '../registry/deps.js';
import type { UserRegistry } from '../users.js';

/** Everything processing Telegram updates needs, injected by the flow layer. */
export interface UpdateProcessingDeps extends RegistryDeps {
  readonly users: UserRegistry;
  readonly mainBot: MainBotIdentity;
  readonly tokens: BotTokens;
  /** How long a sender holds a reply (see deliverReplies); default 60 s. */
  readonly replyLeaseMs?: number;
}
