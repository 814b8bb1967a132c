/**
 * The loopback HTTP server both emulators run on: JSON bodies read whole (the raw bytes kept),
 * injected faults applied before the provider's own routes, and a way to refuse connections
 * (stop listening, then listen again on the same port) like a provider that is down.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmulatorRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

export interface EmulatorReply {
  readonly status: number;
  /** Written as is (already JSON). */
  readonly body: string;
}

export type EmulatorHandler = (request: EmulatorRequest) => Promise<EmulatorReply>;

/** What the next API calls suffer (control routes are never affected). */
export interface ApiFault {
  /** Answer with this status (e.g. 500, 502, 503) instead of serving the call. */
  readonly status?: number;
  /** Wait this long before answering (a slow provider); combined with status or alone. */
  readonly delayMs?: number;
  /** How many calls; unlimited when absent. */
  readonly times?: number;
}

const BODY_LIMIT = 1024 * 1024;
export const CONTROL_PREFIX = '/_emulator/';

export class EmulatorHttpServer {
  private readonly server: Server;
  private port = 0;
  private readonly host: string;
  private faults: { fault: ApiFault; left: number }[] = [];

  constructor(private readonly handler: EmulatorHandler, host = '127.0.0.1') {
    this.host = host;
    this.server = createServer((req, res) => { void this.serve(req, res); });
  }

  async listen(port = 0): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    this.port = address.port;
    return address;
  }

  /** http://127.0.0.1:<port> */
  get origin(): string {
    return `http://${this.host}:${String(this.port)}`;
  }

  /** The next API calls fail or are slow (see ApiFault). */
  injectFault(fault: ApiFault): void {
    this.faults.push({ fault, left: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Stops listening: connections are refused until `up()`. */
  async down(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => { resolve(); }));
  }

  /** Listens again on the same port. */
  async up(): Promise<void> {
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    await this.down();
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', this.origin);
      const body = await readBody(req);
      if (body === undefined) {
        reply(res, { status: 413, body: '{"ok":false,"error":{"code":413,"name":"REQUEST_TOO_LARGE"}}' });
        return;
      }
      if (!url.pathname.startsWith(CONTROL_PREFIX)) {
        const fault = this.takeFault();
        if (fault?.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
        if (fault?.status !== undefined) {
          reply(res, { status: fault.status, body: JSON.stringify({ ok: false, error: { code: fault.status, name: 'INJECTED_FAULT' } }) });
          return;
        }
      }
      reply(res, await this.handler({ method: req.method ?? 'GET', url, headers: req.headers, body }));
    } catch (error) {
      reply(res, { status: 500, body: JSON.stringify({ ok: false, error: { code: 500, name: 'EMULATOR_ERROR', message: error instanceof Error ? error.message : String(error) } }) });
    }
  }

  private takeFault(): ApiFault | undefined {
    const next = this.faults[0];
    if (next === undefined) return undefined;
    next.left -= 1;
    if (next.left <= 0) this.faults.shift();
    return next.fault;
  }
}

function reply(res: ServerResponse, answer: EmulatorReply): void {
  if (res.headersSent) return;
  res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > BODY_LIMIT) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
