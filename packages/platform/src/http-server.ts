/**
 * The one HTTP server of a process (contracts.md): /healthz, /readyz, /metrics and the app's
 * routes, with a body size limit and the request metrics the operator's analysis reads,
 * recorded for every request and labelled with the route prefix it matched (never the full
 * path: legacy webhook paths carry bot tokens).
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Counter } from 'prom-client';
import { HttpListenError } from './errors.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Readiness } from './readiness.js';

export interface HttpRequest {
  readonly method: string;
  /** Path and query as received. Contains tokens on legacy webhook paths: never log it unscrubbed. */
  readonly url: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The route prefix that matched. */
  readonly route: string;
}

export interface HttpReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /**
   * A body written over time (server-sent events) instead of `body`: the head goes out at once,
   * without a content length, then `stream` writes until it returns or its signal aborts (the
   * client left, or the server is closing), and the response ends.
   */
  readonly stream?: (out: HttpStream) => Promise<void>;
}

/** Where a streamed reply writes. */
export interface HttpStream {
  /**
   * Writes a chunk; false when it was not written because the stream has ended (the signal is
   * aborted). A client that does not read is cut once `STREAM_BUFFER_LIMIT` bytes wait for it.
   */
  write(chunk: string): boolean;
  /** Aborted when the client goes away or the server closes: the writer stops and returns. */
  readonly signal: AbortSignal;
}

/** Bytes a streamed reply may have waiting for a slow client before it is cut. */
export const STREAM_BUFFER_LIMIT = 256 * 1024;

export type HttpHandler = (request: HttpRequest) => Promise<HttpReply>;

export interface RouteOptions {
  /** Bytes; a larger body gets 413 without the handler running. Default 1 MiB. */
  readonly bodyLimit?: number;
}

interface Route {
  readonly method: string;
  readonly prefix: string;
  readonly handler: HttpHandler;
  readonly bodyLimit: number;
}

export interface HttpServerOptions {
  /** host:port; port 0 picks a free one (tests). */
  readonly address: string;
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  readonly logger: Logger;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;
const UNMATCHED_ROUTE = 'unmatched';

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`request body exceeds ${String(limit)} bytes`);
  }
}

/** The process's own endpoints, served from the moment it listens. */
const OPS_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

export class HttpServer {
  private readonly server: Server;
  private readonly routes: Route[] = [];
  private readonly tracer = trace.getTracer('@nova/platform');
  private listening: AddressInfo | undefined;
  /** While true, only /healthz, /readyz and /metrics are served; the rest answer 503 (see holdAppRoutes). */
  private appRoutesHeld = false;
  /** Set by close(): every response from then on ends its connection. */
  private closing = false;
  private readonly inFlight = new Set<ServerResponse>();
  /** The streamed replies being written: close() ends them, or it would wait for their clients. */
  private readonly streams = new Set<AbortController>();
  private readonly requests: Counter<'namespace' | 'side' | 'route' | 'code'>;

  constructor(private readonly options: HttpServerOptions) {
    const { metrics } = options;
    this.requests = metrics.counter('nova_http_server_requests_total', 'HTTP requests served, by route prefix and status code', ['namespace', 'side', 'route', 'code']);
    const durations = metrics.histogram('nova_http_server_request_duration_seconds', 'HTTP request duration, by route prefix', ['namespace', 'side', 'route']);
    this.server = createServer((req, res) => {
      const started = process.hrtime.bigint();
      const route = this.match(req.method ?? 'GET', pathOf(req.url));
      const routeLabel = route?.prefix ?? UNMATCHED_ROUTE;
      this.admit(res);
      const labels = { namespace: metrics.namespace, side: metrics.side, route: routeLabel };
      const record = (): void => {
        this.requests.inc({ ...labels, code: String(res.statusCode) });
        durations.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      };
      let streamed = false;
      res.once('finish', () => { if (!streamed) record(); });
      // A streamed reply is counted and timed when its head goes out: that is the server's answer
      // and its latency. The minutes it then stays open are the client's stay, and would otherwise
      // sit in the route's histogram as its slowest requests: one open migrations page would push
      // the p95 of /admin/, which a migration's analysis compares between the sides, past any
      // threshold. (Nor would it be counted at all when, as usual, the client is the one to leave:
      // a response cut short never finishes.)
      const onHead = (): void => {
        streamed = true;
        record();
      };
      void this.serve(req, res, route, onHead);
    });
    this.server.keepAliveTimeout = 65_000;
    this.get('/healthz', () => Promise.resolve({ status: 200, body: 'ok\n' }));
    this.get('/readyz', async () => {
      const report = await options.readiness.report();
      return { status: report.ready ? 200 : 503, headers: { 'content-type': 'application/json' }, body: JSON.stringify(report) };
    });
    this.get('/metrics', async () => ({ status: 200, headers: { 'content-type': metrics.contentType }, body: await metrics.text() }));
  }

