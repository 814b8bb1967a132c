import { randomBytes } from 'node:crypto';
import { InvoiceStatus, PaymentProvider, PlanKind, SubscriptionStatus, type Bot, type Invoice, type Plan, type Subscription, type User } from '@nova/contracts';
import type { ActivityEntry } from '../activity.js';
import type { AuditEntryView } from '../audit.js';
import { html, type Html } from '../html.js';
import { BASE, csrfField, describedBy, fieldError, formatDate, page, type PageFrame } from './layout.js';
import { dateOf } from './numbers.js';
import { displayName } from './users.js';

export interface UserPageView {
  readonly user: User;
  readonly bots: readonly Bot[];
  /** Undefined when the payments context did not answer. */
  readonly payments: { readonly invoices: readonly Invoice[]; readonly subscriptions: readonly Subscription[] } | undefined;
  readonly plans: readonly Plan[];
  readonly audit: readonly AuditEntryView[];
  /** The user's recent activity, newest first (activity.ts). */
  readonly activity: readonly ActivityEntry[];
  /** The publisher did not answer: the timeline has no posts. */
  readonly postsUnknown?: boolean;
  /** Messages per form field ("block.reason", "grant.plan", ...) after a refused form. */
  readonly errors?: Readonly<Record<string, string>>;
  /** What the admin typed, shown again after a refused form. */
  readonly values?: Readonly<Record<string, string>>;
}

const KIND: Readonly<Record<number, string>> = { [PlanKind.BOTS]: 'bots', [PlanKind.STORIES]: 'stories', [PlanKind.POSTING]: 'posting' };
const SUBSCRIPTION: Readonly<Record<number, string>> = { [SubscriptionStatus.ACTIVE]: 'active', [SubscriptionStatus.EXPIRED]: 'expired', [SubscriptionStatus.REVOKED]: 'revoked' };
const INVOICE: Readonly<Record<number, string>> = {
  [InvoiceStatus.PENDING]: 'pending', [InvoiceStatus.PAID]: 'paid', [InvoiceStatus.EXPIRED]: 'expired',
  [InvoiceStatus.CANCELED]: 'canceled', [InvoiceStatus.CHARGEBACKED]: 'charged back',
};
const PROVIDER: Readonly<Record<number, string>> = { [PaymentProvider.CRYPTOBOT]: 'CryptoBot', [PaymentProvider.PLATEGA]: 'Platega' };

export function money(minor: bigint, currency: string): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  return `${negative ? '-' : ''}${(abs / 100n).toString()}.${(abs % 100n).toString().padStart(2, '0')} ${currency}`;
}

/** One reason field, required when `required` (blocking, granting, revoking). */
function reasonField(id: string, errors: UserPageView['errors'], values: UserPageView['values'], required: boolean): Html {
  const message = errors?.[id];
  return html`<label for="${id}">Reason${required ? '' : ' (optional)'}</label>
    <input type="text" id="${id}" name="reason" maxlength="500" value="${values?.[id] ?? ''}"${required ? html` required` : ''}${describedBy(id, message)}>
    ${fieldError(id, message)}`;
}

function blockUserForm(view: UserPageView, csrf: string): Html {
  const { user } = view;
  const action = user.blocked ? 'unblock' : 'block';
  return html`<form method="post" action="${BASE}users/${user.telegramId}/${action}">
    <fieldset><legend>${user.blocked ? 'Unblock this user' : 'Block this user'}</legend>
    ${csrfField(csrf)}
    ${reasonField(`user-${action}-reason`, view.errors, view.values, !user.blocked)}
    <button type="submit"${user.blocked ? '' : html` class="danger"`}>${user.blocked ? 'Unblock user' : 'Block user'}</button>
    </fieldset>
  </form>`;
}

