/**
 * The broadcaster: sends a post's unsettled channels, one pipeline per bot, all bots at once.
 *
 * Each bot's pipeline claims its next rows of `published_posts` in batches (a lease per row, in
 * one statement, `FOR UPDATE SKIP LOCKED`, so two senders of one post never claim the same row)
 * and hands them to the bot's Telegram client, which paces them to Telegram's limits (per chat,
 * per group, per bot, and the bot's budget shared with other replicas). Each row is settled in
 * its own statement the moment Telegram answers. It keeps at most three batches claimed and
 * unanswered per bot: enough that the client never waits for the database, few enough that a
 * lease never runs out while its row waits in the client's queue (a batch is a second of the
 * bot's budget; the lease is a minute).
 *
 * What a kill -9 can double: only rows Telegram received whose settle had not committed, that
 * is the sends in flight at that moment (Telegram has no idempotency key). The client lets at
 * most the bot's per-second limit be in flight (its window counts a send from its start to its
 * answer), so at most 30 per bot, plus the few answered in the milliseconds before their settle.
 * Claimed rows still queued in the client were never sent: they wait for their lease and go
 * out once.
 *
 * The per-bot loop (`runPipeline`) takes its rows as `DeliveryRows` (claim, settle, free): a
 * post's channels through one child bot here, an admin's announcement to every user through the
 * main bot in announcements.ts. One sender, one bound, for both.
 */
import { ChannelNotSentError, ChannelRefusedError, leaseStartBy, RECORD_RETRY_MS, recordDeadline, type ChannelTelegram, type OutgoingPost, type UnrecordedKind, type UnrecordedSend } from './ports.js';
import type { PublisherDatabase } from './database.js';
import { retryRecord, type Clock } from '@nova/domain';

/** Rows a bot's pipeline claims at a time: one second of one bot's budget. */
export const CLAIM_BATCH = 30;

/** Error code recorded for a failure that is the publisher's own (no Telegram answer). */
export const OWN_FAILURE = 0;

export interface BroadcastDeps {
  readonly db: PublisherDatabase;
  readonly telegram: ChannelTelegram;
  readonly clock: Clock;
  /** How long a sender holds a row it claimed. Longer than a batch's wait in the client plus one call with its retries. */
  readonly sendLeaseMs: number;
  /** How long a failing "sent" record is retried while the row is still leased (ports.ts, recordDeadline). */
  readonly recordRetryMs?: number;
  /** Told of each failed "sent" record that will be tried again (a log line, a test waiting for one). */
  readonly onRecordRetry?: (kind: UnrecordedKind, error: unknown) => void;
  /** Told of a channel post Telegram took whose record failed: it goes out again after its lease. */
  readonly onUnrecordedSend?: UnrecordedSend;
}

export interface BroadcastTarget {
  readonly postId: bigint;
  readonly owner: bigint;
  readonly content: OutgoingPost;
}

/**
 * 'busy': surely not posted because the bot had no room for it (its budget held by another
 * replica, its queue full, a 429 caused by another process, or the caller's time up before its
 * turn); 'not sent': Telegram failed transiently, surely not posted. Both rows are freed once the
 * bot's pipeline stops. 'transient failure': unknown whether posted (a timeout): the lease stays.
 */
type SendOutcome = 'settled' | 'busy' | 'not sent' | 'transient failure';

/** What a broadcast run left: rows still unsettled, and whether Telegram failed (not merely was busy) for one of the bots. */
export interface BroadcastResult {
  /** Rows of the post not yet settled, those held by another sender included. */
  readonly unsettled: number;
  /**
   * True when a bot's pipeline stopped because Telegram failed (5xx, an open circuit, a call
   * with no answer); false when every row left is only waiting: held by another sender (a
   * concurrent publish of the same post), or for a busy bot.
   */
  readonly telegramFailed: boolean;
  /** The longest `retry_after` Telegram gave a bot in this run (a 429 beyond the client's retries): wait that long at least. */
  readonly retryAfterMs: number | undefined;
}

/**
 * Sends every row of the post that no one sent and no one holds. Stops claiming when `signal`
 * aborts (the caller's deadline), or for a bot when it is busy or fails transiently (the rest of
 * that bot's rows wait for a later run). Answers what is left.
 */
export async function broadcastPost(deps: BroadcastDeps, target: BroadcastTarget, signal?: AbortSignal): Promise<BroadcastResult> {
  await failUnlinkedChannels(deps, target);
  const bots = await botsWithWork(deps.db, target);
  const runs = await Promise.all(bots.map((botId) => sendThroughBot(deps, target, botId, signal)));
  const retryAfters = runs.flatMap((run) => (run.retryAfterMs === undefined ? [] : [run.retryAfterMs]));
  return {
    unsettled: await unsettledCount(deps.db, target.postId),
    telegramFailed: runs.some((run) => run.failedTransiently),
    retryAfterMs: retryAfters.length === 0 ? undefined : Math.max(...retryAfters),
  };
}

