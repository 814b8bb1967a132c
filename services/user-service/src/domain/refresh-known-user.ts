import type { User as UserRow } from '../generated/prisma/client.js';
import type { UserDatabase } from './database.js';
import type { UpsertInput } from './validation.js';

/** What one statement found for a sighting with an effect key (refreshKnownUser). */
export type KnownUserSighting =
  /** The user was known: names and last_seen_at refreshed, the key recorded with `row` as its answer. */
  | { readonly kind: 'refreshed'; readonly row: UserRow }
  /** The key was applied before: nothing changed; `stored` is the answer recorded with it. */
  | { readonly kind: 'repeated'; readonly stored: Uint8Array }
  /** Neither: a first sighting (or a key whose first call is still in flight), for the transaction to decide. */
  | { readonly kind: 'unseen' };

interface SightingRow {
  /** The answer recorded with the key before this call, when there is one. */
  readonly stored: Uint8Array | null;
  /** The refreshed row as the JSON recorded with the key; null when no known row was refreshed. */
  readonly answer: string | null;
  readonly recorded: boolean;
}

/**
 * A known user's sighting with an effect key, the common case of svc.user.upsert (every message a
 * person sends a bot), in one statement (issue 20): it was BEGIN, the UPDATE … RETURNING, the key's
 * INSERT with its answer, COMMIT — four round trips, each a pass through Prisma's interactive
 * transaction and query compiler, on the path of every child bot's built-in greeting.
 *
 * The statement refreshes the row unless the key is already recorded, and records the key with
 * its answer: the refreshed row as JSON (`storedAnswerOf` reads it back; the transaction's path
 * stores the response's protobuf, and the first byte tells which). A single statement is atomic,
 * so the key is recorded exactly when the change is, as Decided 4 asks. Of two concurrent calls
 * with one key, the second's UPDATE waits on the first's row lock and its INSERT then finds the
 * key taken; it must not keep its refresh ("a repeated call changes nothing"), so the statement
 * fails with division_by_zero (`1 / 0` on the count of keys it recorded, the one way plain SQL
 * aborts a statement on a computed condition), which undoes the refresh, and the caller answers
 * with the stored answer as after a rolled-back transaction.
 *
 * The tables are named with the context's schema (raw SQL resolves by the login's search_path
 * otherwise); on stage 7's "before" arrangement they are simple views, which take the UPDATE and
 * the INSERT … ON CONFLICT as tables do (as child-update-statements.ts in the bots context).
 */
export async function refreshKnownUser(db: UserDatabase, input: UpsertInput & { readonly effectKey: string }, now: Date): Promise<KnownUserSighting> {
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
    ), answer AS (
      SELECT json_build_object(
               'telegramId', telegram_id::text, 'username', username, 'firstName', first_name, 'lastName', last_name,
               'languageCode', language_code, 'firstBotId', first_bot_id::text, 'createdAt', created_at,
               'lastSeenAt', last_seen_at, 'blockedAt', blocked_at, 'blockedReason', blocked_reason,
               'chosenLanguage', chosen_language)::text AS json
        FROM refreshed
    ), recorded AS (
      INSERT INTO user_service.processed_effects (effect_key, result)
      SELECT ${input.effectKey}, convert_to(json, 'UTF8') FROM answer
      ON CONFLICT DO NOTHING
      RETURNING effect_key
    )
    SELECT (SELECT result FROM seen) AS stored, a.json AS answer,
           CASE WHEN a.json IS NULL THEN false ELSE 1 / (SELECT count(*)::int FROM recorded) = 1 END AS recorded
      FROM (SELECT 1) AS one
      LEFT JOIN answer AS a ON true`;
  const [row] = rows;
  if (row === undefined) throw new Error('the sighting statement returned no row');
  if (row.stored !== null) return { kind: 'repeated', stored: new Uint8Array(row.stored) };
  if (!row.recorded || row.answer === null) return { kind: 'unseen' };
  return { kind: 'refreshed', row: sightingRow(row.answer) };
}

/** The row refreshKnownUser recorded as a key's answer, or undefined when `stored` is the transaction's protobuf. */
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
