/**
 * The report as one HTML file a person opens in a browser (`--html FILE`): the text report's
 * figures, and for each migration of the stage its weight over time as an inline SVG line chart
 * (stage 7: the share of contexts in their own schema). Nothing is fetched: no script, no style
 * sheet or font from elsewhere, so it opens offline and can be mailed. Every text from the run
 * (notes, failure messages) is escaped.
 */
import type { DemoReport } from './report.js';
import { renderReport } from './report.js';

export interface TimelinePoint {
  /** Since the stage was applied. */
  readonly seconds: number;
  readonly weight: number;
  readonly phase: string;
  readonly step: string;
}

export interface Timeline {
  readonly migration: string;
  readonly points: readonly TimelinePoint[];
}

const WIDTH = 640;
const HEIGHT = 180;
const PAD = { left: 40, right: 10, top: 10, bottom: 28 };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/gu, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** A step line (the weight holds until the next change) from 0 to `endSeconds`, weight 0–100 %. */
export function weightChart(timeline: Timeline, endSeconds: number): string {
  const span = Math.max(endSeconds, timeline.points.at(-1)?.seconds ?? 0, 1);
  const x = (seconds: number): number => PAD.left + (seconds / span) * (WIDTH - PAD.left - PAD.right);
  const y = (weight: number): number => PAD.top + (1 - weight / 100) * (HEIGHT - PAD.top - PAD.bottom);
  const path: string[] = [];
  let last: TimelinePoint | undefined;
  for (const point of timeline.points) {
    path.push(last === undefined ? `M${fmt(x(point.seconds))},${fmt(y(point.weight))}` : `H${fmt(x(point.seconds))}V${fmt(y(point.weight))}`);
    last = point;
  }
  if (last !== undefined) path.push(`H${fmt(x(span))}`);
  const grid = [0, 25, 50, 75, 100].map((w) => `<line x1="${String(PAD.left)}" x2="${String(WIDTH - PAD.right)}" y1="${fmt(y(w))}" y2="${fmt(y(w))}" stroke="#ddd"/><text x="${String(PAD.left - 4)}" y="${fmt(y(w) + 4)}" font-size="10" text-anchor="end">${String(w)}%</text>`).join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => `<text x="${fmt(x(f * span))}" y="${String(HEIGHT - 8)}" font-size="10" text-anchor="middle">${String(Math.round(f * span))} s</text>`).join('');
  const title = `${timeline.migration}: weight over time`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${String(WIDTH)}" height="${String(HEIGHT)}" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>${grid}${ticks}<path d="${path.join('')}" fill="none" stroke="#1f6feb" stroke-width="2"/></svg>`;
}

function fmt(n: number): string {
  return n.toFixed(1);
}

export function renderHtml(report: DemoReport, timelines: readonly Timeline[]): string {
  const charts = timelines.map((timeline) => `<h2>${escapeHtml(timeline.migration)}</h2>\n${weightChart(timeline, report.seconds)}\n<table><tr><th>at</th><th>phase</th><th>step</th><th>weight</th></tr>${timeline.points.map((p) => `<tr><td>${p.seconds.toFixed(1)} s</td><td>${escapeHtml(p.phase)}</td><td>${escapeHtml(p.step)}</td><td>${String(p.weight)}%</td></tr>`).join('')}</table>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Nova demo report: ${escapeHtml(report.migration)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}pre{background:#f6f8fa;padding:1em;overflow-x:auto}table{border-collapse:collapse;font-size:0.85em}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}</style>
</head><body>
<h1>Nova demo: ${escapeHtml(report.migration)} — ${escapeHtml(report.outcome)}</h1>
${charts}
<h2>The report</h2>
<pre>${escapeHtml(renderReport(report).trim())}</pre>
</body></html>
`;
}