function grantForm(view: UserPageView, csrf: string): Html {
  const planError = view.errors?.['grant-plan'];
  return html`<form method="post" action="${BASE}users/${view.user.telegramId}/grant">
    <fieldset><legend>Grant a subscription</legend>
    ${csrfField(csrf)}
    <input type="hidden" name="nonce" value="${randomBytes(16).toString('base64url')}">
    <label for="grant-plan">Plan</label>
    <select id="grant-plan" name="plan" required${describedBy('grant-plan', planError)}>
      <option value="">Choose a plan</option>
      ${view.plans.map((plan) => html`<option value="${plan.id}"${view.values?.['grant-plan'] === plan.id ? html` selected` : ''}>${plan.title} (${KIND[plan.kind] ?? '?'}, ${plan.periodDays} days)</option>`)}
    </select>
    ${fieldError('grant-plan', planError)}
    ${reasonField('grant-reason', view.errors, view.values, true)}
    <button type="submit">Grant</button>
    </fieldset>
  </form>`;
}

function botsTable(view: UserPageView, csrf: string): Html {
  if (view.bots.length === 0) return html`<p>No bots.</p>`;
  return html`<table>
    <caption>Bots</caption>
    <thead><tr><th scope="col">Bot</th><th scope="col">Audience</th><th scope="col">Added</th><th scope="col">State</th><th scope="col">Action</th></tr></thead>
    <tbody>${view.bots.map((bot) => {
      const action = bot.blocked ? 'unblock' : 'block';
      const id = `bot-${bot.botId.toString()}-${action}-reason`;
      const message = view.errors?.[id];
      return html`<tr id="bot-${bot.botId}">
        <td>@${bot.username} <span class="muted">(${bot.botId})</span></td>
        <td>${bot.audienceSize}</td>
        <td>${formatDate(dateOf(bot.createdAt))}</td>
        <td>${bot.blocked ? html`<span class="badge blocked">blocked</span> ${bot.blockedReason}` : 'active'}</td>
        <td><form method="post" action="${BASE}bots/${bot.botId}/${action}">
          ${csrfField(csrf)}
          <input type="hidden" name="owner" value="${view.user.telegramId}">
          <label for="${id}">Reason for ${bot.blocked ? 'unblocking' : 'blocking'} @${bot.username}${bot.blocked ? ' (optional)' : ''}</label>
          <input type="text" id="${id}" name="reason" maxlength="500" value="${view.values?.[id] ?? ''}"${bot.blocked ? '' : html` required`}${describedBy(id, message)}>
          ${fieldError(id, message)}
          <button type="submit"${bot.blocked ? '' : html` class="danger"`}>${bot.blocked ? 'Unblock' : 'Block'} @${bot.username}</button>
        </form></td>
      </tr>`;
    })}</tbody>
  </table>`;
}

function subscriptionsTable(view: UserPageView, csrf: string): Html {
  if (view.payments === undefined) return html`<p class="errors" role="alert">The payments context did not answer: subscriptions and payments are not shown.</p>`;
  const { subscriptions, invoices } = view.payments;
  const subs = subscriptions.length === 0 ? html`<p>No subscriptions.</p>` : html`<table>
    <caption>Subscriptions</caption>
    <thead><tr><th scope="col">Kind</th><th scope="col">Plan</th><th scope="col">From</th><th scope="col">Until</th><th scope="col">Status</th><th scope="col">Source</th><th scope="col">Action</th></tr></thead>
    <tbody>${subscriptions.map((s) => {
      const id = `revoke-${s.id}-reason`;
      const message = view.errors?.[id];
      return html`<tr>
        <td>${KIND[s.kind] ?? '?'}</td><td>${s.planId}</td>
        <td>${formatDate(dateOf(s.startsAt))}</td><td>${formatDate(dateOf(s.endsAt))}</td>
        <td>${SUBSCRIPTION[s.status] ?? '?'}</td>
        <td>${s.grantedBy === 0n ? `invoice ${s.invoiceId}` : `granted by ${s.grantedBy.toString()}: ${s.adminReason}`}</td>
        <td>${s.status === SubscriptionStatus.ACTIVE ? html`<form method="post" action="${BASE}subscriptions/${s.id}/revoke">
          ${csrfField(csrf)}<input type="hidden" name="owner" value="${view.user.telegramId}">
          <label for="${id}">Reason for revoking</label>
          <input type="text" id="${id}" name="reason" maxlength="500" required value="${view.values?.[id] ?? ''}"${describedBy(id, message)}>
          ${fieldError(id, message)}
          <button type="submit" class="danger">Revoke</button></form>` : ''}</td>
      </tr>`;
    })}</tbody></table>`;
  const invs = invoices.length === 0 ? html`<p>No payments.</p>` : html`<table>
    <caption>Payments</caption>
    <thead><tr><th scope="col">Invoice</th><th scope="col">Plan</th><th scope="col">Provider</th><th scope="col">Amount</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Paid</th></tr></thead>
    <tbody>${invoices.map((i) => html`<tr>
      <td>${i.id}</td><td>${i.planId}</td><td>${PROVIDER[i.provider] ?? '?'}</td>
      <td>${i.amount === undefined ? '—' : money(i.amount.minorUnits, i.amount.currency)}</td>
      <td>${INVOICE[i.status] ?? '?'}</td><td>${formatDate(dateOf(i.createdAt))}</td><td>${formatDate(dateOf(i.paidAt))}</td>
    </tr>`)}</tbody></table>`;
  return html`${subs}${invs}`;
}

