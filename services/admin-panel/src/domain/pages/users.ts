import type { User } from '@nova/contracts';
import { html, type Html } from '../html.js';
import { dateOf } from './numbers.js';
import { BASE, describedBy, fieldError, formatDate, page, type PageFrame } from './layout.js';

export function displayName(user: User): string {
  return [user.firstName, user.lastName].filter((part) => part !== '').join(' ') || `user ${user.telegramId.toString()}`;
}

export function searchForm(query: string, problem?: string): Html {
  return html`<form method="get" action="${BASE}users" role="search">
    <label for="q">Find a user by Telegram id, @username or name</label>
    <input type="search" id="q" name="q" value="${query}" maxlength="100" autocomplete="off"${describedBy('q', problem)}>
    ${fieldError('q', problem)}
    <button type="submit">Search</button>
  </form>`;
}

export function usersPage(frame: Pick<PageFrame, 'session'>, query: string, found: readonly User[] | undefined, problem?: string): Html {
  const results = found === undefined ? '' : found.length === 0
    ? html`<p role="status">No user matches “${query}”.</p>`
    : html`<table>
        <caption>${found.length} user${found.length === 1 ? '' : 's'} matching “${query}”</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Username</th><th scope="col">Telegram id</th><th scope="col">Last seen</th></tr></thead>
        <tbody>${found.map((user) => html`<tr>
          <td><a href="${BASE}users/${user.telegramId}">${displayName(user)}</a>${user.blocked ? html` <span class="badge blocked">blocked</span>` : ''}</td>
          <td>${user.username === '' ? '—' : `@${user.username}`}</td>
          <td>${user.telegramId}</td>
          <td>${formatDate(dateOf(user.lastSeenAt))}</td>
        </tr>`)}</tbody>
      </table>`;
  return page({ ...frame, title: 'Users', section: 'users' }, html`<h1>Users</h1>${searchForm(query, problem)}${results}`);
}
