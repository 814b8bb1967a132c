import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import type { BotStatsResponse, PaymentStatsResponse, PublisherStatsResponse, UserStatsResponse } from '@nova/contracts';
import { html, type Html } from '../html.js';
import type { StatsSample } from '../stats-history.js';
import { lineChart, type ChartSeries } from './chart.js';
import { words, type Words } from '../texts.js';
import { page, type Frame } from './layout.js';

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

function unavailable(w: Words, context: 'users' | 'bots' | 'payments' | 'publishing'): Html {
  return html`<p class="errors" role="alert">${w.t('context-numbers-silent', { context })}</p>`;
}

function series(label: string, history: readonly StatsSample[], pick: (sample: StatsSample) => bigint | undefined): ChartSeries {
  return { label, points: history.flatMap((sample) => { const value = pick(sample); return value === undefined ? [] : [{ at: sample.takenAt, value: Number(value) }]; }) };
}

/** One revenue chart per currency, a line per provider (amounts in major units, exact in the table's money format). */
function revenueCharts(w: Words, history: readonly StatsSample[]): Html[] {
  const providersByCurrency = new Map<string, Set<string>>();
  for (const sample of history) {
    for (const entry of sample.revenue ?? []) {
      const providers = providersByCurrency.get(entry.currency) ?? new Set<string>();
      providers.add(entry.provider);
      providersByCurrency.set(entry.currency, providers);
    }
  }
  return [...providersByCurrency].sort(([a], [b]) => a.localeCompare(b)).map(([currency, providers]) => lineChart(w, {
    id: `chart-revenue-${currency.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    title: w.t('chart-revenue', { currency }),
    series: [...providers].sort().map((provider) => series(providerName(provider), history, (sample) => sample.revenue?.find((e) => e.provider === provider && e.currency === currency)?.minorUnits ?? (sample.revenue === undefined ? undefined : 0n))),
    format: (value) => w.money(BigInt(Math.round(value)), currency),
  }));
}

export function numbersPage(frame: Frame, view: NumbersView): Html {
  const w = words(frame.locale);
  const { t } = w;
  const { users, bots, payments, history } = view;
  const card = (label: string, value: bigint): Html => html`<li>${label}<strong>${w.count(value)}</strong></li>`;
  const userCards = users === undefined ? unavailable(w, 'users') : html`<ul class="cards">
        ${card(t('card-users'), users.totalUsers)}
        ${card(t('card-new-today'), users.registeredToday)}
        ${card(t('card-new-24h'), users.registeredLast24h)}
        ${card(t('card-active-24h'), users.activeLast24h)}
        ${card(t('card-active-7d'), users.activeLast7d)}
      </ul>
      <p class="muted">${t('as-of', { date: w.date(dateOf(users.asOf)) })}</p>`;
  const botCards = bots === undefined ? unavailable(w, 'bots') : html`<ul class="cards">
        ${card(t('card-bots'), bots.totalBots)}
        ${card(t('card-blocked-bots'), bots.blockedBots)}
      </ul>`;
  const paymentCards = payments === undefined ? unavailable(w, 'payments') : html`<ul class="cards">
        ${card(t('card-active-subscriptions'), payments.activeSubscriptions)}
        ${payments.revenue.length === 0 ? html`<li>${t('card-revenue')}<strong>—</strong><span class="muted">${t('no-paid-invoices-card')}</span></li>` : ''}
        ${payments.revenue.map((entry) => html`<li>${t('card-revenue-provider', { provider: providerName(entry.provider) })}<strong>${entry.paid === undefined ? '—' : w.money(entry.paid.minorUnits, entry.paid.currency)}</strong><span class="muted">${t('payments-count', { count: entry.payments })}</span></li>`)}
      </ul>`;
  const postCards = view.posts === undefined ? unavailable(w, 'publishing') : html`<ul class="cards">
        ${card(t('card-posts'), view.posts.posts)}
        ${card(t('card-scheduled'), view.posts.postsScheduled)}
        ${card(t('card-published'), view.posts.postsPublished)}
        ${card(t('card-published-24h'), view.posts.postsPublished24h)}
        ${card(t('card-channels'), view.posts.channels)}
      </ul>`;
  const revenue = revenueCharts(w, history);
  const every = w.interval(view.intervalMs);
  const first = history[0];
  const charts = html`
    <h2>${t('heading-over-time')}</h2>
    <p class="muted">${first === undefined ? t('samples-every', { every }) : t('samples-every-since', { every, count: history.length, since: w.date(first.takenAt) })}</p>
    <div class="charts">
      ${lineChart(w, { id: 'chart-users', title: t('chart-users'), series: [series(t('series-users'), history, (s) => s.totalUsers), series(t('series-active-24h'), history, (s) => s.activeLast24h), series(t('series-active-7d'), history, (s) => s.activeLast7d)] })}
      ${lineChart(w, { id: 'chart-bots', title: t('chart-bots'), series: [series(t('series-bots'), history, (s) => s.totalBots), series(t('series-blocked'), history, (s) => s.blockedBots)] })}
      ${lineChart(w, { id: 'chart-active-subscriptions', title: t('chart-active-subscriptions'), series: [series(t('chart-active-subscriptions'), history, (s) => s.activeSubscriptions)] })}
      ${revenue.length > 0 ? revenue : html`<figure class="chart"><figcaption>${t('chart-revenue-none')}</figcaption><p class="muted">${t('no-paid-invoices')}</p></figure>`}
    </div>`;
  return page({ ...frame, title: t('numbers-title'), section: 'numbers' }, html`<h1>${t('numbers-heading')}</h1>
    <h2>${t('heading-users')}</h2>${userCards}
    <h2>${t('heading-numbers-bots')}</h2>${botCards}
    <h2>${t('heading-posts')}</h2>${postCards}
    <h2>${t('heading-payments')}</h2>${paymentCards}
    ${charts}`);
}
