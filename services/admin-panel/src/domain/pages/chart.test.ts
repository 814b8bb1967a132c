import { describe, expect, it } from '@jest/globals';
import { words } from '../texts.js';
import { lineChart } from './chart.js';

const en = words('en');

const at = (minute: number): Date => new Date(Date.UTC(2026, 11, 3, 12, minute));

describe('the server-drawn line chart', () => {
  it('draws one polyline per series across the whole width, from 0 at the bottom, with a title naming the latest values', () => {
    const svg = lineChart(en, { id: 'chart-users', title: 'Users', series: [
      { label: 'Users', points: [{ at: at(0), value: 0 }, { at: at(30), value: 5 }, { at: at(60), value: 10 }] },
      { label: 'Active', points: [{ at: at(0), value: 0 }, { at: at(60), value: 4 }] },
    ] }).text;
    const lines = [...svg.matchAll(/<polyline class="series-(\d)" fill="none" points="([^"]+)"/g)];
    expect(lines.map((m) => [m[1], (m[2] ?? '').split(' ').length])).toEqual([['0', 3], ['1', 2]]);
    const points = (lines[0]?.[2] ?? '').split(' ').map((p) => p.split(',').map(Number));
    expect(points[0]).toEqual([64, 170]);
    expect(points[2]?.[0]).toBe(468);
    expect(points[2]?.[1]).toBeLessThan(points[1]?.[1] ?? 0);
    expect(svg).toContain('<title id="chart-users">Users: Users 10, Active 4</title>');
    expect(svg).toContain('role="img"');
    // No script and no inline style (the page's CSP allows neither).
    expect(svg).not.toMatch(/<script|style=/);
    expect(svg).toContain('<details><summary>The figures</summary>');
    // An hour of history: the axis names day and minute.
    expect(svg).toContain('>12/03, 12:00 UTC</text>');
    expect(svg).toContain('>12/03, 13:00 UTC</text>');
  });

  it('draws a lone sample as a dot, says when there is no history, and escapes labels', () => {
    expect(lineChart(en, { id: 'chart-bots', title: 'Bots', series: [{ label: 'Bots', points: [{ at: at(0), value: 3 }] }] }).text).toMatch(/<circle class="series-0" cx="[\d.]+" cy="[\d.]+" r="3">/);
    expect(lineChart(en, { id: 'chart-bots', title: 'Bots', series: [{ label: 'Bots', points: [] }] }).text).toContain('No history yet.');
    const hostile = lineChart(en, { id: 'chart-x', title: '<b>x</b>', series: [{ label: '"><script>', points: [{ at: at(0), value: 1 }, { at: at(1), value: 2 }] }, { label: 'b', points: [] }] }).text;
    expect(hostile).not.toContain('<script>');
    expect(hostile).not.toContain('<b>x</b>');
  });

  it('speaks Russian: its words, the axis\'s dates, digit grouping', () => {
    const svg = lineChart(words('ru'), { id: 'chart-users', title: 'Пользователи', series: [{ label: 'Пользователи', points: [{ at: at(0), value: 1200 }, { at: at(60), value: 12_345 }] }] }).text;
    expect(svg).toContain('<title id="chart-users">Пользователи: Пользователи 12\u00a0345</title>');
    expect(svg).toContain('>03.12, 12:00 UTC</text>');
    expect(svg).toContain('<details><summary>Цифры</summary>');
    expect(svg).toContain('<th scope="col">Когда</th>');
    expect(lineChart(words('ru'), { id: 'chart-bots', title: 'Боты', series: [{ label: 'Боты', points: [] }] }).text).toContain('Истории пока нет.');
  });

  it('formats values as asked (money in the table and on the axis)', () => {
    const svg = lineChart(en, { id: 'chart-revenue', title: 'Revenue', series: [{ label: 'Platega', points: [{ at: at(0), value: 24900 }, { at: at(5), value: 49800 }] }], format: (v: number) => `${(v / 100).toFixed(2)} RUB` }).text;
    expect(svg).toContain('<td>498.00 RUB</td>');
    expect(svg).toContain('>498.00 RUB</text>');
  });
});
