/**
 * A TCP relay in front of the apiserver that a test can cut, to make one replica lose the
 * control plane while others keep it: a network partition, not a mocked failure. A cut relay
 * keeps accepting and holding connections but forwards nothing, so requests hang the way they
 * do behind a dead route, and callers must rely on their own deadlines.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export class PartitionableRelay {
  private cut = false;
  private readonly sockets = new Set<Socket>();
  /** Connections clients opened to the relay so far. */
  accepted = 0;
  private readonly server: Server;
  port = 0;

  private constructor(target: URL) {
    this.server = createServer((client) => {
      this.accepted++;
      this.track(client);
      client.on('error', () => undefined);
      if (this.cut) return; // hold it open, say nothing
      const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
      this.track(upstream);
      upstream.on('close', () => client.destroy());
      upstream.on('error', () => { client.destroy(); });
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  static async start(target: URL): Promise<PartitionableRelay> {
    const relay = new PartitionableRelay(target);
    await new Promise<void>((resolve) => relay.server.listen(0, '127.0.0.1', resolve));
    relay.port = (relay.server.address() as AddressInfo).port;
    return relay;
  }

  /** A relay in front of `config`'s current cluster. */
  static async inFrontOf(config: KubeConfig): Promise<PartitionableRelay> {
    const server = config.getCurrentCluster()?.server;
    if (server === undefined) throw new Error('no apiserver in the kubeconfig');
    return PartitionableRelay.start(new URL(server));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  isCut(): boolean {
    return this.cut;
  }

  /** From now on nothing passes in either direction, on open and new connections alike. */
  partition(): void {
    this.cut = true;
    for (const socket of this.sockets) {
      socket.unpipe();
      socket.pause();
    }
  }

  /** Client connections open now. */
  openClientConnections(): number {
    return [...this.sockets].filter((socket) => socket.localPort === this.port).length;
  }

  /** A copy of `config` (made by `make`) whose current cluster is reached through this relay. */
  kubeConfigVia<T extends KubeConfig = KubeConfig>(config: KubeConfig, make: () => T = () => new KubeConfig() as T): T {
    const current = config.getCurrentCluster();
    if (current === null) throw new Error('kubeconfig has no current cluster');
    const relayed = make();
    relayed.loadFromOptions({
      clusters: config.clusters.map((cluster) => (cluster.name === current.name ? { ...cluster, server: `https://127.0.0.1:${this.port}` } : cluster)),
      users: config.users,
      contexts: config.contexts,
      currentContext: config.currentContext,
    });
    return relayed;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => { resolve(); }));
  }
}
