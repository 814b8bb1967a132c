/**
 * What each stage of the plan is to the demo: its migrations (the stage files), the side it moves
 * from and to, how --fail breaks it, and what the simulated users do while it moves. Used by a
 * single-stage run (main.ts) and the whole plan (whole-plan.ts) alike.
 */
import type { Deployable } from '@nova/fleet';
import { BOT_MIGRATIONS_DIR, BOT_SCHEMA } from '@nova/bot-service/domain';
import { PAYMENT_MIGRATIONS_DIR, PAYMENT_SCHEMA } from '@nova/payment-service/domain';
import { PUBLISHER_MIGRATIONS_DIR, PUBLISHER_SCHEMA } from '@nova/publisher-service/domain';
import type { DemoStage } from './options.js';
import { STAGE_FILES, type StageNumber } from './stage.js';

/** One migration of a stage: its file, what it moves, the service it moves to, and its share of the users' updates. */
export interface MovingPart {
  readonly file: string;
  /** What moves, for people: a route or a bus context. */
  readonly moves: string;
  readonly target: Deployable;
  /** Requests this migration sees per update the users send (scales minRequests). */
  readonly share: number;
}

export interface StagePlan {
  /** The stage's migrations, applied together; the first is shown in full, the others on a line each. */
  readonly moving: readonly [MovingPart, ...MovingPart[]];
  readonly legacy: Deployable;
  /**
   * How --fail breaks the new side, once it carries traffic: `nats-link` cuts its connection to
   * NATS (link-cutter.ts); `schema-privileges` takes its database login's privileges away (it stays
   * alive and ready, failing every request and callback: a bad deploy); `process-kill` kills it
   * (SIGKILL, not started again: a crash loop's pod), so its record on the bus lapses and the check
   * finds no live target handling the context (a process with nothing to fail shows no errors);
   * `tampered-row` (stage 7) changes a row of the `breaks` service's table inside its context's move,
   * between the verifier's two fingerprints (TAMPERED below): the verification fails and the
   * operator reverses every context moved, newest first.
   */
  readonly fault: 'nats-link' | 'schema-privileges' | 'process-kill' | 'tampered-row';
  readonly breaks: Deployable;
  /**
   * The service that moves runs on its own database login, granted its schema's data only, as in
   * production (and what `schema-privileges` takes away). The schema is migrated before the fleet starts.
   */
  readonly ownLogin?: { readonly schema: string; readonly migrationsDir: string };
  /** Spread the simulated users over this context's routing buckets. */
  readonly spreadFor?: string;
  /** The stages before it, Promoted first in one step each (applied at once: dependsOn orders them). */
  readonly earlier: readonly StageNumber[];
  /** The users buy subscriptions and pay with both providers (emulated). */
  readonly shop: boolean;
  /** The users own channels and post to them, now and scheduled (granted posting by an administrator). */
  readonly publish?: boolean;
  /** Every post is scheduled a minute ahead (the schedulers' work), none sent now. */
  readonly scheduleOnly?: boolean;
  /** Both sides serve the admin panel, and admins browse it through the ingress (admins.ts). */
  readonly browse?: boolean;
  /** What the report names as the two sides when they are not deployables (stage 7: schemas). */
  readonly sides?: { readonly from: string; readonly to: string };
}

/**
 * --fail 7: the payment context is the last of four to move, so the run moves all four and reverses
 * all four while the users pay: a row of an invoice changes inside the payment context's move, between
 * the verifier's fingerprints (the engine's fault hook, control-plane.ts; the users have paid by
 * then), so its verification fails; nova-schema-move reverses the payment context in that step, and
 * the operator the publisher, bot and user contexts, newest first.
 */
export const TAMPERED = {
  schema: PAYMENT_SCHEMA,
  sql: `UPDATE ${PAYMENT_SCHEMA}.payments SET expires_at = expires_at + interval '1 millisecond' WHERE id = (SELECT min(id) FROM ${PAYMENT_SCHEMA}.payments)`,
} as const;

/** The admins of stage 8 (Telegram ids no simulated user has). */
export const ADMIN_IDS = [60_001, 60_002, 60_003] as const;

