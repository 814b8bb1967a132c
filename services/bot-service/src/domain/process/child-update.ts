import { telegramMsgId } from '@nova/contracts';
import type { HandlerContext } from '@nova/domain';
import { routeChildBotUpdate } from '../child-bot/router.js';
import { claimEffect } from '../effects.js';
import { recordReplies } from '../replies/outgoing.js';
import { businessConnectionOf } from '../updates/business-connection.js';
import type { IncomingUpdate } from '../updates/incoming.js';
import { registerSender } from '../users.js';
import type { UpdateProcessingDeps } from './deps.js';
import type { ProcessOutcome } from './outcome.js';
import { deliver, isProcessed, updateEffectKey } from './shared.js';

/**
 * One update to a child bot: register the sender with the users context, then in one transaction
 * record the update as processed, route the update through telegraf (in memory: whom to count,
 * what to answer), count the sender in the bot's audience and record the greeting into the
 * outbox; then send it. A redelivery finds the update processed and only sends what is unsent.
 */
export async function processChildUpdate(deps: UpdateProcessingDeps, botId: bigint, update: IncomingUpdate, ctx: HandlerContext): Promise<ProcessOutcome> {
  const key = updateEffectKey(botId, update.updateId);
  if (await isProcessed(deps.db, key)) return { effectKey: key, repeated: true, registration: 'none', delivery: await deliver(deps, key) };

  // Forwarded before the update is marked processed: a failure is redelivered, and the
  // publisher keeps the newer of two reports, so forwarding twice is harmless.
  const connection = businessConnectionOf(update.raw, botId);
  if (connection !== undefined) await deps.businessConnections?.record(connection, ctx);
  const registration = await registerSender(deps.users, update.message?.sender, botId, telegramMsgId(botId, update.updateId), ctx);
  const now = deps.clock();
  const fresh = await deps.db.$transaction(async (tx) => {
    if (!(await claimEffect(tx, key))) return false;
    const bot = await tx.bot.findUnique({ where: { botId }, select: { botId: true, username: true, greeting: true, blockedAt: true } });
    // A bot removed while its updates were in flight: nothing to say, nobody to count. A blocked
    // bot (an admin's decision) likewise, also for updates the gateway took before it knew.
    if (bot === null || bot.blockedAt !== null) return true;
    const decision = await routeChildBotUpdate({ update, bot, now });
    if (decision.audienceMember !== undefined) {
      const member = { botId, telegramId: decision.audienceMember };
      await tx.botAudience.upsert({
        where: { botId_telegramId: member },
        create: { ...member, firstSeenAt: now, lastSeenAt: now },
        update: { lastSeenAt: now },
      });
    }
    await recordReplies(tx, key, botId, decision.replies);
    return true;
  });
  return { effectKey: key, repeated: !fresh, registration, delivery: await deliver(deps, key) };
}
