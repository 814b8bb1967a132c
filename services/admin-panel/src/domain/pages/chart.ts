import { html, type Html } from '../html.js';
import type { Words } from '../texts.js';

/**
 * A line chart drawn on the server as inline SVG: no script, nothing to download, readable by
 * a screen reader (a title, and the same figures as a table beside it, folded). The colours come
 * from the stylesheet (classes), since the page's Content-Security-Policy allows no inline style.
 */

export interface ChartPoint {
  readonly at: Date;
  readonly value: number;
}

export interface ChartSeries {
  readonly label: string;
  readonly points: readonly ChartPoint[];
}

export interface ChartSpec {
  /** The element id of the chart's title (unique on the page; titles are words, in any language). */
  readonly id: string;
  readonly title: string;
  readonly series: readonly ChartSeries[];
  /** How a value reads on the axis and in the table (e.g. money). */
  readonly format?: (value: number) => string;
}

// Drawn small and scaled up by the browser: text stays legible on a phone's width.
const WIDTH = 480;
const HEIGHT = 200;
const PAD = { left: 64, right: 12, top: 14, bottom: 30 };

const round = (n: number): string => (Math.round(n * 10) / 10).toString();

/** The y range: from 0 (counts and money start there) to a little above the largest value. */
function yMax(series: readonly ChartSeries[]): number {
  const max = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.value)));
  return max === 0 ? 1 : max * 1.1;
}

export function lineChart(w: Words, spec: ChartSpec): Html {
  const format = spec.format ?? ((value: number) => w.count(value));
  const all = spec.series.flatMap((s) => s.points);
  if (all.length === 0) return html`<figure class="chart"><figcaption>${spec.title}</figcaption><p class="muted">${w.t('chart-no-history')}</p></figure>`;
  const times = all.map((p) => p.at.getTime());
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const top = yMax(spec.series);
  const x = (at: Date): number => PAD.left + (t1 === t0 ? (WIDTH - PAD.left - PAD.right) : ((at.getTime() - t0) / (t1 - t0)) * (WIDTH - PAD.left - PAD.right));
  const y = (value: number): number => HEIGHT - PAD.bottom - (value / top) * (HEIGHT - PAD.top - PAD.bottom);
  const lines = spec.series.map((s, index) => {
    const [only] = s.points;
    // A single point is a dot: a polyline of one point draws nothing.
    if (s.points.length === 1 && only !== undefined) return html`<circle class="series-${index % 6}" cx="${round(x(only.at))}" cy="${round(y(only.value))}" r="3"></circle>`;
    const points = s.points.map((p) => `${round(x(p.at))},${round(y(p.value))}`).join(' ');
    return html`<polyline class="series-${index % 6}" fill="none" points="${points}"></polyline>`;
  });
  const base = HEIGHT - PAD.bottom;
  const svg = html`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${spec.id}">
    <title id="${spec.id}">${spec.title}: ${spec.series.map((s) => `${s.label} ${s.points.length === 0 ? '—' : format(s.points[s.points.length - 1]?.value ?? 0)}`).join(', ')}</title>
    <line class="axis" x1="${PAD.left}" y1="${base}" x2="${WIDTH - PAD.right}" y2="${base}"></line>
    <line class="axis" x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${base}"></line>
    <text class="tick" x="${PAD.left - 6}" y="${base}" text-anchor="end">0</text>
    <text class="tick" x="${PAD.left - 6}" y="${round(y(top / 1.1))}" text-anchor="end">${format(top / 1.1)}</text>
    <text class="tick" x="${PAD.left}" y="${HEIGHT - 8}">${axisTime(w, new Date(t0), t1 - t0)}</text>
    <text class="tick" x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" text-anchor="end">${axisTime(w, new Date(t1), t1 - t0)}</text>
    ${lines}
  </svg>`;
  const legend = html`<ul class="legend">${spec.series.map((s, index) => html`<li><span class="swatch series-${index % 6}" aria-hidden="true"></span>${s.label}</li>`)}</ul>`;
  return html`<figure class="chart">
    <figcaption>${spec.title}</figcaption>
    ${svg}
    ${spec.series.length > 1 ? legend : ''}
    <details><summary>${w.t('chart-figures')}</summary>${figuresTable(w, spec, format)}</details>
  </figure>`;
}

/** A time on the x axis, as precise as the span needs: seconds for minutes of history, the day alone for months. */
function axisTime(w: Words, at: Date, spanMs: number): string {
  const options: Intl.DateTimeFormatOptions = spanMs < 600_000
    ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }
    : spanMs < 7 * 86_400_000
      ? { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }
      : { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC' };
  const text = new Intl.DateTimeFormat(w.locale, options).format(at);
  return spanMs < 7 * 86_400_000 ? w.t('date-utc', { date: text }) : text;
}

/** The chart's data as a table (the newest first, at most 50 rows): for screen readers and exact figures. */
function figuresTable(w: Words, spec: ChartSpec, format: (value: number) => string): Html {
  const times = [...new Set(spec.series.flatMap((s) => s.points.map((p) => p.at.getTime())))].sort((a, b) => b - a).slice(0, 50);
  const valueAt = (s: ChartSeries, t: number): string => {
    const point = s.points.find((p) => p.at.getTime() === t);
    return point === undefined ? '—' : format(point.value);
  };
  return html`<table>
    <thead><tr><th scope="col">${w.t('col-when')}</th>${spec.series.map((s) => html`<th scope="col">${s.label}</th>`)}</tr></thead>
    <tbody>${times.map((t) => html`<tr><td>${w.date(new Date(t))}</td>${spec.series.map((s) => html`<td>${valueAt(s, t)}</td>`)}</tr>`)}</tbody>
  </table>`;
}