export const PLANS: Readonly<Record<DemoStage, StagePlan>> = {
  1: { moving: [{ file: STAGE_FILES[1][0], moves: '/webhook/', target: 'webhook-gateway', share: 1 }], legacy: 'nova-monolith', fault: 'nats-link', breaks: 'webhook-gateway', earlier: [], shop: false },
  2: { moving: [{ file: STAGE_FILES[2][0], moves: "the user context's chats", target: 'user-service', share: 1 }], legacy: 'nova-monolith', fault: 'nats-link', breaks: 'user-service', spreadFor: 'user', earlier: [1], shop: false },
  // --fail is refused for stage 3 (options.ts; docs/demo.md, "A gap in stage 3"). Its own login all the same.
  3: {
    moving: [{ file: STAGE_FILES[3][0], moves: "the bots context's chats", target: 'bot-service', share: 1 }],
    legacy: 'nova-monolith', fault: 'schema-privileges', breaks: 'bot-service', ownLogin: { schema: BOT_SCHEMA, migrationsDir: BOT_MIGRATIONS_DIR }, spreadFor: 'bot', earlier: [1, 2], shop: false,
  },
  4: {
    // 5 s, not 1 s: both sides measured p95 1.05–1.2 s here beside other work (docs/demo.md, --stage 4).
    moving: [{ file: STAGE_FILES[4][0], moves: "the publisher context's owners", target: 'publisher-service', share: 1 }],
    legacy: 'nova-monolith', fault: 'schema-privileges', breaks: 'publisher-service', ownLogin: { schema: PUBLISHER_SCHEMA, migrationsDir: PUBLISHER_MIGRATIONS_DIR }, spreadFor: 'publisher', earlier: [1, 2, 3], shop: false, publish: true,
  },
  5: {
    moving: [
      { file: STAGE_FILES[5][0], moves: "the payment context's users", target: 'payment-service', share: 1 },
      // One callback per payment, and a payment is one update in three.
      { file: STAGE_FILES[5][1], moves: '/payments/', target: 'payment-service', share: 1 / 3 },
    ],
    legacy: 'nova-monolith', fault: 'schema-privileges', breaks: 'payment-service', ownLogin: { schema: PAYMENT_SCHEMA, migrationsDir: PAYMENT_MIGRATIONS_DIR }, spreadFor: 'payment', earlier: [1, 2, 3, 4], shop: true,
  },
  6: {
    // The work compared is the schedulers' hand-offs: one per scheduled post, and an owner posts at
    // most every 4 s (users.ts), half the --rate of 10 a demo's 20 owners could. 5 s, as stage 4: a
    // hand-off's time includes the publisher's start of its sends (docs/notifications.md).
    moving: [{ file: STAGE_FILES[6][0], moves: "the schedulers' owners", target: 'notification-service', share: 0.5 }],
    legacy: 'nova-monolith', fault: 'process-kill', breaks: 'notification-service', spreadFor: 'notification', earlier: [1, 2, 3, 4, 5], shop: false, publish: true, scheduleOnly: true,
  },
  // The database split: tables move, not traffic, while the users pay (their payments write the
  // payment context's tables; the write probe, write-probe.ts, writes every moved table). The
  // analysis judges every deployable of the four contexts together; 5 s as stages 4 and 6 (the
  // payments' emulators answer from the demo's own busy process, docs/demo.md).
  7: {
    moving: [{ file: STAGE_FILES[7][0], moves: 'the legacy tables', target: 'nova-monolith', share: 1 }],
    legacy: 'nova-monolith', fault: 'tampered-row', breaks: 'payment-service', earlier: [1, 2, 3, 4, 5, 6], shop: true,
    sides: { from: 'schema public', to: "the contexts' schemas" },
  },
  // The admin panel cut off from NATS answers 503 for every page that asks another context: a bad deploy's look.
  8: {
    moving: [{ file: STAGE_FILES[8][0], moves: '/admin/', target: 'admin-panel', share: 1 }],
    legacy: 'nova-monolith', fault: 'nats-link', breaks: 'admin-panel', earlier: [1, 2, 3, 4, 5, 6, 7], shop: false, browse: true,
  },
};
