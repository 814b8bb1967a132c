import { describe, expect, it } from '@jest/globals';
import { counterTotal, fleetCounterTotal } from './counter.js';

const EXPOSITION = [
  '# HELP nova_publisher_sends_unrecorded_total Sends not recorded',
  '# TYPE nova_publisher_sends_unrecorded_total counter',
  'nova_publisher_sends_unrecorded_total{kind="channel"} 2',
  'nova_publisher_sends_unrecorded_total{kind="report"} 1',
  'nova_publisher_sends_unrecorded_total_created{kind="report"} 1700000000',
  'nova_other_total{kind="channel",note="a \\"quoted\\" value"} 7',
  'nova_bare_total 3',
].join('\n');

describe('counterTotal', () => {
  it('sums the metric\'s series that carry the labels asked for, and no other metric', () => {
    expect(counterTotal(EXPOSITION, 'nova_publisher_sends_unrecorded_total')).toBe(3);
    expect(counterTotal(EXPOSITION, 'nova_publisher_sends_unrecorded_total', { kind: 'report' })).toBe(1);
    expect(counterTotal(EXPOSITION, 'nova_other_total', { note: 'a \\"quoted\\" value' })).toBe(7);
    expect(counterTotal(EXPOSITION, 'nova_bare_total')).toBe(3);
    expect(counterTotal(EXPOSITION, 'nova_absent_total')).toBe(0);
  });

  it('adds the processes\' totals; one that does not answer counts nothing', async () => {
    const answering = { metrics: () => Promise.resolve(EXPOSITION) };
    const stopped = { metrics: () => Promise.reject(new Error('connection refused')) };
    expect(await fleetCounterTotal([answering, stopped, answering], 'nova_publisher_sends_unrecorded_total', { kind: 'channel' })).toBe(4);
  });
});
