import { describe, expect, it } from '@jest/globals';
import { escapeHtml, renderHtml, weightChart } from './html-report.js';
import type { DemoReport } from './report.js';

const timeline = { migration: 'stage-1-webhook-gateway', points: [
  { seconds: 0, weight: 0, phase: 'Pending', step: '-' },
  { seconds: 2, weight: 5, phase: 'Progressing', step: '1/11 setWeight 5' },
  { seconds: 10, weight: 100, phase: 'Promoted', step: '11/11 setWeight 100' },
] };

describe('the HTML report', () => {
  it('draws the weight as a step line over the run, 0 at the bottom and 100 % at the top', () => {
    const svg = weightChart(timeline, 20);
    const path = /<path d="([^"]+)"/u.exec(svg)?.[1] ?? '';
    // 0 s at weight 0 (y 152), then up to 5 % at 2 s, 100 % (y 10) at 10 s, held to the end (x 630).
    expect(path).toBe('M40.0,152.0H99.0V144.9H335.0V10.0H630.0');
    expect(svg).toContain('<title>stage-1-webhook-gateway: weight over time</title>');
  });

  it('is one file with nothing fetched, and escapes every text from the run', () => {
    const report = { migration: 'stage-7-database', outcome: 'RolledBack', reason: 'VerificationFailed', route: '<script>alert(1)</script>', from: 'a', to: 'b', finalWeight: 0, seconds: 10, steps: [], analysis: { passes: 0, failures: 0, inconclusive: 0, errors: 0, last: '-' }, updates: { sent: 1, answered: 1, lost: 0, duplicates: 0, refusedDeliveries: 0 }, also: [] } satisfies DemoReport;
    const html = renderHtml(report, [timeline]);
    expect(html).not.toContain('<script>');
    expect(html).toContain(escapeHtml('<script>alert(1)</script>'));
    expect(html).not.toMatch(/(src|href)=/u);
    expect(html.match(/<svg /gu)).toHaveLength(1);
  });
});
