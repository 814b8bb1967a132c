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

/** Entries a user's page shows at most. */
export const ACTIVITY_LIMIT = 20;

export interface ActivityEntry {
  readonly at: Date;
  /** What kind of thing happened, for the row's badge: seen, bot, post, payment, subscription, admin. */
  readonly kind: 'seen' | 'bot' | 'post' | 'payment' | 'subscription' | 'admin';
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
  [PostStatus.SCHEDULED]: 'scheduled', [PostStatus.PUBLISHING]: 'going out', [PostStatus.PUBLISHED]: 'published', [PostStatus.CANCELLED]: 'cancelled',
};

function channels(count: number): string {
  return count === 1 ? '1 channel' : `${String(count)} channels`;
}

function postEntries(post: Post): ActivityEntry[] {
  const id = `post #${post.postId.toString()}`;
  const entries: ActivityEntry[] = [];
  const created = dateOf(post.createdAt);
  const publishAt = dateOf(post.publishAt);
  const scheduled = publishAt !== undefined && created !== undefined && publishAt.getTime() > created.getTime();
  if (created !== undefined) {
    const when = scheduled ? ` for ${publishAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '';
    entries.push({ at: created, kind: 'post', what: `${scheduled ? 'scheduled' : 'wrote'} ${id} to ${channels(post.chatIds.length)}${when} (now ${POST_STATUS[post.status] ?? 'unknown'})` });
  }
  const published = dateOf(post.publishedAt);
  if (published !== undefined) {
    const failed = post.outcomes.filter((outcome) => !outcome.sent).length;
    entries.push({ at: published, kind: 'post', what: `${id} published${failed === 0 ? '' : `, ${String(failed)} of ${channels(post.outcomes.length)} failed`}` });
  }
  return entries;
}

function paymentEntries(invoice: Invoice): ActivityEntry[] {
  const entries: ActivityEntry[] = [];
  const created = dateOf(invoice.createdAt);
  if (created !== undefined) entries.push({ at: created, kind: 'payment', what: `asked to pay for ${invoice.planId} (invoice ${invoice.id})` });
  const paid = dateOf(invoice.paidAt);
  if (paid !== undefined && invoice.status !== InvoiceStatus.PENDING) entries.push({ at: paid, kind: 'payment', what: `paid for ${invoice.planId} (invoice ${invoice.id})` });
  return entries;
}

/** The user's activity from every source, newest first, at most `limit` entries. */
export function recentActivity(sources: ActivitySources, limit = ACTIVITY_LIMIT): ActivityEntry[] {
  const entries: ActivityEntry[] = [];
  const first = dateOf(sources.user.createdAt);
  const last = dateOf(sources.user.lastSeenAt);
  if (first !== undefined) entries.push({ at: first, kind: 'seen', what: 'first talked to a bot of the platform' });
  if (last !== undefined && last.getTime() !== first?.getTime()) entries.push({ at: last, kind: 'seen', what: 'last talked to a bot of the platform' });
  for (const bot of sources.bots) {
    const added = dateOf(bot.createdAt);
    if (added !== undefined) entries.push({ at: added, kind: 'bot', what: `connected @${bot.username}` });
  }
  for (const post of sources.posts ?? []) entries.push(...postEntries(post));
  for (const invoice of sources.payments?.invoices ?? []) entries.push(...paymentEntries(invoice));
  for (const subscription of sources.payments?.subscriptions ?? []) {
    const starts = dateOf(subscription.startsAt);
    if (starts !== undefined) entries.push({ at: starts, kind: 'subscription', what: `${subscription.grantedBy === 0n ? 'subscription' : 'subscription granted by hand'}: ${subscription.planId}` });
  }
  for (const entry of sources.audit) entries.push({ at: entry.startedAt, kind: 'admin', what: `${entry.action} by admin ${entry.adminId.toString()} (${entry.outcome})` });
  // Newest first; at one instant, the order the sources were read in (a stable sort keeps it).
  return entries.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit);
}
