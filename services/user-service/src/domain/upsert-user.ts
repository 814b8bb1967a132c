import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { UpsertUserResponseSchema, UserRegisteredSchema, eventMsgId, type UpsertUserRequest, type UpsertUserResponse } from '@nova/contracts';
import { appendToOutbox, outboxRecord, type Clock, type HandlerContext, type OutboxRecord } from '@nova/domain';
import type { UserDatabase, UserTransaction } from './database.js';
import { claimEffectWithResult, effectResult } from './effects.js';
import { userMessage } from './mapping.js';
import { isRepeatedSighting, recordSighting, storedSightingRow, type Registration } from './sighting-statement.js';
import { upsertInput, type UpsertInput } from './validation.js';

export interface UpsertDeps {
  readonly db: UserDatabase;
  readonly clock: Clock;
  /** Asks for the outbox to be published after this commit; returns at once (see UserContextDeps.publishOutboxSoon). */
  readonly publishOutboxSoon: () => void;
}

interface Outcome {
  readonly response: UpsertUserResponse;
  /** Events may be pending: this call wrote one, or it repeats a call whose publish may have failed. */
  readonly flush: boolean;
}

/** The call repeats an applied effect key: the transaction is rolled back and the first answer given. */
class RepeatedEffect extends Error {
  override readonly name = 'RepeatedEffect';
}

/**
 * Registers a user on first sight (publishing nova.user.registered exactly once, through the
 * outbox) or refreshes names and last_seen_at. With an effect key, a repeated call returns the
 * first call's answer and changes nothing.
 *
 * Round trips (issue 20, bench/README.md): a sighting with an effect key, the common case, is one
 * statement (sighting-statement.ts): the refresh of a known user or the registration of a new one
 * (the user, the event's outbox row), the key and its answer, or the stored answer of a repeated
 * key. A known user's was BEGIN, UPDATE … RETURNING, the key's INSERT, COMMIT; a first sighting's
 * seven statements. A call without a key, and a first sighting racing another one of the same
 * person, take the transaction below: the UPDATE, the INSERT when it found no row, the event's
 * outbox row, the key with its answer. The key is written last, with the answer: of two concurrent
 * calls with one key the second waits on the first's row (the user's, or the key's in the unique
 * index) and then finds the key taken; it undoes what it wrote and answers with the stored answer.
 *
 * A registration answers once its transaction committed, the user and the event's outbox row
 * together; the publish of nova.user.registered follows in the background (issue 20). Before, the
 * answer waited for a flush begun after the commit, so a failed publish failed the call and its
 * redelivery published the event: that put a JetStream round trip per pending row (the flush is
 * serial) on the path of every chat's first reply, and the bots context's partitions waited on
 * it. The event is in the outbox either way; a failed publish now stays pending until the next
 * flush (another registration's, or the OutboxRelay's pass), and JetStream drops a repeat by msgID.
 */
export function upsertUserHandler(deps: UpsertDeps) {
  return async (request: UpsertUserRequest, _ctx: HandlerContext): Promise<UpsertUserResponse> => {
    const input = upsertInput(request);
    const now = deps.clock();
    let outcome = input.effectKey === undefined ? undefined : await sightingOutcome(deps.db, { ...input, effectKey: input.effectKey }, now);
    if (outcome === undefined) {
      try {
        outcome = await deps.db.$transaction((tx) => apply(tx, input, now));
      } catch (error) {
        if (!(error instanceof RepeatedEffect) || input.effectKey === undefined) throw error;
        outcome = await storedOutcome(deps.db, input.effectKey);
      }
    }
    if (outcome.flush) deps.publishOutboxSoon();
    return outcome.response;
  };
}

