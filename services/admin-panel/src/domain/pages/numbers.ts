import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import type { BotStatsResponse, PaymentStatsResponse, PublisherStatsResponse, UserStatsResponse } from '@nova/contracts';
import { html, type Html } from '../html.js';
import type { StatsSample } from '../stats-history.js';
import { lineChart, type ChartSeries } from './chart.js';
import { formatDate, page, type PageFrame } from './layout.js';
import { money } from './user.js';

export const dateOf = (t: Timestamp | undefined): Date | undefined => (t === undefined ? undefined : timestampDate(t));

/** The numbers now, as each context answered (undefined: it did not), and their history. */
export interface NumbersView {
  readonly users: UserStatsResponse | undefined;
  readonly bots: BotStatsResponse | undefined;
  readonly payments: PaymentStatsResponse | undefined;
  /** Posts and channels now (not sampled into the history: the charts start with the first three contexts). */
  readonly posts?: PublisherStatsResponse | undefined;
  /** Oldest first. */
  readonly history: readonly StatsSample[];
  /** How often the panel samples (for the charts' caption). */
  readonly intervalMs: number;
}

const PROVIDER_NAMES: Readonly<Record<string, string>> = { cryptobot: 'CryptoBot', platega: 'Platega' };
const providerName = (provider: string): string => PROVIDER_NAMES[provider] ?? provider;

function unavailable(context: string): Html {
  return html`<p class="errors" role="alert">The ${context} context did not answer; its numbers are not available now.</p>`;
}

function series(label: string, history: readonly StatsSample[], pick: (sample: StatsSample) => bigint | undefined): ChartSeries {
  return { label, points: history.flatMap((sample) => { const value = pick(sample); return value === undefined ? [] : [{ at: sample.takenAt, value: Number(value) }]; }) };
}

/** One revenue chart per currency, a line per provider (amounts in major units, exact in the table's money format). */
function revenueCharts(history: readonly StatsSample[]): Html[] {
  const providersByCurrency = new Map<string, Set<string>>();
  for (const sample of history) {
    for (const entry of sample.revenue ?? []) {
      const providers = providersByCurrency.get(entry.currency) ?? new Set<string>();
      providers.add(entry.provider);
      providersByCurrency.set(entry.currency, providers);
    }
  }
  return [...providersByCurrency].sort(([a], [b]) => a.localeCompare(b)).map(([currency, providers]) => lineChart({
    title: `Revenue so far (${currency})`,
    series: [...providers].sort().map((provider) => series(providerName(provider), history, (sample) => sample.revenue?.find((e) => e.provider === provider && e.currency === currency)?.minorUnits ?? (sample.revenue === undefined ? undefined : 0n))),
    format: (value) => money(BigInt(Math.round(value)), currency),
  }));
}

function every(intervalMs: number): string {
  if (intervalMs % 3_600_000 === 0) return `${String(intervalMs / 3_600_000)} h`;
  if (intervalMs % 60_000 === 0) return `${String(intervalMs / 60_000)} min`;
  return `${String(intervalMs / 1000)} s`;
}

export function numbersPage(frame: Pick<PageFrame, 'session'>, view: NumbersView): Html {
  const { users, bots, payments, history } = view;
  const userCards = users === undefined ? unavailable('users') : html`<ul class="cards">
        <li>Users<strong>${users.totalUsers}</strong></li>
        <li>New today<strong>${users.registeredToday}</strong></li>
        <li>New in 24 h<strong>${users.registeredLast24h}</strong></li>
        <li>Active in 24 h<strong>${users.activeLast24h}</strong></li>
        <li>Active in 7 days<strong>${users.activeLast7d}</strong></li>
      </ul>
      <p class="muted">As of ${formatDate(dateOf(users.asOf))}.</p>`;
  const botCards = bots === undefined ? unavailable('bots') : html`<ul class="cards">
        <li>Bots<strong>${bots.totalBots}</strong></li>
        <li>Blocked bots<strong>${bots.blockedBots}</strong></li>
      </ul>`;
  const paymentCards = payments === undefined ? unavailable('payments') : html`<ul class="cards">
        <li>Active subscriptions<strong>${payments.activeSubscriptions}</strong></li>
        ${payments.revenue.length === 0 ? html`<li>Revenue<strong>—</strong><span class="muted">no paid invoices yet</span></li>` : ''}
        ${payments.revenue.map((entry) => html`<li>Revenue, ${providerName(entry.provider)}<strong>${entry.paid === undefined ? '—' : money(entry.paid.minorUnits, entry.paid.currency)}</strong><span class="muted">${entry.payments} payments</span></li>`)}
      </ul>`;
  const postCards = view.posts === undefined ? unavailable('publishing') : html`<ul class="cards">
        <li>Posts<strong>${view.posts.posts}</strong></li>
        <li>Scheduled<strong>${view.posts.postsScheduled}</strong></li>
        <li>Published<strong>${view.posts.postsPublished}</strong></li>
        <li>Published in 24 h<strong>${view.posts.postsPublished24h}</strong></li>
        <li>Channels linked<strong>${view.posts.channels}</strong></li>
      </ul>`;
  const revenue = revenueCharts(history);
  const charts = html`
    <h2>Over time</h2>
    <p class="muted">The panel samples these numbers every ${every(view.intervalMs)}${history.length === 0 ? '' : html`; ${history.length} samples since ${formatDate(history[0]?.takenAt)}`}.</p>
    <div class="charts">
      ${lineChart({ title: 'Users', series: [series('Users', history, (s) => s.totalUsers), series('Active in 24 h', history, (s) => s.activeLast24h), series('Active in 7 days', history, (s) => s.activeLast7d)] })}
      ${lineChart({ title: 'Bots', series: [series('Bots', history, (s) => s.totalBots), series('Blocked', history, (s) => s.blockedBots)] })}
      ${lineChart({ title: 'Active subscriptions', series: [series('Active subscriptions', history, (s) => s.activeSubscriptions)] })}
      ${revenue.length > 0 ? revenue : html`<figure class="chart"><figcaption>Revenue so far</figcaption><p class="muted">No paid invoices yet.</p></figure>`}
    </div>`;
  return page({ ...frame, title: 'Numbers', section: 'numbers' }, html`<h1>Platform numbers</h1>
    <h2>Users</h2>${userCards}
    <h2>Bots</h2>${botCards}
    <h2>Posts</h2>${postCards}
    <h2>Payments</h2>${paymentCards}
    ${charts}`);
}