  /** Exact path for GET endpoints. */
  get(path: string, handler: HttpHandler): void {
    this.route('GET', path, handler);
  }

  /**
   * Registers `handler` for requests whose path starts with `prefix` (the longest prefix wins);
   * `prefix` is also the `route` label of the request metrics.
   */
  route(method: string, prefix: string, handler: HttpHandler, options: RouteOptions = {}): void {
    if (!prefix.startsWith('/')) throw new RangeError(`route prefix must start with '/': ${prefix}`);
    this.routes.push({ method: method.toUpperCase(), prefix, handler, bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT });
    this.routes.sort((a, b) => b.prefix.length - a.prefix.length);
    // The error series exist at 0 from the start: rate() cannot see what a series already holds
    // when Prometheus first scrapes it, so a 500 series born mid-window would hide the very first
    // errors a migration's analysis is about.
    const { namespace, side } = this.options.metrics;
    this.requests.inc({ namespace, side, route: prefix, code: '500' }, 0);
  }

  /**
   * Until `openAppRoutes`, answers 503 on every path but /healthz, /readyz and /metrics: runService
   * listens before the app has started (so probes see a process that waits, e.g. for NATS) and
   * opens the app's routes once its start() is done.
   */
  holdAppRoutes(): void {
    this.appRoutesHeld = true;
  }

  openAppRoutes(): void {
    this.appRoutesHeld = false;
  }

  async listen(): Promise<AddressInfo> {
    const { host, port } = splitAddress(this.options.address);
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => { reject(new HttpListenError(this.options.address, error)); };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.listening = this.server.address() as AddressInfo;
    return this.listening;
  }

  /** The bound address (after listen), e.g. for a test to find port 0's choice. */
  get address(): AddressInfo {
    if (this.listening === undefined) throw new Error('the HTTP server is not listening');
    return this.listening;
  }

  /**
   * Stops accepting connections and waits for requests in flight; idle keep-alive connections
   * are closed at once, busy ones after their response.
   */
  async close(): Promise<void> {
    if (!this.server.listening) return;
    this.closing = true;
    // Node keeps serving requests that arrive on open keep-alive connections after close(): a
    // client that never pauses (Telegram delivering a backlog) would hold the stop until its
    // deadline. Responses still to be written say `Connection: close` instead.
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    for (const stream of this.streams) stream.abort(new Error('the HTTP server is closing'));
    const closed = new Promise<void>((resolve) => this.server.close(() => { resolve(); }));
    this.server.closeIdleConnections();
    await closed;
  }

  /** Cuts every connection (the shutdown deadline passed). */
  destroy(): void {
    this.server.closeAllConnections();
  }

  /** Tracks a response until it is done; while closing, its connection ends with it. */
  private admit(res: ServerResponse): void {
    if (this.closing) res.setHeader('connection', 'close');
    this.inFlight.add(res);
    res.once('close', () => {
      this.inFlight.delete(res);
      // A response whose headers had gone out before close() left its connection open: now idle, it goes.
      if (this.closing) this.server.closeIdleConnections();
    });
  }

