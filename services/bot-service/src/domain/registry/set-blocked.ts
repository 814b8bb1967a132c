import { create } from '@bufbuild/protobuf';
import { SetBotBlockedResponseSchema, type SetBotBlockedRequest, type SetBotBlockedResponse } from '@nova/contracts';
import { telegramId, text, type HandlerContext } from '@nova/domain';
import { botMessage } from '../mapping.js';
import type { RegistryDeps } from './deps.js';
import { notFound } from './queries.js';

/**
 * An admin blocks or unblocks a child bot, answering the bot before and after. The webhook is
 * left as it is: Telegram keeps delivering, the gateway answers 200 and drops (so Telegram does
 * not retry), and unblocking needs no call to Telegram. Setting the state it already has changes
 * nothing, so a repeated request needs no effect key.
 */
export async function setBotBlocked(deps: Pick<RegistryDeps, 'db' | 'clock'>, request: SetBotBlockedRequest, _ctx: HandlerContext): Promise<SetBotBlockedResponse> {
  const botId = telegramId(request.botId, 'bot_id');
  const reason = text(request.reason.trim(), 'reason', { max: 500, required: request.blocked });
  return deps.db.$transaction(async (tx) => {
    const before = await tx.bot.findUnique({ where: { botId }, include: { _count: { select: { audience: true } } } });
    if (before === null) throw notFound(botId);
    const unchanged = (before.blockedAt !== null) === request.blocked;
    const after = unchanged
      ? before
      : await tx.bot.update({
        where: { botId },
        data: request.blocked ? { blockedAt: deps.clock(), blockedReason: reason ?? null } : { blockedAt: null, blockedReason: null },
      });
    const audience = before._count.audience;
    return create(SetBotBlockedResponseSchema, { before: botMessage(before, audience), after: botMessage(after, audience) });
  });
}
