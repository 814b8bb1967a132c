import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import type { UserStatsResponse } from '@nova/contracts';
import { html, type Html } from '../html.js';
import { formatDate, page, type PageFrame } from './layout.js';

export const dateOf = (t: Timestamp | undefined): Date | undefined => (t === undefined ? undefined : timestampDate(t));

export function numbersPage(frame: Pick<PageFrame, 'session'>, stats: UserStatsResponse | undefined): Html {
  const cards = stats === undefined
    ? html`<p class="errors" role="alert">The users context did not answer; the numbers are not available now.</p>`
    : html`<ul class="cards">
        <li>Users<strong>${stats.totalUsers}</strong></li>
        <li>New today<strong>${stats.registeredToday}</strong></li>
        <li>New in 24 h<strong>${stats.registeredLast24h}</strong></li>
        <li>Active in 24 h<strong>${stats.activeLast24h}</strong></li>
        <li>Active in 7 days<strong>${stats.activeLast7d}</strong></li>
      </ul>
      <p class="muted">As of ${formatDate(dateOf(stats.asOf))}.</p>`;
  return page({ ...frame, title: 'Numbers', section: 'numbers' }, html`<h1>Platform numbers</h1>${cards}`);
}
