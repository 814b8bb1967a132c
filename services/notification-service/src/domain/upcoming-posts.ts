/**
 * Posts at their time, not at the tick after it. The plan's publish tick runs every 30 s, so a
 * post handed only by ticks goes out up to 30 s late; the publisher promises its time ± 1 s. So
 * the active scheduler, after each tick, lists this side's posts about to fall due before the
 * next tick (list_due with due_before) and arms a timer per due second that hands them then.
 *
 * The timers are an optimisation over the ticks, never their replacement: the rows stay the
 * durable work items, so a timer lost with its process (or disarmed when the lease is lost) leaves
 * its posts to the next tick, as before. A timer that fires on a replica that lost the lease
 * meanwhile, or beside a tick handing the same post, doubles nothing: publish_due takes only posts
 * still due, once (the publisher's per-channel leases). The side is read again when a timer
 * fires, so during a weight change a post is handed by the side that owns its chat at that moment.
 */
import type { ChatOwnership } from './chat-ownership.js';
import type { DueItem, DuePostsPort } from './due-posts.js';
import { reported, type HandOffCall } from './hand-off-call.js';

/**
 * A timer fires this long after the post's time: the publisher takes only posts whose time has
 * come by its own clock, and a timer is not exact to the millisecond.
 */
export const FIRE_AFTER_MS = 25;
/**
 * A post a timer's publish_due did not publish is tried again this much later, this many times:
 * the publisher's clock a little behind this one's, or its sends still going out. After that it is
 * the next tick's, as every post was before the timers.
 */
export const RETRY_AFTER_MS = 500;
export const RETRIES = 3;

export interface UpcomingPostsOptions {
  readonly posts: DuePostsPort;
  readonly chats: ChatOwnership;
  readonly clock: () => Date;
  /** How far ahead to arm: the tick interval (the next tick lists anything later). */
  readonly horizonMs: number;
  /** Told of each post published by a timer, with when it fell due. */
  readonly handed?: (dueAt: Date) => void;
  readonly called?: HandOffCall;
  /** Posts listed ahead per tick at most (a larger burst waits for its tick): 500. */
  readonly limit?: number;
  /** Posts per publish_due call: 20. */
  readonly batchSize?: number;
}

export class UpcomingPosts {
  /** Armed timers by the due millisecond, with their posts. */
  private readonly armed = new Map<number, { timer: NodeJS.Timeout; posts: Map<bigint, { readonly item: DueItem; readonly attempt: number }> }>();
  private readonly firing = new Set<Promise<void>>();
  /** Moves on at each disarm: a hand-off answered after it arms no retry (this replica stood down). */
  private generation = 0;

  constructor(private readonly options: UpcomingPostsOptions) {}

  /** Lists this side's posts due before the horizon and arms a timer for each new one; answers how many were armed. */
  async arm(): Promise<number> {
    if (this.options.chats.snapshot().none) return 0;
    const now = this.options.clock().getTime();
    const listed = await reported(this.options.called, () => this.options.posts.list(undefined, this.options.limit ?? 500, new Date(now + this.options.horizonMs)), 0, 1);
    const owned = this.options.chats.snapshot();
    let armed = 0;
    for (const item of listed.due) {
      const at = item.dueAt.getTime();
      if (at <= now || !owned.owns(item.owner) || this.isArmed(item.id)) continue;
      this.armAt(at + FIRE_AFTER_MS, item, 0);
      armed += 1;
    }
    return armed;
  }

  private armAt(at: number, item: DueItem, attempt: number): void {
    let slot = this.armed.get(at);
    if (slot === undefined) {
      const timer = setTimeout(() => { this.fire(at); }, Math.max(0, at - this.options.clock().getTime()));
      // A process may stop with timers armed: they are not work (the rows are).
      timer.unref();
      slot = { timer, posts: new Map() };
      this.armed.set(at, slot);
    }
    slot.posts.set(item.id, { item, attempt });
  }

  /** Clears every armed timer (the lease was lost, or the process stops); their posts are the next tick's. */
  disarm(): void {
    this.generation += 1;
    for (const slot of this.armed.values()) clearTimeout(slot.timer);
    this.armed.clear();
  }

  /** Waits for the hand-offs of timers that already fired. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.firing]);
  }

  /** Posts armed and not yet fired. */
  get pending(): number {
    let count = 0;
    for (const slot of this.armed.values()) count += slot.posts.size;
    return count;
  }

  private isArmed(id: bigint): boolean {
    for (const slot of this.armed.values()) if (slot.posts.has(id)) return true;
    return false;
  }

  private fire(at: number): void {
    const slot = this.armed.get(at);
    this.armed.delete(at);
    if (slot === undefined) return;
    const owned = this.options.chats.snapshot();
    const mine = [...slot.posts.values()].filter(({ item }) => owned.owns(item.owner));
    const batchSize = this.options.batchSize ?? 20;
    for (let start = 0; start < mine.length; start += batchSize) {
      const batch = mine.slice(start, start + batchSize);
      const done = this.hand(batch).catch(() => undefined).finally(() => this.firing.delete(done));
      this.firing.add(done);
    }
  }

  /** A failed hand-off is left to the next tick (the posts stay due); the failure is counted by `called`. */
  private async hand(batch: readonly { readonly item: DueItem; readonly attempt: number }[]): Promise<void> {
    const generation = this.generation;
    const published = new Set(await reported(this.options.called, () => this.options.posts.publish(batch.map(({ item }) => item.id)), batch.length));
    const retryAt = this.options.clock().getTime() + RETRY_AFTER_MS;
    for (const { item, attempt } of batch) {
      if (published.has(item.id)) this.options.handed?.(item.dueAt);
      else if (attempt < RETRIES && generation === this.generation) this.armAt(retryAt, item, attempt + 1);
    }
  }
}
