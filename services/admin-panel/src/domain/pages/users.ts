import type { User } from '@nova/contracts';
import { html, type Html } from '../html.js';
import { words, type Words } from '../texts.js';
import { dateOf } from './numbers.js';
import { BASE, describedBy, fieldError, page, type Frame } from './layout.js';

export function displayName(w: Words, user: User): string {
  return [user.firstName, user.lastName].filter((part) => part !== '').join(' ') || w.t('user-fallback-name', { id: user.telegramId.toString() });
}

export function searchForm(w: Words, query: string, problem?: string): Html {
  return html`<form method="get" action="${BASE}users" role="search">
    <label for="q">${w.t('search-label')}</label>
    <input type="search" id="q" name="q" value="${query}" maxlength="100" autocomplete="off"${describedBy('q', problem)}>
    ${fieldError('q', problem)}
    <button type="submit">${w.t('search-button')}</button>
  </form>`;
}

export function usersPage(frame: Frame, query: string, found: readonly User[] | undefined, problem?: string): Html {
  const w = words(frame.locale);
  const { t } = w;
  const results = found === undefined ? '' : found.length === 0
    ? html`<p role="status">${t('no-match', { query })}</p>`
    : html`<table>
        <caption>${t('users-found', { count: found.length, query })}</caption>
        <thead><tr><th scope="col">${t('col-name')}</th><th scope="col">${t('col-username')}</th><th scope="col">${t('col-telegram-id')}</th><th scope="col">${t('col-last-seen')}</th></tr></thead>
        <tbody>${found.map((user) => html`<tr>
          <td><a href="${BASE}users/${user.telegramId}">${displayName(w, user)}</a>${user.blocked ? html` <span class="badge blocked">${t('blocked-badge')}</span>` : ''}</td>
          <td>${user.username === '' ? '—' : `@${user.username}`}</td>
          <td>${user.telegramId}</td>
          <td>${w.date(dateOf(user.lastSeenAt))}</td>
        </tr>`)}</tbody>
      </table>`;
  return page({ ...frame, title: t('users-title'), section: 'users' }, html`<h1>${t('users-title')}</h1>${searchForm(w, query, problem)}${results}`);
}