  private match(method: string, path: string): Route | undefined {
    return this.routes.find((route) => {
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) return false;
      return route.method === 'GET' && !route.prefix.endsWith('/') ? path === route.prefix : path.startsWith(route.prefix);
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse, route: Route | undefined, onHead: () => void): Promise<void> {
    if (this.appRoutesHeld && !OPS_PATHS.has(pathOf(req.url))) {
      // Still starting (its routes may not even be registered yet): 503, which a caller such as
      // Telegram retries, rather than a 404 it would take for an answer.
      req.resume();
      send(res, { status: 503, headers: { 'retry-after': '1' }, body: 'starting\n' });
      return;
    }
    if (route === undefined) {
      // Drain what the client sends so the connection can be reused, but keep none of it.
      req.resume();
      send(res, { status: this.routes.some((r) => pathOf(req.url).startsWith(r.prefix)) ? 405 : 404, body: 'not found\n' });
      return;
    }
    const parent = propagation.extract(context.active(), req.headers);
    const span = this.tracer.startSpan(`${req.method ?? 'GET'} ${route.prefix}`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method ?? 'GET', 'http.route': route.prefix, 'url.scheme': 'http' },
    }, parent);
    try {
      const body = await readBody(req, route.bodyLimit);
      const reply = await context.with(trace.setSpan(parent, span), () =>
        route.handler({ method: req.method ?? 'GET', url: req.url ?? '/', path: pathOf(req.url), headers: req.headers, body, route: route.prefix }),
      );
      if (reply.stream === undefined) send(res, reply);
      else await this.sendStream(req, res, route.prefix, reply, reply.stream, onHead);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        // The client may still be sending: closing now would make it fail writing (EPIPE) before it
        // reads the 413. The rest is read and dropped instead, within bounds (discardRest).
        send(res, { status: 413, body: `${error.message}\n` });
        discardRest(req);
      } else {
        this.options.logger.error({ err: error, route: route.prefix }, 'HTTP handler failed');
        span.recordException(error as Error);
        if (res.headersSent) res.end();
        else send(res, { status: 500, body: 'internal error\n' });
      }
    } finally {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  }

  /** Writes the head, runs the writer until it returns or the stream ends, then ends the response. */
  private async sendStream(req: IncomingMessage, res: ServerResponse, route: string, reply: HttpReply, writer: NonNullable<HttpReply['stream']>, onHead: () => void): Promise<void> {
    const controller = new AbortController();
    res.writeHead(reply.status, { 'content-type': 'text/plain; charset=utf-8', ...reply.headers });
    res.flushHeaders();
    onHead();
    // The writer always runs (it may hold resources to release), but on HEAD, or once the server
    // is closing, with its signal already aborted: it writes nothing and returns.
    if (req.method === 'HEAD') controller.abort(new Error('HEAD has no body'));
    if (this.closing) controller.abort(new Error('the HTTP server is closing'));
    const gone = (): void => { controller.abort(new Error('the client went away')); };
    res.once('close', gone);
    this.streams.add(controller);
    const out: HttpStream = {
      signal: controller.signal,
      write: (chunk) => {
        if (controller.signal.aborted) return false;
        res.write(chunk);
        if (res.writableLength > STREAM_BUFFER_LIMIT) {
          this.options.logger.warn({ route, buffered: res.writableLength }, 'a streamed reply\'s client does not read: cut');
          controller.abort(new Error('the client does not read'));
          res.destroy();
        }
        return true;
      },
    };
    try {
      await writer(out);
    } finally {
      this.streams.delete(controller);
      res.off('close', gone);
      controller.abort(new Error('the stream ended'));
      if (!res.writableEnded) res.end();
    }
  }
}

function send(res: ServerResponse, reply: HttpReply): void {
  if (res.headersSent) return;
  const headers: Record<string, string | number> = { 'content-type': 'text/plain; charset=utf-8', ...reply.headers };
  const body = reply.body ?? '';
  headers['content-length'] = Buffer.byteLength(body);
  res.writeHead(reply.status, headers);
  res.end(body);
}

/** Bounds on reading and dropping the rest of a refused body; past either the connection is cut. */
const DISCARD_MAX_BYTES = 64 * 1024 * 1024;
const DISCARD_MAX_MS = 10_000;

/** Reads and drops what is left of a refused request body, cutting the connection if it goes on too long. */
function discardRest(req: IncomingMessage): void {
  if (req.complete) return;
  let discarded = 0;
  const cut = (): void => {
    clearTimeout(timer);
    req.socket.destroy();
  };
  const timer = setTimeout(cut, DISCARD_MAX_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_MAX_BYTES) cut();
  });
  req.once('close', () => { clearTimeout(timer); });
  req.resume();
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const end = raw.search(/[?#]/);
  return end === -1 ? raw : raw.slice(0, end);
}

function splitAddress(address: string): { host: string; port: number } {
  const index = address.lastIndexOf(':');
  const host = address.slice(0, index).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(index + 1)) };
}

/** Reads the whole body, refusing it as soon as it passes `limit` (declared or streamed). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new BodyTooLargeError(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => { if (!refused) resolve(Buffer.concat(chunks)); });
    req.once('error', (error) => { if (!refused) reject(error); });
  });
}
