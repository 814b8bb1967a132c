/**
 * Binding a consumer waits out a JetStream API that does not answer in time, as a deployable's
 * start waits out NATS itself: a bot service of the chaos run exited at its start when the
 * three-node cluster, on a loaded machine, did not answer its consumer requests within the
 * client's 5 s. Real nats-server; between it and the bus a relay of this file that holds the bus's
 * bytes while frozen (the server busy or its answer slow, without making the machine busy), then
 * passes them on: nothing else of the bus or the server is stood in for.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectJetStreamBus, type JetStreamTransport, type NovaBus } from '@nova/bus';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { memoryLogger, startPrivateNats, testMetrics, until, type PrivateNats } from './support/nats.js';

/** Forwards both ways; while frozen, what the clients send is held and sent on at thaw. */
class FreezingRelay {
  private frozen = false;
  private readonly held: { upstream: Socket; data: Buffer }[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(targetPort: number): Promise<FreezingRelay> {
    const holder: { relay?: FreezingRelay } = {};
    const server = createServer((client) => {
      const relay = holder.relay;
      if (relay === undefined) {
        client.destroy();
        return;
      }
      const upstream = connect(targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        relay.sockets.add(socket);
        socket.on('close', () => relay.sockets.delete(socket));
        socket.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      client.on('data', (data: Buffer) => {
        if (relay.frozen) relay.held.push({ upstream, data });
        else upstream.write(data);
      });
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the relay did not get a port');
    holder.relay = new FreezingRelay(server, `nats://127.0.0.1:${String(address.port)}`);
    return holder.relay;
  }

  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
    for (const { upstream, data } of this.held.splice(0)) upstream.write(data);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => { this.server.close(() => { resolve(); }); });
  }
}

let nats: PrivateNats;
let relay: FreezingRelay;
let publisher: NovaBus<JetStreamTransport>;
const stopping = new AbortController();
const reasons: (string | undefined)[] = [];
let consumer: NovaBus<JetStreamTransport> | undefined;

beforeAll(async () => {
  nats = await startPrivateNats();
  relay = await FreezingRelay.start(Number(new URL(nats.info.url).port));
  publisher = await connectJetStreamBus({ servers: [nats.info.url], name: 'publisher', metrics: testMetrics(), logger: memoryLogger('publisher').logger });
});

afterAll(async () => {
  relay.thaw(); // a failed test may leave it frozen, and the bus's drain would wait for the server forever
  stopping.abort();
  await consumer?.close();
  await publisher.close();
  await relay.stop();
  await nats.stop();
});

describe('binding a consumer at a deployable\'s start', () => {
  it('waits out a JetStream API that does not answer in time, reports it as what start waits for, and consumes once it answers', async () => {
    const startup = { signal: stopping.signal, waiting: (reason: string | undefined) => { reasons.push(reason); } };
    const bus = await connectJetStreamBus({ servers: [relay.url], name: 'consumer', metrics: testMetrics(), logger: memoryLogger('consumer').logger, startup });
    consumer = bus;
    const seen: bigint[] = [];

    relay.freeze();
    const binding = bus.consumeUpdates({ name: 'declare-wait', context: 'bot', botIds: [7001], handle: (update) => { seen.push(update.updateId); return Promise.resolve(); } });
    // The client's API timeout (5 s) passes with no answer: the bind reports it and tries again, rather than failing the start.
    await until('the bind reports that it waits for NATS JetStream', () => reasons.some((reason) => reason?.startsWith('waiting for NATS JetStream at 127.0.0.1:') === true && /timeout/i.test(reason)), 30_000);
    relay.thaw();
    const bound = await binding;

    expect(reasons.at(-1)).toBeUndefined();
    await publisher.publishUpdate({ botId: 7001n, chatId: 3n, updateId: 1n, kind: 'message' });
    await until('the update consumed', () => seen.length === 1);
    expect(seen).toEqual([1n]);
    await bound.stop();
  }, 60_000);
});