export function auditTable(entries: readonly AuditEntryView[], caption: string): Html {
  if (entries.length === 0) return html`<p>No admin actions recorded.</p>`;
  return html`<table>
    <caption>${caption}</caption>
    <thead><tr><th scope="col">When</th><th scope="col">Admin</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Reason</th><th scope="col">Outcome</th><th scope="col">Before → after</th></tr></thead>
    <tbody>${entries.map((e) => html`<tr>
      <td>${formatDate(e.startedAt)}</td><td>${e.adminId}</td><td>${e.action}</td>
      <td>${e.targetKind} ${e.targetId}</td><td>${e.reason}</td>
      <td>${e.outcome}${e.error === undefined ? '' : `: ${e.error}`}</td>
      <td><details><summary>show</summary><pre>${JSON.stringify(e.before, null, 1)}</pre><pre>${JSON.stringify(e.after, null, 1)}</pre></details></td>
    </tr>`)}</tbody></table>`;
}

function activityList(view: UserPageView): Html {
  const silent = [view.postsUnknown === true ? 'the publishing context' : '', view.payments === undefined ? 'the payments context' : ''].filter((name) => name !== '');
  const note = silent.length === 0 ? '' : html`<p>Not shown: ${silent.join(' and ')} did not answer.</p>`;
  if (view.activity.length === 0) return html`${note}<p>No activity yet.</p>`;
  return html`${note}<table>
    <caption>Recent activity, newest first</caption>
    <thead><tr><th scope="col">When</th><th scope="col">Kind</th><th scope="col">What</th></tr></thead>
    <tbody>${view.activity.map((entry) => html`<tr><td>${formatDate(entry.at)}</td><td><span class="badge">${entry.kind}</span></td><td>${entry.what}</td></tr>`)}</tbody></table>`;
}

export function userPage(frame: Pick<PageFrame, 'session' | 'notice'>, view: UserPageView): Html {
  const csrf = frame.session?.csrf ?? '';
  const { user } = view;
  const problems = view.errors === undefined ? '' : html`<p class="errors" role="alert">The form was not accepted: ${view.errors.form ?? 'see the messages below.'}</p>`;
  return page({ ...frame, title: displayName(user), section: 'users' }, html`
    <h1>${displayName(user)} ${user.blocked ? html`<span class="badge blocked">blocked</span>` : ''}</h1>
    ${problems}
    <dl>
      <dt>Telegram id</dt><dd>${user.telegramId}</dd>
      <dt>Username</dt><dd>${user.username === '' ? '—' : `@${user.username}`}</dd>
      <dt>First seen</dt><dd>${formatDate(dateOf(user.createdAt))}</dd>
      <dt>Last seen</dt><dd>${formatDate(dateOf(user.lastSeenAt))}</dd>
      ${user.blocked ? html`<dt>Blocked because</dt><dd>${user.blockedReason}</dd>` : ''}
    </dl>
    <div class="actions">${blockUserForm(view, csrf)}${grantForm(view, csrf)}</div>
    <h2>Recent activity</h2>${activityList(view)}
    <h2>Bots</h2>${botsTable(view, csrf)}
    <h2>Subscriptions and payments</h2>${subscriptionsTable(view, csrf)}
    <h2>Admin actions on this user</h2>${auditTable(view.audit, 'Recent admin actions')}
  `);
}