/**
 * The rows one pipeline sends: a post's channels through one bot (below), or an announcement's
 * recipients through the main bot (announcements.ts). Each claim leases rows no one sent and no
 * one holds, in one statement (FOR UPDATE SKIP LOCKED); each settle is its own statement.
 */
export interface DeliveryRows {
  /** Leases up to `limit` unsettled rows whose lease is free at `now` until `leaseUntil`; answers their chats. */
  claim(now: Date, leaseUntil: Date, limit: number): Promise<bigint[]>;
  settleSent(chatId: bigint, messageId: bigint, at: Date): Promise<void>;
  /** Telegram refused for good: never retried. */
  settleRefused(chatId: bigint, refusal: ChannelRefusedError): Promise<void>;
  /** Surely not sent: the rows' leases are given back for a later run. */
  free(chatIds: readonly bigint[]): Promise<void>;
}

/** One send through the pipeline's bot; throws like a ChannelTelegram (ChannelRefusedError, ChannelNotSentError, anything else: unknown). */
export type SendTo = (chatId: bigint, startBy: AbortSignal) => Promise<{ readonly messageId: bigint }>;

export type PipelineDeps = Pick<BroadcastDeps, 'clock' | 'sendLeaseMs' | 'onUnrecordedSend' | 'recordRetryMs' | 'onRecordRetry'>;

/** What one pipeline run left. */
export interface PipelineRun {
  stopped: boolean;
  /** Telegram failed for the bot (not merely was busy). */
  failedTransiently: boolean;
  retryAfterMs: number | undefined;
  databaseFailure?: Error;
  readonly notSent: bigint[];
}

/** Sends the bot's rows of the post; answers whether Telegram failed for it (not merely was busy), and any retry_after it gave. */
function sendThroughBot(deps: BroadcastDeps, target: BroadcastTarget, botId: bigint, signal: AbortSignal | undefined): Promise<PipelineRun> {
  const send: SendTo = (chatId, startBy) => deps.telegram.sendPost(botId, chatId, target.content, { startBy });
  return runPipeline(deps, postRows(deps.db, target, botId), send, 'channel', signal);
}

/**
 * The pipeline of one bot: claims batches of CLAIM_BATCH rows, hands them to `send` (the bot's
 * Telegram client paces them), settles each as Telegram answers, and keeps at most three batches
 * claimed and unanswered. Stops claiming when `signal` aborts, or when the bot is busy or fails.
 */
export async function runPipeline(deps: PipelineDeps, rows: DeliveryRows, send: SendTo, kind: UnrecordedKind, signal: AbortSignal | undefined): Promise<PipelineRun> {
  const outstanding = new Set<Promise<SendOutcome>>();
  const bot: PipelineRun = { stopped: false, failedTransiently: false, retryAfterMs: undefined, notSent: [] };
  while (signal?.aborted !== true && !bot.stopped && bot.databaseFailure === undefined) {
    const now = deps.clock();
    const leaseUntil = new Date(now.getTime() + deps.sendLeaseMs);
    const chats = await rows.claim(now, leaseUntil, CLAIM_BATCH);
    if (chats.length === 0) break;
    // The batch's rows share one lease: each starts in its first half or is not sent.
    const startBy = leaseStartBy(deps.sendLeaseMs, signal);
    for (const chatId of chats) {
      const sending: Promise<SendOutcome> = sendClaimed(deps, rows, send, kind, { chatId, leaseUntil }, { startBy, stopping: signal }, bot)
        .catch((error: unknown) => {
          // A settle that failed: the row keeps its lease; the rest of the batch still settles.
          bot.databaseFailure ??= error instanceof Error ? error : new Error(`settling a row failed: ${String(error)}`);
          return 'transient failure' as const;
        })
        .then((outcome) => {
          if (outcome === 'busy' || outcome === 'not sent') bot.notSent.push(chatId);
          if (outcome !== 'settled') bot.stopped = true;
          if (outcome === 'not sent' || outcome === 'transient failure') bot.failedTransiently = true;
          return outcome;
        })
        .finally(() => outstanding.delete(sending));
      outstanding.add(sending);
    }
    // Two batches stay queued in the client while the next claim runs: a claim slowed by a busy
    // database never leaves the bot's budget unused.
    while (outstanding.size > 2 * CLAIM_BATCH) await Promise.race(outstanding);
  }
  await Promise.all(outstanding);
  // Freed only now that this pipeline claims no more: a claim already under way could otherwise
  // take a row back at once and retry it in this run (a hot loop while a circuit is open).
  if (bot.notSent.length > 0) await rows.free(bot.notSent);
  // The publish is retried as a whole; the rows whose settle failed wait for their leases.
  if (bot.databaseFailure !== undefined) throw bot.databaseFailure;
  return bot;
}

/**
 * `startBy`: the caller's time and the lease's first half; a send still waiting for its turn when
 * it ends is given up (not sent). `leaseUntil`: the row is this pipeline's until then, so a "sent"
 * record that fails is retried until RECORD_MARGIN_MS before it (ports.ts, recordDeadline).
 */
