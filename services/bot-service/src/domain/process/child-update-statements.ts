import { Prisma } from '../../generated/prisma/client.js';
import type { BotDatabase } from '../database.js';
import type { RecordedReply } from '../replies/outgoing.js';
import type { Reply } from '../replies/reply.js';

/** What a child update's decision needs of its bot's row. */
export interface ChildUpdateBot {
  readonly botId: bigint;
  readonly username: string;
  readonly greeting: string;
  readonly blockedAt: Date | null;
  readonly tokenCiphertext: Uint8Array<ArrayBuffer>;
  readonly tokenKeyId: string;
}

/** Before the decision: whether the update was processed already, and its bot (null when gone). */
export interface ChildUpdateReading {
  readonly processed: boolean;
  readonly bot: ChildUpdateBot | null;
}

interface ReadingRow {
  readonly processed: boolean;
  readonly bot_id: bigint | null;
  readonly username: string | null;
  readonly greeting: string | null;
  readonly blocked_at: Date | null;
  readonly token_ciphertext: Uint8Array | null;
  readonly token_key_id: string | null;
}

/*
 * A child update is two statements and no interactive transaction (issue 20): this read, the
 * decision in memory (telegraf's routing, the built-in greeting's language), then one statement
 * that claims the update's effect key and, only if it did, counts the sender in the bot's audience
 * and records the replies leased to this sender. It was BEGIN, the claim with the bot's read, the
 * audience's upsert, the replies' insert, COMMIT: five round trips, each a pass through Prisma's
 * interactive transaction and query compiler, on the path of every child bot's reply.
 *
 * What stays as it was (Decided 4): the key is recorded exactly when the audience and the replies
 * are, in one statement, atomic as the transaction was; of two processings of one update the
 * second's INSERT waits on the first's key and then finds it taken, so it writes nothing and sends
 * only what is unsent. The bot's row is read before the claim rather than in its snapshot: a bot
 * removed or blocked between the two is decided on as it was a moment earlier, as an update that
 * arrived a moment earlier would have been (the bot's row is not locked by either way).
 *
 * The tables' names are the Prisma models' `@@map`s (Bot is user_bots, stage 7's plan name), with
 * the context's schema: raw SQL resolves by the login's search_path otherwise (DEVELOPERS.md); on
 * stage 7's "before" arrangement the schema holds simple views of the tables in public, which take
 * these INSERTs, ON CONFLICT included, as the tables do.
 */

/** Reads whether `effectKey` was processed and the bot's row, in one statement outside any transaction. */
export async function readChildUpdate(db: BotDatabase, effectKey: string, botId: bigint): Promise<ChildUpdateReading> {
  const rows = await db.$queryRaw<ReadingRow[]>`
    SELECT EXISTS (SELECT 1 FROM bot_service.processed_effects WHERE effect_key = ${effectKey}) AS processed,
           b.bot_id, b.username, b.greeting, b.blocked_at, b.token_ciphertext, b.token_key_id
    FROM (SELECT 1) AS one
    LEFT JOIN bot_service.user_bots AS b ON b.bot_id = ${botId}`;
  const [row] = rows;
  if (row === undefined) throw new Error('the child update\'s read returned no row');
  if (row.bot_id === null || row.username === null || row.greeting === null || row.token_ciphertext === null || row.token_key_id === null) {
    return { processed: row.processed, bot: null };
  }
  return {
    processed: row.processed,
    bot: {
      botId: row.bot_id,
      username: row.username,
      greeting: row.greeting,
      blockedAt: row.blocked_at,
      tokenCiphertext: new Uint8Array(row.token_ciphertext),
      tokenKeyId: row.token_key_id,
    },
  };
}

/** What one processing of a child update decided, to be recorded with its claim. */
export interface ChildUpdateDecision {
  readonly effectKey: string;
  readonly botId: bigint;
  /** The sender to count in the bot's audience (first seen now, or seen again now). */
  readonly audienceMember?: bigint | undefined;
  readonly replies: readonly Reply[];
  /** The replies are recorded leased to this sender until then (recordLeasedReplies says why). */
  readonly leaseUntil: Date;
  readonly now: Date;
}

interface RecordingRow {
  readonly claimed: boolean;
  /** A recorded reply; absent when none was decided, null when none was written (the key was taken). */
  readonly id?: bigint | null;
  readonly seq?: number | null;
  readonly bot_id?: bigint | null;
  readonly chat_id?: bigint | null;
  readonly text?: string | null;
  readonly reply_markup?: Prisma.JsonValue;
}

/**
 * Claims the update's key and records the decision with it, in one statement: the recorded
 * replies (in order), or undefined when another processing claimed the key first (nothing written).
 */
export async function recordChildUpdateDecision(db: BotDatabase, decision: ChildUpdateDecision): Promise<RecordedReply[] | undefined> {
  const { effectKey, botId, now } = decision;
  const audience = decision.audienceMember === undefined ? Prisma.empty : Prisma.sql`,
    audience AS (
      INSERT INTO bot_service.bot_audience (bot_id, telegram_id, first_seen_at, last_seen_at)
      SELECT ${botId}, ${decision.audienceMember}, ${now}, ${now} FROM claim
      ON CONFLICT (bot_id, telegram_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at
    )`;
  const values = decision.replies.map((reply, seq) =>
    Prisma.sql`(${seq}::int, ${reply.chatId}::bigint, ${reply.text}::text, ${reply.replyMarkup === undefined ? null : JSON.stringify(reply.replyMarkup)}::jsonb)`);
  const replies = values.length === 0 ? Prisma.empty : Prisma.sql`,
    replies AS (
      INSERT INTO bot_service.outgoing_replies (effect_key, seq, bot_id, chat_id, text, reply_markup, lease_until)
      SELECT ${effectKey}, r.seq, ${botId}, r.chat_id, r.text, r.reply_markup, ${decision.leaseUntil}
        FROM claim, (VALUES ${Prisma.join(values)}) AS r (seq, chat_id, text, reply_markup)
      RETURNING id, seq, bot_id, chat_id, text, reply_markup
    )`;
  const recorded = values.length === 0 ? Prisma.empty : Prisma.sql`, r.id, r.seq, r.bot_id, r.chat_id, r.text, r.reply_markup
    FROM (SELECT 1) AS one LEFT JOIN replies AS r ON true`;
  const rows = await db.$queryRaw<RecordingRow[]>`
    WITH claim AS (
      INSERT INTO bot_service.processed_effects (effect_key) VALUES (${effectKey})
      ON CONFLICT DO NOTHING
      RETURNING effect_key
    )${audience}${replies}
    SELECT EXISTS (SELECT 1 FROM claim) AS claimed${recorded}`;
  if (rows[0]?.claimed !== true) return undefined;
  const written: RecordedReply[] = [];
  for (const row of rows) {
    if (row.id == null || row.seq == null || row.bot_id == null || row.chat_id == null || row.text == null) continue;
    written.push({ id: row.id, seq: row.seq, botId: row.bot_id, chatId: row.chat_id, text: row.text, replyMarkup: row.reply_markup ?? null });
  }
  if (written.length !== decision.replies.length) throw new Error(`${effectKey}: ${String(decision.replies.length)} replies decided, ${String(written.length)} recorded`);
  return written.sort((a, b) => a.seq - b.seq);
}
