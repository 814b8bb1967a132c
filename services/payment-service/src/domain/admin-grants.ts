/**
 * Subscriptions by hand (the admin panel, issue 19): a grant activates a plan's period with no
 * invoice, a revocation stops one counting at once. The admin panel keeps the audit log (who,
 * when, before/after); the subscription keeps who granted it and the reason.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  GrantSubscriptionResponseSchema,
  RevokeSubscriptionResponseSchema,
  refusalDetails,
  type GrantSubscriptionRequest,
  type GrantSubscriptionResponse,
  type RevokeSubscriptionRequest,
  type RevokeSubscriptionResponse,
} from '@nova/contracts';
import { InvalidArgumentError, NotFoundError, effectKey, telegramId, text, type Clock, type EventPublisher, type HandlerContext } from '@nova/domain';
import { randomUUID } from 'node:crypto';
import type { PaymentDatabase } from './database.js';
import { claimEffect, effectResult, recordEffectResult } from './effects.js';
import { subscriptionMessage } from './mapping.js';
import { flushPaymentOutbox } from './outbox-store.js';
import { appendExpired } from './provider-report.js';

const DAY_MS = 86_400_000;
const REASON = { max: 500, required: true } as const;

export interface AdminGrantDeps {
  readonly db: PaymentDatabase;
  readonly publisher: EventPublisher;
  readonly clock: Clock;
}

/**
 * Grants the plan's period, starting now or when the user's current subscription of the kind
 * ends (as a purchase would). No subscription_activated event: that event says a payment was
 * received (the main bot thanks the buyer for it), and nothing was paid.
 */
export function grantSubscriptionHandler(deps: AdminGrantDeps) {
  return async (request: GrantSubscriptionRequest, _ctx: HandlerContext): Promise<GrantSubscriptionResponse> => {
    const user = telegramId(request.telegramId, 'telegram_id');
    const admin = telegramId(request.grantedBy, 'granted_by');
    const planId = text(request.planId, 'plan_id', { max: 64, required: true }) ?? '';
    const reason = text(request.reason.trim(), 'reason', REASON) ?? '';
    const key = effectKey(request.effectKey);
    if (key === undefined) throw new InvalidArgumentError('effect_key is required (a grant must not be repeated by a retry)', { field: 'effect_key' });
    const now = deps.clock();
    return deps.db.$transaction(async (tx) => {
      if (!(await claimEffect(tx, key))) {
        const first = await effectResult(tx, key);
        if (first === null) throw new InvalidArgumentError('effect_key was used by another request', refusalDetails('effect-key-reused', {}, { field: 'effect_key' }));
        return fromBinary(GrantSubscriptionResponseSchema, first);
      }
      const plan = await tx.plan.findUnique({ where: { id: planId } });
      if (plan === null) throw new InvalidArgumentError(`plan_id: no plan "${planId}"`, refusalDetails('plan-not-found', { plan: planId }, { field: 'plan_id' }));
      const latest = await tx.subscription.findFirst({
        where: { telegramId: user, kind: plan.kind, status: 'active', endsAt: { gt: now } },
        orderBy: { endsAt: 'desc' },
      });
      const startsAt = latest === null ? now : latest.endsAt;
      const row = await tx.subscription.create({
        data: {
          id: randomUUID(), telegramId: user, kind: plan.kind, planId: plan.id, invoiceId: null, grantedBy: admin, adminReason: reason,
          status: 'active', startsAt, endsAt: new Date(startsAt.getTime() + plan.periodDays * DAY_MS), createdAt: now,
        },
      });
      const answer = create(GrantSubscriptionResponseSchema, { subscription: subscriptionMessage(row) });
      await recordEffectResult(tx, key, toBinary(GrantSubscriptionResponseSchema, answer));
      return answer;
    });
  };
}

/**
 * Revokes a subscription by hand: it stops counting at once and subscription_expired is
 * published (as for a chargeback). Revoking one that is no longer active changes nothing and
 * answers it unchanged, so a repeated request is harmless.
 */
export function revokeSubscriptionHandler(deps: AdminGrantDeps) {
  return async (request: RevokeSubscriptionRequest, _ctx: HandlerContext): Promise<RevokeSubscriptionResponse> => {
    const id = text(request.subscriptionId, 'subscription_id', { max: 64, required: true }) ?? '';
    const reason = text(request.reason.trim(), 'reason', REASON) ?? '';
    const answer = await deps.db.$transaction(async (tx) => {
      const before = await tx.subscription.findUnique({ where: { id } });
      if (before === null) throw new NotFoundError(`no subscription ${id}`, { subscription_id: id });
      if (before.status !== 'active') return { before, after: before };
      const after = await tx.subscription.update({ where: { id }, data: { status: 'revoked', adminReason: reason } });
      await appendExpired(tx, after);
      return { before, after };
    });
    if (answer.after !== answer.before) await flushPaymentOutbox(deps.db, deps.publisher).catch(() => undefined);
    return create(RevokeSubscriptionResponseSchema, { before: subscriptionMessage(answer.before), after: subscriptionMessage(answer.after) });
  };
}
