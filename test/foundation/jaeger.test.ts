/**
 * The test bed's Jaeger really ingests: a span sent over OTLP/HTTP (the path every service's
 * OpenTelemetry exporter takes) is found through the query API by its trace id.
 */
import { describe, expect, it } from '@jest/globals';
import { component, waitFor } from '@nova/testbed';
import { randomBytes } from 'node:crypto';

interface JaegerTrace {
  readonly traceID: string;
  readonly spans: { readonly operationName: string; readonly processID: string }[];
  readonly processes: Record<string, { readonly serviceName: string }>;
}

describe('Jaeger', () => {
  it('stores a span received over OTLP/HTTP and serves it by trace id', async () => {
    const traceId = randomBytes(16).toString('hex');
    const spanId = randomBytes(8).toString('hex');
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const service = `foundation-${randomBytes(3).toString('hex')}`;
    const response = await fetch(`${component('jaeger').otlpHttpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [{
          resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
          scopeSpans: [{
            scope: { name: 'nova-foundation-test' },
            spans: [{
              traceId, spanId, name: 'telegram.update', kind: 2,
              startTimeUnixNano: String(nowNs - 5_000_000n), endTimeUnixNano: String(nowNs),
              attributes: [{ key: 'telegram.update_id', value: { intValue: '1001' } }],
            }],
          }],
        }],
      }),
    });
    expect(response.status).toBe(200);
    let trace: JaegerTrace | undefined;
    const failure = await waitFor(async () => {
      const answer = await fetch(`${component('jaeger').queryUrl}/api/traces/${traceId}`);
      if (answer.status !== 200) return false;
      trace = ((await answer.json()) as { data: JaegerTrace[] }).data[0];
      return trace !== undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(failure).toBeUndefined();
    expect(trace?.traceID).toBe(traceId);
    const span = trace?.spans[0];
    expect(span?.operationName).toBe('telegram.update');
    expect(trace?.processes[span?.processID ?? '']?.serviceName).toBe(service);
  });
});
