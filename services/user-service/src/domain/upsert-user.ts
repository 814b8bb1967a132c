import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { UpsertUserResponseSchema, UserRegisteredSchema, eventMsgId, type UpsertUserRequest, type UpsertUserResponse } from '@nova/contracts';
import { appendToOutbox, outboxRecord, type Clock, type HandlerContext } from '@nova/domain';
import type { UserDatabase, UserTransaction } from './database.js';
import { claimEffect, effectResult, recordEffectResult } from './effects.js';
import { userMessage } from './mapping.js';
import { upsertInput, type UpsertInput } from './validation.js';

export interface UpsertDeps {
  readonly db: UserDatabase;
  readonly clock: Clock;
  /** Publishes what the outbox holds (coalesced per process: see UserContextDeps.flushOutbox). */
  readonly flushOutbox: () => Promise<unknown>;
}

interface Outcome {
  readonly response: UpsertUserResponse;
  /** Events may be pending: this call wrote one, or it repeats a call whose publish may have failed. */
  readonly flush: boolean;
}

/**
 * Registers a user on first sight (publishing nova.user.registered exactly once, through the
 * outbox) or refreshes names and last_seen_at. With an effect key, a repeated call returns the
 * first call's answer and changes nothing.
 */
export function upsertUserHandler(deps: UpsertDeps) {
  return async (request: UpsertUserRequest, _ctx: HandlerContext): Promise<UpsertUserResponse> => {
    const input = upsertInput(request);
    const outcome = await deps.db.$transaction((tx) => apply(tx, input, deps.clock()));
    if (outcome.flush) await deps.flushOutbox();
    return outcome.response;
  };
}

async function apply(tx: UserTransaction, input: UpsertInput, now: Date): Promise<Outcome> {
  if (input.effectKey !== undefined && !(await claimEffect(tx, input.effectKey))) {
    const stored = await effectResult(tx, input.effectKey);
    // A key claimed without an answer was written by a transaction that also rolled it back; unreachable.
    if (stored === null) throw new Error(`effect ${input.effectKey} was recorded without its answer`);
    return { response: fromBinary(UpsertUserResponseSchema, stored), flush: true };
  }
  const names = {
    firstName: input.firstName,
    lastName: input.lastName ?? null,
    username: input.username ?? null,
    languageCode: input.languageCode ?? null,
  };
  // ON CONFLICT DO NOTHING: of two concurrent first sightings exactly one inserts.
  const [inserted] = await tx.user.createManyAndReturn({
    data: [{ telegramId: input.telegramId, ...names, firstBotId: input.botId, createdAt: now, lastSeenAt: now }],
    skipDuplicates: true,
  });
  const row = inserted ?? (await tx.user.update({ where: { telegramId: input.telegramId }, data: { ...names, lastSeenAt: now } }));
  const response = create(UpsertUserResponseSchema, { user: userMessage(row), created: inserted !== undefined });
  if (inserted !== undefined) {
    const event = create(UserRegisteredSchema, { user: response.user, botId: input.botId });
    await appendToOutbox(tx.outboxEvent, [outboxRecord('nova.user.registered', event, eventMsgId('nova.user.registered', input.telegramId))]);
  }
  if (input.effectKey !== undefined) await recordEffectResult(tx, input.effectKey, toBinary(UpsertUserResponseSchema, response));
  return { response, flush: inserted !== undefined };
}
