import { create } from '@bufbuild/protobuf';
import { UpsertUserRequestSchema, type UpsertUserRequest, type UpsertUserResponse } from '@nova/contracts';
import { isRetryable, type HandlerContext } from '@nova/domain';
import type { IncomingSender } from './updates/incoming.js';

/**
 * The users context as the bots context needs it: svc.user.upsert over NATS in the service, the
 * user-service's handler itself in the monolith.
 */
export interface UserRegistry {
  upsert(request: UpsertUserRequest, ctx: HandlerContext): Promise<UpsertUserResponse>;
}

/**
 * created: first sight; known: seen before; blocked: seen before and blocked by an admin (the
 * main bot ignores them); refused: the users context rejected the sender's data (not retried).
 */
export type Registration = 'created' | 'known' | 'blocked' | 'refused' | 'none';

/**
 * Records the sender with the users context, keyed by the update's msgID so a redelivered update
 * registers nobody twice. A refusal of the data (a non-retryable error) does not stop the bot
 * from answering; a transient failure is thrown so the update is retried.
 */
export async function registerSender(
  users: UserRegistry,
  sender: IncomingSender | undefined,
  botId: bigint,
  effectKey: string,
  ctx: HandlerContext,
): Promise<Registration> {
  if (sender === undefined || sender.isBot) return 'none';
  const request = create(UpsertUserRequestSchema, {
    telegramId: sender.id,
    firstName: sender.firstName,
    lastName: sender.lastName ?? '',
    username: sender.username ?? '',
    languageCode: sender.languageCode ?? '',
    botId,
    effectKey,
  });
  try {
    const answer = await users.upsert(request, ctx);
    if (answer.user?.blocked === true) return 'blocked';
    return answer.created ? 'created' : 'known';
  } catch (error) {
    if (isRetryable(error)) throw error;
    return 'refused';
  }
}
