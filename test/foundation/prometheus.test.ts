/**
 * The test bed's Prometheus really scrapes: a target this test serves is discovered through
 * file_sd, scraped, and its series answer a PromQL query.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { addScrapeTarget, component, waitFor } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const instanceLabel = `foundation-${randomBytes(3).toString('hex')}`;
let server: Server;
let handled = 0;

interface VectorResult {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

async function query(promql: string): Promise<VectorResult[]> {
  const url = new URL('/api/v1/query', component('prometheus').url);
  url.searchParams.set('query', promql);
  const response = await fetch(url);
  const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: VectorResult[] } };
  if (body.status !== 'success' || body.data === undefined) throw new Error(`PromQL ${promql} failed: ${body.error ?? response.status}`);
  return body.data.result;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    handled += 1;
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    response.end([
      '# HELP nova_foundation_updates_total Updates handled by the test target.',
      '# TYPE nova_foundation_updates_total counter',
      `nova_foundation_updates_total{route="users"} ${handled * 10}`,
      `nova_foundation_updates_total{route="payments"} 7`,
      '',
    ].join('\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  addScrapeTarget(component('prometheus'), instanceLabel, `127.0.0.1:${port}`, { suite: instanceLabel });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
});

describe('Prometheus', () => {
  it('scrapes a target named in file_sd and answers PromQL about it', async () => {
    const selector = `nova_foundation_updates_total{suite="${instanceLabel}"}`;
    let latest: VectorResult[] = [];
    // Two scrapes at least, so rate() has two samples of the growing counter.
    const failure = await waitFor(async () => {
      latest = await query(`sum by (route) (increase(${selector}[1m]))`);
      return latest.some((r) => r.metric.route === 'users' && Number(r.value[1]) > 0);
    }, { timeoutMs: 60_000, intervalMs: 250 });
    expect(failure).toBeUndefined();
    expect(handled).toBeGreaterThanOrEqual(2);
    const users = latest.find((r) => r.metric.route === 'users');
    const payments = latest.find((r) => r.metric.route === 'payments');
    expect(Number(users?.value[1])).toBeGreaterThan(0);
    // A constant counter never increases, whatever the scrape timing.
    expect(Number(payments?.value[1])).toBe(0);
    const up = await query(`up{suite="${instanceLabel}"}`);
    expect(up).toHaveLength(1);
    expect(up[0]?.value[1]).toBe('1');
  });
});
