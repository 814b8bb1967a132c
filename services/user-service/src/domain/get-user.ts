import { create } from '@bufbuild/protobuf';
import { GetUserResponseSchema, type GetUserRequest, type GetUserResponse } from '@nova/contracts';
import { NotFoundError, telegramId, type HandlerContext } from '@nova/domain';
import type { UserDatabase } from './database.js';
import { userMessage } from './mapping.js';

/** The user with this Telegram id; NOT_FOUND when no bot of the platform has seen them. */
export function getUserHandler(db: UserDatabase) {
  return async (request: GetUserRequest, _ctx: HandlerContext): Promise<GetUserResponse> => {
    const id = telegramId(request.telegramId, 'telegram_id');
    const row = await db.user.findUnique({ where: { telegramId: id } });
    if (row === null) throw new NotFoundError(`no user with telegram id ${id}`, { telegram_id: id.toString() });
    return create(GetUserResponseSchema, { user: userMessage(row) });
  };
}
