import { create } from '@bufbuild/protobuf';
import { SearchUsersResponseSchema, type SearchUsersRequest, type SearchUsersResponse } from '@nova/contracts';
import { InvalidArgumentError, text, type HandlerContext } from '@nova/domain';
import type { Prisma } from '../generated/prisma/client.js';
import type { UserDatabase } from './database.js';
import { userMessage } from './mapping.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

/**
 * The admin panel's search. A number is a Telegram id (exact); "@name" an exact username
 * (case-insensitive); anything else a part of a username or a name. A person types these, so
 * the whole table may be scanned: an admin's occasional search, not a hot path (an index for
 * substrings, pg_trgm, needs an extension the schema's role may not create).
 */
export function searchUsersHandler(db: UserDatabase) {
  return async (request: SearchUsersRequest, _ctx: HandlerContext): Promise<SearchUsersResponse> => {
    const query = (text(request.query.trim(), 'query', { max: 100, required: true }) ?? '');
    if (request.limit < 0) throw new InvalidArgumentError('limit must not be negative', { field: 'limit' });
    const take = Math.min(request.limit === 0 ? DEFAULT_LIMIT : request.limit, MAX_LIMIT);
    const rows = await db.user.findMany({ where: searchFilter(query), orderBy: { lastSeenAt: 'desc' }, take });
    return create(SearchUsersResponseSchema, { users: rows.map(userMessage) });
  };
}

function searchFilter(query: string): Prisma.UserWhereInput {
  if (/^\d{1,16}$/.test(query)) return { telegramId: BigInt(query) };
  if (query.startsWith('@')) return { username: { equals: query.slice(1), mode: 'insensitive' } };
  const part = { contains: query, mode: 'insensitive' } as const;
  return { OR: [{ username: part }, { firstName: part }, { lastName: part }] };
}