async function sendClaimed(deps: PipelineDeps, rows: DeliveryRows, send: SendTo, kind: UnrecordedKind, row: { chatId: bigint; leaseUntil: Date }, signals: { startBy: AbortSignal; stopping: AbortSignal | undefined }, bot: PipelineRun): Promise<SendOutcome> {
  const { chatId } = row;
  const { startBy } = signals;
  let messageId: bigint;
  try {
    ({ messageId } = await send(chatId, startBy));
  } catch (error) {
    if (error instanceof ChannelRefusedError) {
      await rows.settleRefused(chatId, error);
      return 'settled';
    }
    // Not sent (the bot was busy, or Telegram answered with a failure: the row is freed when the
    // pipeline stops), or never answered: then the lease stays and runs out, since the message
    // may have been posted.
    if (error instanceof ChannelNotSentError) {
      if (error.retryAfterMs !== undefined) bot.retryAfterMs = Math.max(bot.retryAfterMs ?? 0, error.retryAfterMs);
      return error.busy ? 'busy' : 'not sent';
    }
    deps.onUnrecordedSend?.(kind, error);
    return 'transient failure';
  }
  try {
    const at = deps.clock();
    await retryRecord(() => rows.settleSent(chatId, messageId, at), { until: recordDeadline(row.leaseUntil, deps.recordRetryMs ?? RECORD_RETRY_MS), stopping: signals.stopping, onRetry: (error) => deps.onRecordRetry?.(kind, error) });
  } catch (error) {
    // Posted, and still not recorded when the lease was about to end (or the process stopping):
    // the row keeps its lease and is posted again once it runs out.
    deps.onUnrecordedSend?.(kind, error);
    throw error;
  }
  return 'settled';
}


/** A post's rows of one bot's channels, in the owner's order. */
function postRows(db: PublisherDatabase, target: BroadcastTarget, botId: bigint): DeliveryRows {
  const key = (chatId: bigint) => ({ postId_chatId: { postId: target.postId, chatId } });
  return {
    async claim(now, leaseUntil, limit) {
      const rows = await db.$queryRaw<{ chat_id: bigint }[]>`
        UPDATE publisher_service.published_posts AS d
           SET lease_until = ${leaseUntil}, bot_id = ${botId}
         WHERE (d.post_id, d.chat_id) IN (
           SELECT free.post_id, free.chat_id
             FROM publisher_service.published_posts AS free
             JOIN publisher_service.channels AS c ON c.chat_id = free.chat_id
            WHERE free.post_id = ${target.postId} AND c.bot_id = ${botId} AND c.owner_telegram_id = ${target.owner}
              AND free.sent_at IS NULL AND free.error_code IS NULL
              AND (free.lease_until IS NULL OR free.lease_until < ${now})
            ORDER BY free.position
            LIMIT ${limit}
            FOR UPDATE OF free SKIP LOCKED)
        RETURNING d.chat_id`;
      return rows.map((row) => row.chat_id);
    },
    async settleSent(chatId, messageId, at) {
      await db.postDelivery.update({ where: key(chatId), data: { leaseUntil: null, sentAt: at, messageId } });
    },
    async settleRefused(chatId, refusal) {
      await db.postDelivery.update({ where: key(chatId), data: { leaseUntil: null, errorCode: refusal.errorCode, failure: refusal.description } });
    },
    async free(chatIds) {
      await db.postDelivery.updateMany({ where: { postId: target.postId, chatId: { in: [...chatIds] } }, data: { leaseUntil: null } });
    },
  };
}

/** The bots whose channels still have unsettled rows of the post. */
async function botsWithWork(db: PublisherDatabase, target: BroadcastTarget): Promise<bigint[]> {
  const rows = await db.$queryRaw<{ bot_id: bigint }[]>`
    SELECT DISTINCT c.bot_id
      FROM publisher_service.published_posts AS d
      JOIN publisher_service.channels AS c ON c.chat_id = d.chat_id
     WHERE d.post_id = ${target.postId} AND c.owner_telegram_id = ${target.owner}
       AND d.sent_at IS NULL AND d.error_code IS NULL`;
  return rows.map((row) => row.bot_id);
}

/** A channel unlinked (or moved to another owner) since the post was made fails: the owner no longer posts there. */
async function failUnlinkedChannels(deps: BroadcastDeps, target: BroadcastTarget): Promise<void> {
  await deps.db.$executeRaw`
    UPDATE publisher_service.published_posts AS d
       SET lease_until = NULL, error_code = ${OWN_FAILURE}, failure = 'the channel was unlinked before the post was published'
     WHERE d.post_id = ${target.postId} AND d.sent_at IS NULL AND d.error_code IS NULL
       AND (d.lease_until IS NULL OR d.lease_until < ${deps.clock()})
       AND NOT EXISTS (SELECT 1 FROM publisher_service.channels AS c WHERE c.chat_id = d.chat_id AND c.owner_telegram_id = ${target.owner})`;
}

function unsettledCount(db: PublisherDatabase, postId: bigint): Promise<number> {
  return db.postDelivery.count({ where: { postId, sentAt: null, errorCode: null } });
}
