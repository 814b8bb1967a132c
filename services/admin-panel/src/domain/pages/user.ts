import { randomBytes } from 'node:crypto';
import { InvoiceStatus, PaymentProvider, PlanKind, SubscriptionStatus, type Bot, type Invoice, type Plan, type Subscription, type User } from '@nova/contracts';
import type { ActivityEntry } from '../activity.js';
import type { AuditEntryView } from '../audit.js';
import { html, type Html } from '../html.js';
import { words, type Words } from '../texts.js';
import { BASE, csrfField, describedBy, fieldError, page, type Frame, type PageFrame } from './layout.js';
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

/** The catalogue's selector keys for the contracts' enums. */
const KIND: Readonly<Record<number, string>> = { [PlanKind.BOTS]: 'bots', [PlanKind.STORIES]: 'stories', [PlanKind.POSTING]: 'posting' };
const SUBSCRIPTION: Readonly<Record<number, string>> = { [SubscriptionStatus.ACTIVE]: 'active', [SubscriptionStatus.EXPIRED]: 'expired', [SubscriptionStatus.REVOKED]: 'revoked' };
const INVOICE: Readonly<Record<number, string>> = {
  [InvoiceStatus.PENDING]: 'pending', [InvoiceStatus.PAID]: 'paid', [InvoiceStatus.EXPIRED]: 'expired',
  [InvoiceStatus.CANCELED]: 'canceled', [InvoiceStatus.CHARGEBACKED]: 'chargebacked',
};
/** The providers' own names, the same in every language. */
const PROVIDER: Readonly<Record<number, string>> = { [PaymentProvider.CRYPTOBOT]: 'CryptoBot', [PaymentProvider.PLATEGA]: 'Platega' };

/** One reason field, required when `required` (blocking, granting, revoking). */
function reasonField(w: Words, id: string, errors: UserPageView['errors'], values: UserPageView['values'], required: boolean): Html {
  const message = errors?.[id];
  return html`<label for="${id}">${required ? w.t('reason-label') : w.t('reason-optional-label')}</label>
    <input type="text" id="${id}" name="reason" maxlength="500" value="${values?.[id] ?? ''}"${required ? html` required` : ''}${describedBy(id, message)}>
    ${fieldError(id, message)}`;
}

function blockUserForm(w: Words, view: UserPageView, csrf: string): Html {
  const { user } = view;
  const action = user.blocked ? 'unblock' : 'block';
  return html`<form method="post" action="${BASE}users/${user.telegramId}/${action}">
    <fieldset><legend>${user.blocked ? w.t('unblock-user-legend') : w.t('block-user-legend')}</legend>
    ${csrfField(csrf)}
    ${reasonField(w, `user-${action}-reason`, view.errors, view.values, !user.blocked)}
    <button type="submit"${user.blocked ? '' : html` class="danger"`}>${user.blocked ? w.t('unblock-user-button') : w.t('block-user-button')}</button>
    </fieldset>
  </form>`;
}

function grantForm(w: Words, view: UserPageView, csrf: string): Html {
  const { t } = w;
  const planError = view.errors?.['grant-plan'];
  return html`<form method="post" action="${BASE}users/${view.user.telegramId}/grant">
    <fieldset><legend>${t('grant-legend')}</legend>
    ${csrfField(csrf)}
    <input type="hidden" name="nonce" value="${randomBytes(16).toString('base64url')}">
    <label for="grant-plan">${t('plan-label')}</label>
    <select id="grant-plan" name="plan" required${describedBy('grant-plan', planError)}>
      <option value="">${t('choose-plan')}</option>
      ${view.plans.map((plan) => html`<option value="${plan.id}"${view.values?.['grant-plan'] === plan.id ? html` selected` : ''}>${t('plan-option', { title: plan.title, kind: t('plan-kind', { kind: KIND[plan.kind] ?? 'other' }), days: plan.periodDays })}</option>`)}
    </select>
    ${fieldError('grant-plan', planError)}
    ${reasonField(w, 'grant-reason', view.errors, view.values, true)}
    <button type="submit">${t('grant-button')}</button>
    </fieldset>
  </form>`;
}

