import { create } from '@bufbuild/protobuf';
import { RemoveBotRequestSchema, SetBotGreetingRequestSchema } from '@nova/contracts';
import { InvalidArgumentError, NotFoundError, PermissionDeniedError, type HandlerContext } from '@nova/domain';
import type { IntentOutcome, MainBotIntent, MainBotView } from '../main-bot/decide.js';
import { BotAlreadyAddedError, BotTokenRejectedError, addChildBot } from '../registry/add-bot.js';
import { BotLimitReachedError } from '../registry/bot-allowance.js';
import { removeChildBot } from '../registry/remove-bot.js';
import { setBotGreeting } from '../registry/set-greeting.js';
import { InvalidBotTokenError } from '../token.js';
import type { UpdateProcessingDeps } from './deps.js';

/**
 * Carries out what the main bot decided, keyed by the update's msgID so a redelivered update
 * repeats nothing. Expected refusals become outcomes the conversation answers; transient
 * failures are thrown so the update is retried.
 */
export async function carryOut(
  deps: UpdateProcessingDeps,
  intent: MainBotIntent,
  view: MainBotView,
  owner: bigint,
  effectKey: string,
  ctx: HandlerContext,
): Promise<IntentOutcome> {
  try {
    switch (intent.kind) {
      case 'add':
        return { ok: true, bot: await addChildBot(deps, { ownerTelegramId: owner, token: intent.token, effectKey }, ctx) };
      case 'remove': {
        await removeChildBot(deps, create(RemoveBotRequestSchema, { botId: intent.botId, ownerTelegramId: owner, effectKey }), ctx);
        const bot = view.bots.find((candidate) => candidate.botId === intent.botId);
        if (bot === undefined) return { ok: false, failure: 'not_found' };
        return { ok: true, bot };
      }
      case 'set_greeting': {
        const request = create(SetBotGreetingRequestSchema, { botId: intent.botId, ownerTelegramId: owner, greeting: intent.greeting });
        const { bot } = await setBotGreeting(deps, request, ctx);
        if (bot === undefined) return { ok: false, failure: 'not_found' };
        return { ok: true, bot };
      }
    }
  } catch (error) {
    if (error instanceof InvalidBotTokenError) return { ok: false, failure: 'token_invalid' };
    if (error instanceof BotTokenRejectedError) return { ok: false, failure: 'token_rejected' };
    if (error instanceof BotLimitReachedError) return { ok: false, failure: 'bot_limit', limit: error.limit, subscribed: error.subscribed };
    if (error instanceof BotAlreadyAddedError) {
      return error.ownedByCaller ? { ok: false, failure: 'already_yours', username: error.username } : { ok: false, failure: 'taken' };
    }
    if (error instanceof NotFoundError || error instanceof PermissionDeniedError) return { ok: false, failure: 'not_found' };
    if (error instanceof InvalidArgumentError && error.details.field === 'greeting') return { ok: false, failure: 'greeting_invalid' };
    throw error;
  }
}
