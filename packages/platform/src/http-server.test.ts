import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { connect } from 'node:net';
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

/** `chunks` chunks of `size` bytes, one every `everyMs`. */
function slowBody(chunks: number, size: number, everyMs: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent === chunks) {
        controller.close();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
      sent++;
      controller.enqueue(new Uint8Array(size).fill(97));
    },
  });
}

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

  it('answers 413 to a client still sending a large body, declared or streamed, so it reads the answer', async () => {
    for (let round = 0; round < 3; round++) {
      const declared = await fetch(`${base}/webhook/main`, { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024, 97) });
      expect([declared.status, await declared.text()]).toEqual([413, 'request body exceeds 1024 bytes\n']);
      const streamed = await fetch(`${base}/webhook/main`, {
        method: 'POST',
        duplex: 'half',
        // Sent slowly, so the client is still writing long after the server has answered.
        body: slowBody(40, 64 * 1024, 5),
      });
      expect(streamed.status).toBe(413);
      await streamed.arrayBuffer();
    }
    // The connection is still good for the next request.
    expect((await fetch(`${base}/webhook/x`, { method: 'POST', body: 'ok' })).status).toBe(200);
  });

  it('keeps the connection open after a 413 until the client has sent what it declared', async () => {
    const socket = connect(Number(new URL(base).port), '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.on('data', (chunk: Buffer) => { received += chunk.toString('latin1'); });
    let closed = false;
    socket.on('close', () => { closed = true; });
    const declared = 1024 * 1024;
    socket.write(`POST /webhook/main HTTP/1.1\r\nHost: test\r\nContent-Length: ${String(declared)}\r\n\r\n`);
    socket.write(Buffer.alloc(4096, 97));
    const deadline = Date.now() + 10_000;
    while (!received.includes('\r\n\r\n') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(received).toMatch(/^HTTP\/1\.1 413 /);
    expect(received.toLowerCase()).not.toContain('connection: close');
    // Still open: the rest of the body is taken (and dropped), then the next request is served.
    await new Promise<void>((resolve, reject) => { socket.write(Buffer.alloc(declared - 4096, 97), (error) => { if (error) reject(error); else resolve(); }); });
    received = '';
    socket.write('POST /webhook/next HTTP/1.1\r\nHost: test\r\nContent-Length: 2\r\n\r\nok');
    while (!received.includes('got 2 bytes') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(closed).toBe(false);
    socket.destroy();
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
    expect(text).toMatch(/nova_http_server_requests_total\{namespace="nova",side="legacy",route="\/webhook\/",code="200"\} 3/);
    expect(text).toMatch(/nova_http_server_requests_total\{namespace="nova",side="legacy",route="\/webhook\/",code="413"\} 8/);
    expect(text).toMatch(/nova_http_server_requests_total\{namespace="nova",side="legacy",route="unmatched",code="404"\} 1/);
    // No handler failed on /webhook/, yet its 500 series exists at 0: a first error is a visible increase for rate().
    expect(text).toMatch(/nova_http_server_requests_total\{namespace="nova",side="legacy",route="\/webhook\/",code="500"\} 0\n/);
    expect(text).toMatch(/nova_http_server_request_duration_seconds_bucket\{le="0.005",namespace="nova",side="legacy",route="\/webhook\/"\} \d/);
    expect(text).not.toContain('AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX');
  });

  it('stops while a client keeps sending on its keep-alive connection: responses from then on close it', async () => {
    const closing = new HttpServer({ address: '127.0.0.1:0', metrics: new Metrics({ namespace: 'nova', side: 'target', defaults: false }), readiness: new Readiness(200), logger });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => { release = resolve; });
    closing.route('POST', '/slow', async () => { await held; return { status: 200, body: 'slow done' }; });
    const { port } = await closing.listen();
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.on('data', (chunk: Buffer) => { received += chunk.toString('latin1'); });
    const ended = once(socket, 'close');
    socket.write('POST /slow HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = closing.close();
    release();
    await stopped;
    await ended;
    // The request in flight was answered, and told the client the connection ends with it (a
    // keep-alive client such as Telegram sends its next update on a new connection, refused now).
    expect(received).toMatch(/^HTTP\/1\.1 200 /u);
    expect(received.toLowerCase()).toContain('connection: close');
    expect(received).toContain('slow done');
  });

  it('streams a reply until the client leaves or the server closes: it is counted and timed once, at its head, not for its life', async () => {
    const streaming = new Metrics({ namespace: 'nova', side: 'target', defaults: false });
    const server = new HttpServer({ address: '127.0.0.1:0', metrics: streaming, readiness: new Readiness(200), logger });
    /** Resolved in turn as each writer returns. */
    const returned: (() => void)[] = [];
    const writerReturned = (): Promise<void> => new Promise((resolve) => { returned.push(resolve); });
    /** What write() said after the end: false, nothing written. */
    const lateWrites: boolean[] = [];
    server.route('GET', '/events/', async (request) => Promise.resolve({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      stream: async (out) => {
        out.write(`data: hello ${request.route}\n\n`);
        await new Promise((resolve) => { out.signal.addEventListener('abort', resolve, { once: true }); });
        lateWrites.push(out.write('data: too late\n\n'));
        returned.shift()?.();
      },
    }));
    const { port } = await server.listen();
    const open = async (signal?: AbortSignal): Promise<ReadableStreamDefaultReader<Uint8Array>> => {
      const answer = await fetch(`http://127.0.0.1:${String(port)}/events/x`, { signal });
      expect(answer.headers.get('content-type')).toBe('text/event-stream');
      expect(answer.headers.get('content-length')).toBeNull();
      const reader = (answer.body as ReadableStream<Uint8Array>).getReader();
      const first = await reader.read();
      expect(Buffer.from(first.value ?? new Uint8Array()).toString()).toBe('data: hello /events/\n\n');
      return reader;
    };
    const count = (text: string, what: 'requests' | 'durations'): string | undefined => (what === 'requests'
      ? /nova_http_server_requests_total\{namespace="nova",side="target",route="\/events\/",code="200"\} (\d+)\n/
      : /nova_http_server_request_duration_seconds_count\{namespace="nova",side="target",route="\/events\/"\} (\d+)\n/).exec(text)?.[1];
    // A client that leaves: its writer is told and returns.
    const leaving = new AbortController();
    const firstReturned = writerReturned();
    await open(leaving.signal);
    leaving.abort();
    await firstReturned;
    // One still open: already counted and timed, once each, at its head.
    const reader = await open();
    const during = await streaming.text();
    expect([count(during, 'requests'), count(during, 'durations')]).toEqual(['2', '2']);
    // close() ends the stream itself rather than waiting for the client to leave.
    const secondReturned = writerReturned();
    await server.close();
    await secondReturned;
    await expect(reader.read()).resolves.toMatchObject({ done: true });
    const after = await streaming.text();
    expect([count(after, 'requests'), count(after, 'durations')]).toEqual(['2', '2']);
    expect(lateWrites).toEqual([false, false]);
  });
});
