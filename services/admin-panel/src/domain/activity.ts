/**
 * A user's recent activity: one timeline, newest first, from what each context already answers
 * for the user's page (the user context's first and last sight, the bots they connected, their
 * posts, their invoices and subscriptions) and the panel's own audit log. No context keeps a
 * per-user event log, and the panel reads other contexts only over the bus, so the timeline is
 * assembled here from their answers rather than stored anywhere.
 */
import { InvoiceStatus, PostStatus, type Bot, type Invoice, type Post, type Subscription, type User } from '@nova/contracts';
import type { AuditEntryView } from './audit.js';
import { dateOf } from './pages/numbers.js';
import type { Words } from './texts.js';

/** Entries a user's page shows at most. */
export const ACTIVITY_LIMIT = 20;

export interface ActivityEntry {
  readonly at: Date;
  /** What kind of thing happened, for the row's badge: seen, bot, post, payment, subscription, admin. */
  readonly kind: 'seen' | 'bot' | 'post' | 'payment' | 'subscription' | 'admin';
  /** What happened, in the page's language. */
  readonly what: string;
}

export interface ActivitySources {
  readonly user: User;
  readonly bots: readonly Bot[];
  /** Undefined when the publisher did not answer. */
  readonly posts: readonly Post[] | undefined;
  /** Undefined when the payments context did not answer. */
  readonly payments: { readonly invoices: readonly Invoice[]; readonly subscriptions: readonly Subscription[] } | undefined;
  readonly audit: readonly AuditEntryView[];
}

const POST_STATUS: Readonly<Record<number, string>> = {
  [PostStatus.SCHEDULED]: 'scheduled', [PostStatus.PUBLISHING]: 'publishing', [PostStatus.PUBLISHED]: 'published', [PostStatus.CANCELLED]: 'cancelled',
};

function postEntries(w: Words, post: Post): ActivityEntry[] {
  const { t } = w;
  const id = `#${post.postId.toString()}`;
  const entries: ActivityEntry[] = [];
  const created = dateOf(post.createdAt);
  const publishAt = dateOf(post.publishAt);
  const scheduled = publishAt !== undefined && created !== undefined && publishAt.getTime() > created.getTime();
  const status = t('post-status', { status: POST_STATUS[post.status] ?? 'other' });
  if (created !== undefined) {
    const channels = post.chatIds.length;
    entries.push({ at: created, kind: 'post', what: scheduled ? t('activity-post-scheduled', { post: id, channels, at: w.date(publishAt), status }) : t('activity-post-wrote', { post: id, channels, status }) });
  }
  const published = dateOf(post.publishedAt);
  if (published !== undefined) {
    const failed = post.outcomes.filter((outcome) => !outcome.sent).length;
    entries.push({ at: published, kind: 'post', what: failed === 0 ? t('activity-post-published', { post: id }) : t('activity-post-published-failed', { post: id, failed, channels: post.outcomes.length }) });
  }
  return entries;
}

function paymentEntries(w: Words, invoice: Invoice): ActivityEntry[] {
  const entries: ActivityEntry[] = [];
  const created = dateOf(invoice.createdAt);
  if (created !== undefined) entries.push({ at: created, kind: 'payment', what: w.t('activity-payment-asked', { plan: invoice.planId, invoice: invoice.id }) });
  const paid = dateOf(invoice.paidAt);
  if (paid !== undefined && invoice.status !== InvoiceStatus.PENDING) entries.push({ at: paid, kind: 'payment', what: w.t('activity-payment-paid', { plan: invoice.planId, invoice: invoice.id }) });
  return entries;
}

/** The user's activity from every source, newest first, at most `limit` entries. */
export function recentActivity(w: Words, sources: ActivitySources, limit = ACTIVITY_LIMIT): ActivityEntry[] {
  const { t } = w;
  const entries: ActivityEntry[] = [];
  const first = dateOf(sources.user.createdAt);
  const last = dateOf(sources.user.lastSeenAt);
  if (first !== undefined) entries.push({ at: first, kind: 'seen', what: t('activity-first-seen') });
  if (last !== undefined && last.getTime() !== first?.getTime()) entries.push({ at: last, kind: 'seen', what: t('activity-last-seen') });
  for (const bot of sources.bots) {
    const added = dateOf(bot.createdAt);
    if (added !== undefined) entries.push({ at: added, kind: 'bot', what: t('activity-connected', { username: bot.username }) });
  }
  for (const post of sources.posts ?? []) entries.push(...postEntries(w, post));
  for (const invoice of sources.payments?.invoices ?? []) entries.push(...paymentEntries(w, invoice));
  for (const subscription of sources.payments?.subscriptions ?? []) {
    const starts = dateOf(subscription.startsAt);
    if (starts !== undefined) entries.push({ at: starts, kind: 'subscription', what: subscription.grantedBy === 0n ? t('activity-subscription', { plan: subscription.planId }) : t('activity-subscription-granted', { plan: subscription.planId }) });
  }
  for (const entry of sources.audit) entries.push({ at: entry.startedAt, kind: 'admin', what: t('activity-admin', { action: entry.action, admin: entry.adminId.toString(), outcome: t('audit-outcome', { outcome: entry.outcome }) }) });
  // Newest first; at one instant, the order the sources were read in (a stable sort keeps it).
  return entries.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit);
}
