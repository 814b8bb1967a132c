import { create } from '@bufbuild/protobuf';
import { ListRecipientsResponseSchema, type ListRecipientsRequest, type ListRecipientsResponse } from '@nova/contracts';
import { InvalidArgumentError, type HandlerContext } from '@nova/domain';
import { chooseLocale } from '@nova/i18n';
import type { UserDatabase } from './database.js';

const DEFAULT_LIMIT = 1_000;
export const MAX_RECIPIENTS_PAGE = 5_000;

/**
 * The users an admin's announcement goes to (the publisher context asks, page by page): every
 * user not blocked by an admin, in Telegram id order, after the last id of the previous page. A
 * keyset page on the primary key: a user who registers meanwhile falls into a later page or was
 * already passed, never into two. A private chat's id is the user's id. Each comes with the
 * language they read (their /language choice, else their Telegram app's), so the announcement
 * reaches each in their own language, not its sender's.
 */
export function listRecipientsHandler(db: UserDatabase) {
  return async (request: ListRecipientsRequest, _ctx: HandlerContext): Promise<ListRecipientsResponse> => {
    if (request.limit < 0 || request.limit > MAX_RECIPIENTS_PAGE) {
      throw new InvalidArgumentError(`limit must be from 0 to ${String(MAX_RECIPIENTS_PAGE)}`, { field: 'limit', limit: String(request.limit) });
    }
    const take = request.limit === 0 ? DEFAULT_LIMIT : request.limit;
    const rows = await db.user.findMany({
      where: { telegramId: { gt: request.afterTelegramId }, blockedAt: null },
      orderBy: { telegramId: 'asc' },
      take,
      select: { telegramId: true, chosenLanguage: true, languageCode: true },
    });
    return create(ListRecipientsResponseSchema, {
      telegramIds: rows.map((row) => row.telegramId),
      recipients: rows.map((row) => ({ telegramId: row.telegramId, language: chooseLocale(row.chosenLanguage ?? undefined, row.languageCode ?? undefined) })),
      done: rows.length < take,
    });
  };
}
