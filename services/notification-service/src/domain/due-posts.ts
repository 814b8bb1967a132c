/**
 * The publish tick's work: list the due posts (the publisher's rows, with owner and due time),
 * keep this side's (the owner's chat, chat-ownership.ts), hand them to the publisher by id in
 * batches, and report each post published with its due time (the hand-off lag).
 *
 * The rows are the durable work items: a post stays due until the publisher marks it PUBLISHED,
 * and publishing one is idempotent (per-channel leases), so a tick that died after handing 200 of
 * 500 leaves 300 due rows that the next tick lists and hands, and the 200 are not listed again.
 * A post handed by both sides during a weight change is published once (the publisher's guards).
 */
import type { ChatOwnership } from './chat-ownership.js';
import { reported, type HandOffCall } from './hand-off-call.js';

export interface DueItem {
  readonly id: bigint;
  /** The owner's Telegram id: whose chat, so which side. */
  readonly owner: bigint;
  readonly dueAt: Date;
}

export interface DuePostsPage {
  /** Due posts after the cursor, oldest due first (at most the limit asked). */
  readonly due: readonly DueItem[];
  /** Published posts whose owner's report is unsent (first page only). */
  readonly awaitingReport: readonly DueItem[];
}

/** The publisher, as the tick sees it (svc.publisher.list_due and publish_due in the wiring). */
export interface DuePostsPort {
  /** `before`: the posts due up to then (about to fall due: upcoming-posts.ts); default now. */
  list(after: DueItem | undefined, limit: number, before?: Date): Promise<DuePostsPage>;
  /** Hands these posts over; answers those the call brought to PUBLISHED. */
  publish(ids: readonly bigint[]): Promise<readonly bigint[]>;
}

export interface HandDuePostsOptions {
  readonly posts: DuePostsPort;
  readonly chats: ChatOwnership;
  /** Told of each post published, with when it fell due. */
  readonly handed?: (dueAt: Date) => void;
  /** Told of each list_due and publish_due call: the side's work, as the stage-6 analysis compares it. */
  readonly called?: HandOffCall;
  /** Posts listed per page (list_due): 500. */
  readonly pageSize?: number;
  /** Posts per publish_due call: 20, the publisher's own default per call. */
  readonly batchSize?: number;
  /** Pages per tick at most (10,000 posts by default); the rest waits for the next tick. */
  readonly maxPages?: number;
  /** publish_due calls in flight at once: 4. Safe at any number (per-channel leases); the publisher's rate is the lag. */
  readonly concurrency?: number;
}

export const DUE_PAGE_SIZE = 500;
export const HAND_BATCH_SIZE = 20;
export const MAX_DUE_PAGES = 20;
export const HAND_CONCURRENCY = 4;

/** Hands this side's due posts to the publisher; answers how many it published. */
export async function handDuePosts(options: HandDuePostsOptions): Promise<number> {
  const pageSize = options.pageSize ?? DUE_PAGE_SIZE;
  const batchSize = options.batchSize ?? HAND_BATCH_SIZE;
  // Nothing is this side's (the target at weight 0, the legacy side at 100): nothing to ask.
  if (options.chats.snapshot().none) return 0;
  let published = 0;
  let after: DueItem | undefined;
  for (let page = 0; page < (options.maxPages ?? MAX_DUE_PAGES); page++) {
    const listed = await reported(options.called, () => options.posts.list(after, pageSize), 0, 1);
    // The weight read right before the filter: the window in which the two sides disagree about
    // a chat is the gap between their readings, not a whole tick.
    const owned = options.chats.snapshot();
    const mine = [...listed.due, ...listed.awaitingReport].filter((item) => owned.owns(item.owner));
    const dueAt = new Map(listed.due.map((item) => [item.id, item.dueAt]));
    const batches: bigint[][] = [];
    for (let start = 0; start < mine.length; start += batchSize) batches.push(mine.slice(start, start + batchSize).map((item) => item.id));
    const handed = await handBatches(batches, options.concurrency ?? HAND_CONCURRENCY, async (ids) => {
      const done = await reported(options.called, () => options.posts.publish(ids), ids.length);
      for (const id of done) {
        const due = dueAt.get(id);
        if (due !== undefined) options.handed?.(due);
      }
      return done.length;
    });
    published += handed;
    if (listed.due.length < pageSize) break;
    after = listed.due.at(-1);
  }
  return published;
}

/**
 * Runs the batches `concurrency` at a time; answers the posts published. After a failure no new
 * batch starts (the tick ends; its posts stay due for the next), and the first failure is thrown
 * once the batches in flight are done.
 */
async function handBatches(batches: readonly bigint[][], concurrency: number, hand: (ids: bigint[]) => Promise<number>): Promise<number> {
  let next = 0;
  let published = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < batches.length) {
      const batch = batches[next++] ?? [];
      try {
        // Not `published += await …`: that reads `published` before the await, and workers interleave.
        const count = await hand(batch);
        published += count;
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, batches.length)) }, worker));
  if (failure !== undefined) throw failure.error;
  return published;
}
