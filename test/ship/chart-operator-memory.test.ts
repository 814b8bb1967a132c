/**
 * The operator's V8 young generation from the chart: NODE_OPTIONS=--max-semi-space-size=1 unless
 * operator.env names NODE_OPTIONS (then that one entry, not two). bench/README.md, "Resync after a
 * restart", measured it: peak RSS at a resync of 1,000 migrations 140 MiB instead of 206-210.
 */
import { describe, expect, it } from '@jest/globals';
import { envOf, renderedObjects } from './support/chart.js';

describe('the operator\'s NODE_OPTIONS', () => {
  it('keeps the young generation small by default, for the operator alone', async () => {
    const options = envOf(await renderedObjects({}), 'NODE_OPTIONS');
    expect(options['nova-operator']).toBe('--max-semi-space-size=1');
    expect(options['user-service']).toBe('0 entries');
  });

  it('leaves NODE_OPTIONS to operator.env when it names one (one entry, not two)', async () => {
    const options = envOf(await renderedObjects({ operator: { env: { NODE_OPTIONS: '--max-old-space-size=300' } } }), 'NODE_OPTIONS');
    expect(options['nova-operator']).toBe('--max-old-space-size=300');
  });
});