function botsTable(w: Words, view: UserPageView, csrf: string): Html {
  const { t } = w;
  if (view.bots.length === 0) return html`<p>${t('no-bots')}</p>`;
  return html`<table>
    <caption>${t('heading-bots')}</caption>
    <thead><tr><th scope="col">${t('col-bot')}</th><th scope="col">${t('col-audience')}</th><th scope="col">${t('col-added')}</th><th scope="col">${t('col-state')}</th><th scope="col">${t('col-action')}</th></tr></thead>
    <tbody>${view.bots.map((bot) => {
      const action = bot.blocked ? 'unblock' : 'block';
      const id = `bot-${bot.botId.toString()}-${action}-reason`;
      const message = view.errors?.[id];
      const username = bot.username;
      return html`<tr id="bot-${bot.botId}">
        <td>@${username} <span class="muted">(${bot.botId})</span></td>
        <td>${w.count(bot.audienceSize)}</td>
        <td>${w.date(dateOf(bot.createdAt))}</td>
        <td>${bot.blocked ? html`<span class="badge blocked">${t('blocked-badge')}</span> ${bot.blockedReason}` : t('bot-active')}</td>
        <td><form method="post" action="${BASE}bots/${bot.botId}/${action}">
          ${csrfField(csrf)}
          <input type="hidden" name="owner" value="${view.user.telegramId}">
          <label for="${id}">${bot.blocked ? t('bot-unblock-reason-label', { username }) : t('bot-block-reason-label', { username })}</label>
          <input type="text" id="${id}" name="reason" maxlength="500" value="${view.values?.[id] ?? ''}"${bot.blocked ? '' : html` required`}${describedBy(id, message)}>
          ${fieldError(id, message)}
          <button type="submit"${bot.blocked ? '' : html` class="danger"`}>${bot.blocked ? t('bot-unblock-button', { username }) : t('bot-block-button', { username })}</button>
        </form></td>
      </tr>`;
    })}</tbody>
  </table>`;
}

function subscriptionsTable(w: Words, view: UserPageView, csrf: string): Html {
  const { t } = w;
  if (view.payments === undefined) return html`<p class="errors" role="alert">${t('payments-silent')}</p>`;
  const { subscriptions, invoices } = view.payments;
  const subs = subscriptions.length === 0 ? html`<p>${t('no-subscriptions')}</p>` : html`<table>
    <caption>${t('subscriptions-caption')}</caption>
    <thead><tr><th scope="col">${t('col-kind')}</th><th scope="col">${t('col-plan')}</th><th scope="col">${t('col-from')}</th><th scope="col">${t('col-until')}</th><th scope="col">${t('col-status')}</th><th scope="col">${t('col-source')}</th><th scope="col">${t('col-action')}</th></tr></thead>
    <tbody>${subscriptions.map((s) => {
      const id = `revoke-${s.id}-reason`;
      const message = view.errors?.[id];
      return html`<tr>
        <td>${t('plan-kind', { kind: KIND[s.kind] ?? 'other' })}</td><td>${s.planId}</td>
        <td>${w.date(dateOf(s.startsAt))}</td><td>${w.date(dateOf(s.endsAt))}</td>
        <td>${t('subscription-status', { status: SUBSCRIPTION[s.status] ?? 'other' })}</td>
        <td>${s.grantedBy === 0n ? t('source-invoice', { invoice: s.invoiceId }) : t('source-granted', { admin: s.grantedBy.toString(), reason: s.adminReason })}</td>
        <td>${s.status === SubscriptionStatus.ACTIVE ? html`<form method="post" action="${BASE}subscriptions/${s.id}/revoke">
          ${csrfField(csrf)}<input type="hidden" name="owner" value="${view.user.telegramId}">
          <label for="${id}">${t('revoke-reason-label')}</label>
          <input type="text" id="${id}" name="reason" maxlength="500" required value="${view.values?.[id] ?? ''}"${describedBy(id, message)}>
          ${fieldError(id, message)}
          <button type="submit" class="danger">${t('revoke-button')}</button></form>` : ''}</td>
      </tr>`;
    })}</tbody></table>`;
  const invs = invoices.length === 0 ? html`<p>${t('no-payments')}</p>` : html`<table>
    <caption>${t('payments-caption')}</caption>
    <thead><tr><th scope="col">${t('col-invoice')}</th><th scope="col">${t('col-plan')}</th><th scope="col">${t('col-provider')}</th><th scope="col">${t('col-amount')}</th><th scope="col">${t('col-status')}</th><th scope="col">${t('col-created')}</th><th scope="col">${t('col-paid')}</th></tr></thead>
    <tbody>${invoices.map((i) => html`<tr>
      <td>${i.id}</td><td>${i.planId}</td><td>${PROVIDER[i.provider] ?? '?'}</td>
      <td>${i.amount === undefined ? '—' : w.money(i.amount.minorUnits, i.amount.currency)}</td>
      <td>${t('invoice-status', { status: INVOICE[i.status] ?? 'other' })}</td><td>${w.date(dateOf(i.createdAt))}</td><td>${w.date(dateOf(i.paidAt))}</td>
    </tr>`)}</tbody></table>`;
  return html`${subs}${invs}`;
}