/** A sighting in one statement; undefined when it raced another first sighting of the person (the transaction decides). */
async function sightingOutcome(db: UserDatabase, input: UpsertInput & { readonly effectKey: string }, now: Date): Promise<Outcome | undefined> {
  const registered = registrationOf(input, now);
  let sighting;
  try {
    sighting = await recordSighting(db, input, now, registered.registration);
  } catch (error) {
    if (!isRepeatedSighting(error)) throw error;
    return await storedOutcome(db, input.effectKey);
  }
  switch (sighting.kind) {
    case 'refreshed':
      return { response: create(UpsertUserResponseSchema, { user: userMessage(sighting.row), created: false }), flush: false };
    case 'registered':
      return { response: registered.response, flush: true };
    case 'repeated':
      // The first call may still be publishing its event: flush as it would (events may be pending).
      return { response: storedResponse(sighting.stored), flush: true };
    case 'unseen':
      return undefined;
  }
}

/** What registering the person would write and answer: the row a first sighting inserts is known in full before it is. */
function registrationOf(input: UpsertInput, now: Date): { readonly response: UpsertUserResponse; readonly registration: Registration } {
  const row = {
    telegramId: input.telegramId, firstName: input.firstName, lastName: input.lastName ?? null, username: input.username ?? null,
    languageCode: input.languageCode ?? null, firstBotId: input.botId, createdAt: now, lastSeenAt: now,
    blockedAt: null, blockedReason: null, chosenLanguage: null,
  };
  const response = create(UpsertUserResponseSchema, { user: userMessage(row), created: true });
  return { response, registration: { answer: toBinary(UpsertUserResponseSchema, response), event: registeredEvent(response, input) } };
}

function registeredEvent(response: UpsertUserResponse, input: UpsertInput): OutboxRecord {
  const event = create(UserRegisteredSchema, { user: response.user, botId: input.botId });
  return outboxRecord('nova.user.registered', event, eventMsgId('nova.user.registered', input.telegramId));
}

async function storedOutcome(db: UserDatabase, effectKey: string): Promise<Outcome> {
  const stored = await effectResult(db, effectKey);
  // A key is written with its answer in one statement; a key without one is unreachable.
  if (stored === null) throw new Error(`effect ${effectKey} was recorded without its answer`);
  // The first call may still be publishing its event: flush as it would (events may be pending).
  return { response: storedResponse(stored), flush: true };
}

/** The answer recorded with a key: the refreshed row (one-statement path) or the response's protobuf (the transaction's). */
function storedResponse(stored: Uint8Array): UpsertUserResponse {
  const row = storedSightingRow(stored);
  return row === undefined ? fromBinary(UpsertUserResponseSchema, stored) : create(UpsertUserResponseSchema, { user: userMessage(row), created: false });
}

async function apply(tx: UserTransaction, input: UpsertInput, now: Date): Promise<Outcome> {
  const names = {
    firstName: input.firstName,
    lastName: input.lastName ?? null,
    username: input.username ?? null,
    languageCode: input.languageCode ?? null,
  };
  const where = { telegramId: input.telegramId };
  const [known] = await tx.user.updateManyAndReturn({ where, data: { ...names, lastSeenAt: now } });
  // ON CONFLICT DO NOTHING: of two concurrent first sightings exactly one inserts; the other
  // (its INSERT waited for the first's commit) updates the row the first inserted.
  const [inserted] = known === undefined
    ? await tx.user.createManyAndReturn({
      data: [{ telegramId: input.telegramId, ...names, firstBotId: input.botId, createdAt: now, lastSeenAt: now }],
      skipDuplicates: true,
    })
    : [];
  const row = known ?? inserted ?? (await tx.user.update({ where, data: { ...names, lastSeenAt: now } }));
  const response = create(UpsertUserResponseSchema, { user: userMessage(row), created: inserted !== undefined });
  if (inserted !== undefined) await appendToOutbox(tx.outboxEvent, [registeredEvent(response, input)]);
  if (input.effectKey !== undefined && !(await claimEffectWithResult(tx, input.effectKey, toBinary(UpsertUserResponseSchema, response)))) {
    throw new RepeatedEffect(`effect ${input.effectKey} was applied before`);
  }
  return { response, flush: inserted !== undefined };
}
