/**
 * `--fail`: a TCP relay between the target service and NATS that the demo can cut, the way a
 * real outage would: the new side loses its broker, answers Telegram 503 ("could not store the
 * update"), and its own request metrics show it. Nothing is faked: the operator sees real errors
 * through Prometheus and rolls back; Telegram retries, the retries land on legacy, nothing is lost.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export class LinkCutter {
  private cut = false;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(targetHost: string, targetPort: number): Promise<LinkCutter> {
    const holder: { cutter?: LinkCutter } = {};
    const server = createServer((client) => {
      const cutter = holder.cutter;
      if (cutter === undefined || cutter.cut) {
        client.destroy();
        return;
      }
      const upstream = connect(targetPort, targetHost);
      for (const socket of [client, upstream]) {
        cutter.sockets.add(socket);
        socket.on('close', () => cutter.sockets.delete(socket));
        socket.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the link cutter did not get a port');
    holder.cutter = new LinkCutter(server, address.port);
    return holder.cutter;
  }

  get url(): string {
    return `nats://127.0.0.1:${String(this.port)}`;
  }

  /** Drops every connection and refuses new ones. */
  sever(): void {
    this.cut = true;
    for (const socket of this.sockets) socket.destroy();
  }

  get severed(): boolean {
    return this.cut;
  }

  async stop(): Promise<void> {
    this.sever();
    await new Promise<void>((resolve) => { this.server.close(() => { resolve(); }); });
  }
}
