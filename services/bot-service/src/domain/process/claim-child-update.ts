import type { BotTransaction } from '../database.js';

/** What a child update's transaction needs of its bot's row. */
export interface ClaimedBot {
  readonly botId: bigint;
  readonly username: string;
  readonly greeting: string;
  readonly blockedAt: Date | null;
  readonly tokenCiphertext: Uint8Array<ArrayBuffer>;
  readonly tokenKeyId: string;
}

/** The claim of a child update's effect key, and its bot as the same statement read it. */
export type ChildUpdateClaim =
  | { readonly claimed: false }
  | { readonly claimed: true; readonly bot: ClaimedBot | null };

interface ClaimRow {
  readonly claimed: boolean;
  readonly bot_id: bigint | null;
  readonly username: string | null;
  readonly greeting: string | null;
  readonly blocked_at: Date | null;
  readonly token_ciphertext: Uint8Array | null;
  readonly token_key_id: string | null;
}

/**
 * Claims the update's effect key and reads its bot in one statement (issue 20: it was two, the
 * claim's INSERT then the bot's SELECT, each a round trip and a pass through Prisma's query
 * compiler). The claim is the same `INSERT … ON CONFLICT DO NOTHING` as `claimEffect`: a
 * concurrent claim of the key waits on the first transaction's row and then finds it taken. The
 * bot's row is read with the statement's snapshot, taken before any such wait: after a wait (only
 * when another processing of the same update held the key and then rolled back) it is as old as
 * the wait, as a read just before the claim would have been.
 *
 * The tables' names are the Prisma models' `@@map`s (Bot is user_bots, stage 7's plan name), with
 * the context's schema: raw SQL resolves by the login's search_path
 * otherwise (DEVELOPERS.md), and on stage 7's "before" arrangement the schema holds views of the
 * tables in public, which take this INSERT … ON CONFLICT as the tables do.
 */
export async function claimChildUpdate(tx: BotTransaction, effectKey: string, botId: bigint): Promise<ChildUpdateClaim> {
  const rows = await tx.$queryRaw<ClaimRow[]>`
    WITH claim AS (
      INSERT INTO bot_service.processed_effects (effect_key) VALUES (${effectKey})
      ON CONFLICT DO NOTHING
      RETURNING effect_key
    )
    SELECT EXISTS (SELECT 1 FROM claim) AS claimed,
           b.bot_id, b.username, b.greeting, b.blocked_at, b.token_ciphertext, b.token_key_id
    FROM (SELECT 1) AS one
    LEFT JOIN bot_service.user_bots AS b ON b.bot_id = ${botId}`;
  const [row] = rows;
  if (row?.claimed !== true) return { claimed: false };
  if (row.bot_id === null || row.username === null || row.greeting === null || row.token_ciphertext === null || row.token_key_id === null) return { claimed: true, bot: null };
  return {
    claimed: true,
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