/** An action's outcome in words, with the error that failed it (as the context or the panel recorded it). */
export function outcomeText(w: Words, entry: Pick<AuditEntryView, 'outcome' | 'error'>): string {
  return entry.error === undefined ? w.t('audit-outcome', { outcome: entry.outcome }) : w.t('audit-outcome-error', { outcome: entry.outcome, error: entry.error });
}

/** Audit entries; the action stays its code (user.block, subscription.grant), which admins search the log for. */
export function auditTable(w: Words, entries: readonly AuditEntryView[], caption: string): Html {
  const { t } = w;
  if (entries.length === 0) return html`<p>${t('no-audit')}</p>`;
  return html`<table>
    <caption>${caption}</caption>
    <thead><tr><th scope="col">${t('col-when')}</th><th scope="col">${t('col-admin')}</th><th scope="col">${t('col-action')}</th><th scope="col">${t('col-target')}</th><th scope="col">${t('col-reason')}</th><th scope="col">${t('col-outcome')}</th><th scope="col">${t('col-before-after')}</th></tr></thead>
    <tbody>${entries.map((e) => html`<tr>
      <td>${w.date(e.startedAt)}</td><td>${e.adminId}</td><td><code>${e.action}</code></td>
      <td>${t('audit-target', { kind: e.targetKind, id: e.targetId })}</td><td>${e.reason}</td>
      <td>${outcomeText(w, e)}</td>
      <td><details><summary>${t('show-details')}</summary><pre>${JSON.stringify(e.before, null, 1)}</pre><pre>${JSON.stringify(e.after, null, 1)}</pre></details></td>
    </tr>`)}</tbody></table>`;
}

function activityList(w: Words, view: UserPageView): Html {
  const { t } = w;
  const postsSilent = view.postsUnknown === true;
  const paymentsSilent = view.payments === undefined;
  const note = !postsSilent && !paymentsSilent ? '' : html`<p>${t('activity-silent', { which: postsSilent && paymentsSilent ? 'both' : postsSilent ? 'publisher' : 'payments' })}</p>`;
  if (view.activity.length === 0) return html`${note}<p>${t('no-activity')}</p>`;
  return html`${note}<table>
    <caption>${t('activity-caption')}</caption>
    <thead><tr><th scope="col">${t('col-when')}</th><th scope="col">${t('col-kind')}</th><th scope="col">${t('col-what')}</th></tr></thead>
    <tbody>${view.activity.map((entry) => html`<tr><td>${w.date(entry.at)}</td><td><span class="badge">${t('activity-kind', { kind: entry.kind })}</span></td><td>${entry.what}</td></tr>`)}</tbody></table>`;
}

export function userPage(frame: Frame & Pick<PageFrame, 'notice'>, view: UserPageView): Html {
  const w = words(frame.locale);
  const { t } = w;
  const csrf = frame.session?.csrf ?? '';
  const { user } = view;
  const formProblem = view.errors?.form;
  const problems = view.errors === undefined ? '' : html`<p class="errors" role="alert">${formProblem === undefined ? t('form-refused') : t('form-refused-because', { reason: formProblem })}</p>`;
  return page({ ...frame, title: displayName(w, user), section: 'users' }, html`
    <h1>${displayName(w, user)} ${user.blocked ? html`<span class="badge blocked">${t('blocked-badge')}</span>` : ''}</h1>
    ${problems}
    <dl>
      <dt>${t('col-telegram-id')}</dt><dd>${user.telegramId}</dd>
      <dt>${t('col-username')}</dt><dd>${user.username === '' ? '—' : `@${user.username}`}</dd>
      <dt>${t('col-first-seen')}</dt><dd>${w.date(dateOf(user.createdAt))}</dd>
      <dt>${t('col-last-seen')}</dt><dd>${w.date(dateOf(user.lastSeenAt))}</dd>
      ${user.blocked ? html`<dt>${t('blocked-because')}</dt><dd>${user.blockedReason}</dd>` : ''}
    </dl>
    <div class="actions">${blockUserForm(w, view, csrf)}${grantForm(w, view, csrf)}</div>
    <h2>${t('heading-activity')}</h2>${activityList(w, view)}
    <h2>${t('heading-bots')}</h2>${botsTable(w, view, csrf)}
    <h2>${t('heading-subscriptions-payments')}</h2>${subscriptionsTable(w, view, csrf)}
    <h2>${t('heading-admin-actions')}</h2>${auditTable(w, view.audit, t('audit-caption-recent'))}
  `);
}
