import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { HttpServer } from './http-server.js';
import { createLogger } from './logger.js';
import { Metrics } from './metrics.js';
import { Readiness } from './readiness.js';

const metrics = new Metrics({ namespace: 'nova', side: 'legacy', defaults: false });
const readiness = new Readiness(200);
let natsUp = true;
readiness.add('nats', () => natsUp);
readiness.add('hung', () => new Promise<boolean>(() => undefined));
const logger = createLogger({ name: 'http', level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });
const server = new HttpServer({ address: '127.0.0.1:0', metrics, readiness, logger });
let base = '';

beforeAll(async () => {
  server.route('POST', '/webhook/', (request) => Promise.resolve({ status: 200, body: `got ${String(request.body.length)} bytes on ${request.route}` }), { bodyLimit: 1024 });
  server.route('POST', '/boom', () => Promise.reject(new Error('boom')));
  const address = await server.listen();
  base = `http://127.0.0.1:${String(address.port)}`;
});

afterAll(() => server.close());

describe('HttpServer', () => {
  it('serves routes by prefix and refuses a body over the limit with 413 without calling the handler', async () => {
    const ok = await fetch(`${base}/webhook/123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX`, { method: 'POST', body: 'x'.repeat(100) });
    expect([ok.status, await ok.text()]).toEqual([200, 'got 100 bytes on /webhook/']);
    const big = await fetch(`${base}/webhook/main`, { method: 'POST', body: 'x'.repeat(10_000) });
    expect(big.status).toBe(413);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    expect((await fetch(`${base}/boom`, { method: 'POST' })).status).toBe(500);
  });

  it('answers /healthz, and /readyz 503 while a check fails or hangs, or while draining', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ ready: false, draining: false, checks: { nats: true, hung: false } });
    natsUp = false;
    expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({ checks: { nats: false } });
  });

  it('records every request by route prefix, side, namespace and code, never by full path', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/nova_http_server_requests_total\{namespace="nova",side="legacy",route="\/webhook\/",code="200"\} 1/);
    expect(text).toMatch(/nova_http_server_requests_total\{namespace="nova",side="legacy",route="\/webhook\/",code="413"\} 1/);
    expect(text).toMatch(/nova_http_server_requests_total\{namespace="nova",side="legacy",route="unmatched",code="404"\} 1/);
    expect(text).toMatch(/nova_http_server_request_duration_seconds_bucket\{le="0.005",namespace="nova",side="legacy",route="\/webhook\/"\} \d/);
    expect(text).not.toContain('AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX');
  });
});
