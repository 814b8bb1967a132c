import type { ContextHandlers } from '@nova/domain';
import type { RegistryDeps } from './registry/deps.js';
import { getBot, listBots, sealedToken, webhookAuth } from './registry/queries.js';
import { removeChildBot } from './registry/remove-bot.js';
import { setBotBlocked } from './registry/set-blocked.js';
import { setBotGreeting } from './registry/set-greeting.js';
import { botStats } from './registry/stats.js';

/** The bots context's request handlers, keyed like METHODS.bot: svc.bot.set_greeting → set_greeting. */
export function createBotHandlers(deps: RegistryDeps): ContextHandlers<'bot'> {
  return {
    list: (request, ctx) => listBots(deps.db, request, ctx),
    get: (request, ctx) => getBot(deps.db, request, ctx),
    remove: (request, ctx) => removeChildBot(deps, request, ctx),
    set_greeting: (request, ctx) => setBotGreeting(deps, request, ctx),
    webhook_auth: (request, ctx) => webhookAuth(deps.db, request, ctx),
    sealed_token: (request, ctx) => sealedToken(deps.db, request, ctx),
    set_blocked: (request, ctx) => setBotBlocked(deps, request, ctx),
    stats: (request, ctx) => botStats(deps, request, ctx),
  };
}
