/** What the demo knows at one instant: the migration as stored, and the simulated users' traffic. */
import type { NovaMigrationStatus } from '../../../operator/dist/api/novamigration.js';
import type { DatabaseFigures } from './database-progress.js';

export interface TrafficCounts {
  /** Updates the simulated users sent (Telegram accepted them for delivery). */
  readonly sent: number;
  /** Of those, answered by the bot (exactly one reply each is expected). */
  readonly answered: number;
  /** Replies beyond the one expected per update (and payment notices beyond one per payment). */
  readonly duplicates: number;
  /** Where they went and what they said ("chat:bot ×1: \"Hello\" ×2"), the first few. */
  readonly duplicated?: readonly string[];
  /** Webhook deliveries the receiving side refused (4xx/5xx): Telegram retries them. */
  readonly refusedDeliveries: number;
  /** Stage 5: what the users paid. */
  readonly payments?: PaymentCounts;
  /** Stage 4: what the users posted, and what reached Telegram. */
  readonly posts?: PostCounts;
  /** Stage 8: the admins' pages (admins.ts). */
  readonly admin?: AdminCounts;
}

/** Pages the simulated admins asked for, and how they were answered. */
export interface AdminCounts {
  readonly pages: number;
  /** Answered 200. */
  readonly served: number;
  /** Answered 5xx, or not in time. */
  readonly failed: number;
  /** Sent back to sign-in: a session the side that answered did not take. The stage must make none. */
  readonly signedOut: number;
  /** Any other answer (a 404, a 403): none is expected. */
  readonly other: number;
  /**
   * Pages loaded a second time because the connection they were sent on closed before any answer
   * (a kept-alive connection nginx or the fleet closed as the request went out), as a browser
   * reloads them by itself; each is also counted once by how its second load was answered.
   */
  readonly reloaded: number;
  /** Why the failed pages failed ("503 /admin/users/7", "fetch failed: other side closed"), the first few. */
  readonly failures: readonly string[];
}

/** Posts the simulated owners were told are going out or scheduled, and what Telegram received (posts.ts). */
export interface PostCounts {
  readonly created: number;
  /** Of those, scheduled a minute ahead (the others went out at once). */
  readonly scheduled: number;
  /** In their channel at least once. */
  readonly published: number;
  /** With the owner's report from the main bot at least once. */
  readonly reported: number;
  /** Copies beyond one: a post in its channel, or its report, more than once. */
  readonly doubled: number;
}

/** Payments the simulated users made (confirmed at the provider), and the main bot's notices of them. */
export interface PaymentCounts {
  readonly cryptobot: number;
  readonly platega: number;
  /** "Payment received" notices: one per payment is expected, each after its activation. */
  readonly announced: number;
  /** /buy answered without a payment link (payments unavailable, a provider down). */
  readonly withoutLink: number;
}

/** Another migration the demo moves at the same time (stage 5's callbacks beside its context). */
export interface AlsoMoving {
  readonly migration: string;
  readonly route: string;
  readonly status: NovaMigrationStatus;
}

/** An Event the operator recorded about the migration. */
export interface MigrationEvent {
  readonly at: number;
  readonly type: string;
  readonly reason: string;
  readonly note: string;
}

export interface Transition {
  readonly at: number;
  readonly phase: string;
  readonly step: string;
  readonly weight: number;
}

export interface Snapshot {
  readonly at: number;
  readonly startedAt: number;
  readonly migration: string;
  readonly route: string;
  readonly legacy: string;
  readonly target: string;
  readonly status: NovaMigrationStatus;
  readonly traffic: TrafficCounts;
  readonly transitions: readonly Transition[];
  readonly events: readonly MigrationEvent[];
  readonly notes: readonly string[];
  /** Stage 7: the backup and each context's move, from status (its `weight` is the share of contexts moved). */
  readonly database?: DatabaseFigures;
  /** The stage's other migrations, moving beside this one (none but in stage 5). */
  readonly also: readonly AlsoMoving[];
}
