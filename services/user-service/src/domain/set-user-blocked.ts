import { create } from '@bufbuild/protobuf';
import { SetUserBlockedResponseSchema, type SetUserBlockedRequest, type SetUserBlockedResponse } from '@nova/contracts';
import { NotFoundError, telegramId, text, type Clock, type HandlerContext } from '@nova/domain';
import type { UserDatabase } from './database.js';
import { userMessage } from './mapping.js';

/**
 * An admin blocks or unblocks a user, answering the user before and after. Setting the state it
 * already has changes nothing (a repeated click, a retried request), so no effect key is needed.
 */
export function setUserBlockedHandler(db: UserDatabase, clock: Clock) {
  return async (request: SetUserBlockedRequest, _ctx: HandlerContext): Promise<SetUserBlockedResponse> => {
    const id = telegramId(request.telegramId, 'telegram_id');
    const reason = text(request.reason.trim(), 'reason', { max: 500, required: request.blocked });
    return db.$transaction(async (tx) => {
      const before = await tx.user.findUnique({ where: { telegramId: id } });
      if (before === null) throw new NotFoundError(`no user with telegram id ${id}`, { telegram_id: id.toString() });
      const unchanged = (before.blockedAt !== null) === request.blocked;
      const after = unchanged
        ? before
        : await tx.user.update({
          where: { telegramId: id },
          data: request.blocked ? { blockedAt: clock(), blockedReason: reason ?? null } : { blockedAt: null, blockedReason: null },
        });
      return create(SetUserBlockedResponseSchema, { before: userMessage(before), after: userMessage(after) });
    });
  };
}
