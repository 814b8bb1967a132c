import type { OutboxRecord } from '@nova/domain';
import type { User as UserRow } from '../generated/prisma/client.js';
import type { UserDatabase } from './database.js';
import type { UpsertInput } from './validation.js';

/** What one statement found for a sighting with an effect key (recordSighting). */
export type Sighting =
  /** The user was known: names and last_seen_at refreshed, the key recorded with `row` as its answer. */
  | { readonly kind: 'refreshed'; readonly row: UserRow }
  /** The user was new: registered, the event's outbox row written, the key recorded with the registration's answer. */
  | { readonly kind: 'registered' }
  /** The key was applied before: nothing changed; `stored` is the answer recorded with it. */
  | { readonly kind: 'repeated'; readonly stored: Uint8Array }
  /** None of these: a first sighting racing another one of the same person, for the transaction to decide. */
  | { readonly kind: 'unseen' };

/** What a first sighting writes, decided before the statement (every value of a new row is known then). */
export interface Registration {
  /** The call's answer (an UpsertUserResponse with created: true), recorded with the key. */
  readonly answer: Uint8Array;
  /** nova.user.registered's outbox row. */
  readonly event: OutboxRecord;
}

interface SightingRow {
  /** The answer recorded with the key before this call, when there is one. */
  readonly stored: Uint8Array | null;
  /** The refreshed row as the JSON recorded with the key; null when no known row was refreshed. */
  readonly answer: string | null;
  /** Whether this statement inserted the user. */
  readonly registered: boolean;
  readonly recorded: boolean;
}

/**
 * A sighting with an effect key, the common case of svc.user.upsert (every message a person sends
 * a bot), in one statement (issue 20): a known user's was BEGIN, the UPDATE … RETURNING, the key's
 * INSERT with its answer, COMMIT; a first sighting's was that statement finding no one and then
 * BEGIN, UPDATE, INSERT of the user, the event's outbox row, the key, COMMIT (seven round trips,
 * each a pass through Prisma's interactive transaction and query compiler, on the path of every
 * chat's first reply: at 200 msg/s the first seconds are hundreds of them at once).
 *
 * The statement refreshes the row unless the key is already recorded; finding no row, it inserts
 * the user (ON CONFLICT DO NOTHING) and, only if it did, the event's outbox row; and it records the
 * key with its answer: the refreshed row as JSON (`storedSightingRow` reads it back), or the
 * registration's protobuf answer, decided before the statement (the first byte tells which). A
 * single statement is atomic, so the key is recorded exactly when the change is, as Decided 4
 * asks, and the event exactly when the user is. Of two concurrent calls with one key for a known
 * user, the second's UPDATE waits on the first's row lock and its INSERT then finds the key taken;
 * it must not keep its refresh ("a repeated call changes nothing"), so the statement fails with
 * division_by_zero (`1 / 0` on the count of keys it recorded, the one way plain SQL aborts a
 * statement on a computed condition), which undoes the refresh, and the caller answers with the
 * stored answer as after a rolled-back transaction. Of two concurrent first sightings of one
 * person (any keys), the second's INSERT waits on the first's index entry and then inserts
 * nothing: the statement changed nothing and says `unseen`, and the transaction decides (it finds
 * the row committed by then).
 *
 * The tables are named with the context's schema (raw SQL resolves by the login's search_path
 * otherwise); on stage 7's "before" arrangement they are simple views, which take the UPDATE and
 * the INSERT … ON CONFLICT as tables do (as child-update-statements.ts in the bots context), and
 * the outbox row's id and created_at come from the table's defaults through the view.
 */
