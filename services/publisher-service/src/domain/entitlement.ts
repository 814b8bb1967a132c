/**
 * Where posting rights come from: an administrator's explicit grant, kept in
 * publisher_service.posting_grants and valid until its time, and (in the wiring) a posting
 * subscription sold by the payments context. The grant is an override: it is read first.
 */
import { create } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { GrantPostingResponseSchema, type GrantPostingRequest, type GrantPostingResponse } from '@nova/contracts';
import { InvalidArgumentError, telegramId, type Clock, type HandlerContext } from '@nova/domain';
import type { PublisherDatabase } from './database.js';
import type { PostingEntitlement, StoriesEntitlement } from './ports.js';
import { refusal } from './refuse.js';

/** An administrator's grant covers posts and stories alike (support cases, payments unreachable). */
export class GrantTableEntitlement implements PostingEntitlement, StoriesEntitlement {
  constructor(private readonly db: PublisherDatabase) {}

  hasStoriesSubscription(telegramId: bigint, at: Date): Promise<boolean> {
    return this.hasPostingSubscription(telegramId, at);
  }

  async hasPostingSubscription(telegramId: bigint, at: Date): Promise<boolean> {
    const grant = await this.db.postingGrant.findUnique({ where: { telegramId }, select: { until: true } });
    return grant !== null && grant.until.getTime() > at.getTime();
  }
}

/**
 * Entitled when any source says so, asked in order; the first yes wins and later sources are not
 * asked. The wiring puts the local grants table first, so an administrator's grant works (and
 * costs no bus request) even while the payments context is unreachable.
 */
export class AnyOfEntitlements implements PostingEntitlement {
  private readonly sources: readonly PostingEntitlement[];

  constructor(...sources: readonly PostingEntitlement[]) {
    this.sources = sources;
  }

  async hasPostingSubscription(telegramId: bigint, at: Date): Promise<boolean> {
    for (const source of this.sources) {
      if (await source.hasPostingSubscription(telegramId, at)) return true;
    }
    return false;
  }
}

/** Grants (or moves the end of) posting for a user; a later grant replaces the earlier one. */
export function grantPostingHandler(db: PublisherDatabase, clock: Clock) {
  return async (request: GrantPostingRequest, _ctx: HandlerContext): Promise<GrantPostingResponse> => {
    const user = telegramId(request.telegramId, 'telegram_id');
    const grantedBy = telegramId(request.grantedBy, 'granted_by');
    if (request.until === undefined) throw refusal(InvalidArgumentError, 'until-required', {}, { field: 'until' });
    const until = timestampDate(request.until);
    const now = clock();
    if (!(until.getTime() > now.getTime())) throw refusal(InvalidArgumentError, 'until-past', {}, { field: 'until' });
    const data = { grantedBy, until, grantedAt: now };
    await db.postingGrant.upsert({ where: { telegramId: user }, create: { telegramId: user, ...data }, update: data });
    return create(GrantPostingResponseSchema, { telegramId: user, until: timestampFromDate(until) });
  };
}

/** AnyOfEntitlements for stories: the first source that says yes wins. */
export class AnyOfStoriesEntitlements implements StoriesEntitlement {
  private readonly sources: readonly StoriesEntitlement[];

  constructor(...sources: readonly StoriesEntitlement[]) {
    this.sources = sources;
  }

  async hasStoriesSubscription(telegramId: bigint, at: Date): Promise<boolean> {
    for (const source of this.sources) {
      if (await source.hasStoriesSubscription(telegramId, at)) return true;
    }
    return false;
  }
}
