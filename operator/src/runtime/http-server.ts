/**
 * /metrics, /healthz and /readyz. Liveness only says the event loop answers (restarting a
 * replica because the apiserver is slow would make things worse); readiness says the caches are
 * synced. A standby replica with synced caches is ready too: it must be able to take over.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OperatorMetrics } from './metrics.js';

export interface ReadinessCheck {
  readonly name: string;
  ready(): boolean;
}

export interface OpsServerOptions {
  readonly metrics: OperatorMetrics;
  readonly readiness: () => readonly ReadinessCheck[];
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
}

export class OpsServer {
  private readonly server: Server;

  constructor(private readonly options: OpsServerOptions) {
    this.server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?', 1)[0];
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/healthz' || path === '/livez') {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        return;
      }
      if (path === '/readyz') {
        const waiting = this.options.readiness().filter((check) => !check.ready()).map((check) => check.name);
        const ok = waiting.length === 0;
        response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : `not synced: ${waiting.join(', ')}\n`);
        return;
      }
      if (path === '/metrics') {
        this.options.metrics.text().then(
          (text) => response.writeHead(200, { 'content-type': this.options.metrics.registry.contentType }).end(text),
          (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(error)}\n`),
        );
        return;
      }
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    });
    // Keep-alive scrapers must not hold shutdown open.
    this.server.keepAliveTimeout = 5_000;
  }

  async listen(): Promise<string> {
    const { host = '0.0.0.0', port = 8080 } = this.options;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${shown}:${address.port}`;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => { resolve(); }));
    this.server.closeIdleConnections();
    await closed;
  }
}