export async function recordSighting(db: UserDatabase, input: UpsertInput & { readonly effectKey: string }, now: Date, registration: Registration): Promise<Sighting> {
  const rows = await db.$queryRaw<SightingRow[]>`
    WITH seen AS (
      SELECT result FROM user_service.processed_effects WHERE effect_key = ${input.effectKey}
    ), refreshed AS (
      UPDATE user_service.users
         SET first_name = ${input.firstName}, last_name = ${input.lastName ?? null}, username = ${input.username ?? null},
             language_code = ${input.languageCode ?? null}, last_seen_at = ${now}
       WHERE telegram_id = ${input.telegramId} AND NOT EXISTS (SELECT 1 FROM seen)
      RETURNING telegram_id, username, first_name, last_name, language_code, first_bot_id, created_at, last_seen_at,
                blocked_at, blocked_reason, chosen_language
    ), inserted AS (
      INSERT INTO user_service.users (telegram_id, username, first_name, last_name, language_code, first_bot_id, created_at, last_seen_at)
      SELECT ${input.telegramId}, ${input.username ?? null}, ${input.firstName}, ${input.lastName ?? null}, ${input.languageCode ?? null},
             ${input.botId}, ${now}, ${now}
       WHERE NOT EXISTS (SELECT 1 FROM seen) AND NOT EXISTS (SELECT 1 FROM refreshed)
      ON CONFLICT (telegram_id) DO NOTHING
      RETURNING telegram_id
    ), event AS (
      INSERT INTO user_service.outbox_events (subject, msg_id, payload)
      SELECT ${registration.event.subject}, ${registration.event.msgId}, decode(${base64(registration.event.payload)}, 'base64') FROM inserted
    ), answer AS (
      SELECT json_build_object(
               'telegramId', telegram_id::text, 'username', username, 'firstName', first_name, 'lastName', last_name,
               'languageCode', language_code, 'firstBotId', first_bot_id::text, 'createdAt', created_at,
               'lastSeenAt', last_seen_at, 'blockedAt', blocked_at, 'blockedReason', blocked_reason,
               'chosenLanguage', chosen_language)::text AS json,
             false AS registered
        FROM refreshed
      UNION ALL
      SELECT NULL, true FROM inserted
    ), recorded AS (
      INSERT INTO user_service.processed_effects (effect_key, result)
      SELECT ${input.effectKey}, CASE WHEN registered THEN decode(${base64(registration.answer)}, 'base64') ELSE convert_to(json, 'UTF8') END
        FROM answer
      ON CONFLICT DO NOTHING
      RETURNING effect_key
    )
    SELECT (SELECT result FROM seen) AS stored, a.json AS answer, coalesce(a.registered, false) AS registered,
           CASE WHEN a.registered IS NULL THEN false ELSE 1 / (SELECT count(*)::int FROM recorded) = 1 END AS recorded
      FROM (SELECT 1) AS one
      LEFT JOIN answer AS a ON true`;
  const [row] = rows;
  if (row === undefined) throw new Error('the sighting statement returned no row');
  if (row.stored !== null) return { kind: 'repeated', stored: new Uint8Array(row.stored) };
  if (!row.recorded) return { kind: 'unseen' };
  if (row.registered) return { kind: 'registered' };
  if (row.answer === null) throw new Error('the sighting statement recorded a key without its answer');
  return { kind: 'refreshed', row: sightingRow(row.answer) };
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** The row recordSighting recorded as a key's answer, or undefined when `stored` is the transaction's protobuf. */
export function storedSightingRow(stored: Uint8Array): UserRow | undefined {
  // '{' never starts an UpsertUserResponse: it would be field 15 with the group wire type, which
  // proto3 never writes (its first byte is 0x0a, the user, or 0x10, created).
  return stored[0] === 0x7b ? sightingRow(new TextDecoder().decode(stored)) : undefined;
}

/** The row from the statement's JSON (ids as text: a JSON number would lose a bigint's precision). */
function sightingRow(text: string): UserRow {
  const json = JSON.parse(text) as Record<string, string | null | undefined>;
  const date = (value: string | null | undefined): Date | null => (value === null || value === undefined ? null : new Date(value));
  const required = (name: string): string => {
    const value = json[name];
    if (typeof value !== 'string') throw new Error(`a stored sighting has no ${name}`);
    return value;
  };
  return {
    telegramId: BigInt(required('telegramId')),
    username: json.username ?? null,
    firstName: required('firstName'),
    lastName: json.lastName ?? null,
    languageCode: json.languageCode ?? null,
    firstBotId: BigInt(required('firstBotId')),
    createdAt: new Date(required('createdAt')),
    lastSeenAt: new Date(required('lastSeenAt')),
    blockedAt: date(json.blockedAt),
    blockedReason: json.blockedReason ?? null,
    chosenLanguage: json.chosenLanguage ?? null,
  };
}

/** Whether `error` is the statement's refusal to keep a refresh whose key another call recorded first. */
export function isRepeatedSighting(error: unknown): boolean {
  // PostgreSQL's division_by_zero, as Prisma's pg adapter reports a failed raw query: P2010, with
  // the database's SQLSTATE as the driver adapter error's originalCode.
  return sqlStateOf(error) === '22012';
}

function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const meta = (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } }).meta;
  const code = meta?.driverAdapterError?.cause?.originalCode;
  return typeof code === 'string' ? code : undefined;
}
