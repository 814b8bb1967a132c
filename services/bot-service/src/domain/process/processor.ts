import { BotRole, type TelegramUpdate } from '@nova/contracts';
import { InvalidArgumentError, type HandlerContext } from '@nova/domain';
import { MalformedUpdateError, readIncomingUpdate } from '../updates/incoming.js';
import { processChildUpdate } from './child-update.js';
import type { UpdateProcessingDeps } from './deps.js';
import { processMainUpdate } from './main-update.js';
import type { ProcessOutcome } from './outcome.js';

export type UpdateProcessor = (update: TelegramUpdate, ctx: HandlerContext) => Promise<ProcessOutcome>;

/**
 * Processes one Telegram update envelope from stream TELEGRAM (or the monolith's webhook): the
 * main bot's or a child bot's, by its role. Resolves when the update is processed and its
 * replies sent (ack it then); rejects with a retryable error when it should be redelivered, or
 * with InvalidArgumentError when redelivering cannot help (dead-letter it).
 */
export function createUpdateProcessor(deps: UpdateProcessingDeps): UpdateProcessor {
  return async (envelope, ctx) => {
    const update = readIncomingUpdate(envelope.rawUpdate);
    if (update.updateId !== envelope.updateId) {
      throw new MalformedUpdateError('the envelope\'s update_id differs from the update\'s', { field: 'update_id' });
    }
    const isMain = envelope.botId === deps.mainBot.botId;
    switch (envelope.botRole) {
      case BotRole.MAIN:
        if (!isMain) throw new InvalidArgumentError(`bot ${envelope.botId} is not the main bot`, { field: 'bot_id' });
        return processMainUpdate(deps, update, ctx);
      case BotRole.CHILD:
        if (isMain) throw new InvalidArgumentError('the main bot is not a child bot', { field: 'bot_role' });
        return processChildUpdate(deps, envelope.botId, update, ctx);
      default:
        throw new InvalidArgumentError('the envelope has no bot role', { field: 'bot_role' });
    }
  };
}
