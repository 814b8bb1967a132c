/**
 * One trace across processes: a publisher process and a consumer service, each with its own
 * NATS connection and OTLP exporter, and Jaeger (the test bed's) holding a single trace with
 * the publish span and the consumer's process span as its child.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { component } from '@nova/testbed';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrivateNats, until, type PrivateNats } from './support/nats.js';
import { runFixture, type Child } from './support/processes.js';

interface JaegerSpan { traceID: string; spanID: string; operationName: string; processID: string; references: { refType: string; spanID: string }[]; tags: { key: string; value: unknown }[] }
interface JaegerTrace { traceID: string; spans: JaegerSpan[]; processes: Record<string, { serviceName: string }> }

let nats: PrivateNats;
let dir: string;
let consumer: Child | undefined;

beforeAll(async () => {
  nats = await startPrivateNats();
  dir = mkdtempSync(join(tmpdir(), 'nova-bus-trace-'));
});

afterAll(async () => {
  consumer?.process.kill('SIGKILL');
  await nats.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('finds ONE trace in Jaeger spanning publish → consume across two processes', async () => {
  const jaeger = component('jaeger');
  const env = { NOVA_NATS_URL: nats.info.url, OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttpUrl, FIXTURE_BOT_ID: '8001' };
  consumer = runFixture('test/bus/fixtures/update-consumer.ts', { ...env, NOVA_HTTP_ADDRESS: '127.0.0.1:0', FIXTURE_EFFECTS: join(dir, 'effects.txt'), FIXTURE_NAME: 'fixture-consumer' });
  const started = consumer;
  await until('the consumer started', () => started.output().includes('"msg":"started"'), 30_000);
  const publisher = runFixture('test/bus/fixtures/publish-update.ts', env);
  expect((await publisher.exited).code).toBe(0);
  const traceId = /trace ([0-9a-f]{32})/.exec(publisher.output())?.[1];
  expect(traceId).toBeDefined();
  await until('the consumer handled it', () => started.output().includes('handled 42 1'));
  started.process.kill('SIGTERM');
  expect((await started.exited).code).toBe(0);

  let found: JaegerTrace | undefined;
  await until('Jaeger has both processes\' spans in the trace', async () => {
    const response = await fetch(`${jaeger.queryUrl}/api/traces/${traceId ?? ''}`);
    if (!response.ok) return false;
    const body = (await response.json()) as { data: JaegerTrace[] };
    found = body.data[0];
    const services = new Set(Object.values(found?.processes ?? {}).map((p) => p.serviceName));
    return body.data.length === 1 && services.has('fixture-publisher') && services.has('fixture-consumer');
  }, 30_000);
  const spans = found?.spans ?? [];
  const send = spans.find((s) => s.operationName === 'send telegram.update.{id}.{id}');
  const processSpan = spans.find((s) => s.operationName === 'process telegram.update.{id}.{id}');
  expect(send).toBeDefined();
  expect(processSpan).toBeDefined();
  expect(new Set(spans.map((s) => s.traceID))).toEqual(new Set([traceId]));
  expect(processSpan?.references).toContainEqual(expect.objectContaining({ refType: 'CHILD_OF', spanID: send?.spanID }));
  const tags = Object.fromEntries((processSpan?.tags ?? []).map((t) => [t.key, t.value]));
  expect(tags).toMatchObject({ 'messaging.system': 'nats', 'messaging.operation.type': 'process', 'messaging.destination.name': 'telegram.update.8001.42', 'messaging.message.id': '8001:1', 'messaging.consumer.group.name': 'fixture-updates', 'span.kind': 'consumer' });
});
