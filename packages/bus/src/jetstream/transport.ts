/** The Transport over NATS: JetStream for streams and consumers, core NATS for request/reply. */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { errors as natsErrors, type Msg, type NatsConnection, type Subscription } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { waitForDependency, type Logger, type StartupProgress } from '@nova/platform';
import { BrokerUnavailableError, NoRespondersError, PublishTimeoutError, RequestTimeoutError } from '../errors.js';
import type { Headers } from '../headers.js';
import type { ConsumeBinding, Processor, Reply, Responder, StreamKind, Transport } from '../transport.js';
import type { Binding, PublishResult } from '../types.js';
import { startConsumer } from './consumers.js';
import { fromNatsHeaders, toNatsHeaders } from './nats-headers.js';
import { cancelRequestsWithoutNewErrors } from './request-cancel.js';
import { ensureStreams, type EnsureStreamsOptions } from './streams.js';

cancelRequestsWithoutNewErrors();

export interface JetStreamTransportOptions extends EnsureStreamsOptions {
  readonly servers: readonly string[];
  /** Connection name, shown by the server (`nats server report connections`). */
  readonly name: string;
  readonly logger: Logger;
  /** Declare the streams at connect (default true; a process that only calls requests may skip). */
  readonly ensureStreams?: boolean;
  /** JetStream publish ack timeout. 5 s. */
  readonly publishTimeoutMs?: number;
  /**
   * A deployable's start (runService's `service.startup`): NATS unreachable (or JetStream not
   * ready) is waited for, the reason reported there and logged once per change, until it connects
   * or the signal aborts. Without it, the first failure throws (tools, tests).
   */
  readonly startup?: StartupProgress;
}

const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;

function isCause(error: unknown, type: abstract new (...args: never[]) => Error): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof type) return true;
    current = (current as Error).cause;
  }
  return false;
}

/** host:port of each server, credentials never (a NATS URL may carry user:password). */
function serverList(servers: readonly string[]): string {
  return servers.map((server) => {
    try {
      const url = new URL(server.includes('://') ? server : `nats://${server}`);
      return url.host;
    } catch {
      return '(unparsable server address)';
    }
  }).join(', ');
}

export class JetStreamTransport implements Transport {
  readonly kind = 'jetstream' as const;
  private connected = true;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    private readonly options: JetStreamTransportOptions,
  ) {
    void this.watchStatus();
  }

  static async connect(options: JetStreamTransportOptions): Promise<JetStreamTransport> {
    return waitForDependency({
      dependency: 'NATS',
      address: serverList(options.servers),
      attempt: () => JetStreamTransport.connectOnce(options),
      startup: options.startup,
      logger: options.logger,
    });
  }

  private static async connectOnce(options: JetStreamTransportOptions): Promise<JetStreamTransport> {
    const nc = await connect({
      servers: [...options.servers],
      name: options.name,
      // Keep trying while the process lives: readiness reports the outage meanwhile.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
      // nats.js otherwise builds an Error (a stack capture) for every request and JetStream publish,
      // only to have a call-site stack ready should it fail: together with the Error request-cancel.ts
      // avoids, 1.9 % of the bot service's and 8 % of the gateway's busy time in a 200 msg/s profile
      // (issue 20). A failure still says what failed: request() turns a timeout or no-responders into
      // RequestTimeoutError / NoRespondersError, publish() a timeout into PublishTimeoutError, each
      // naming the subject (test/bus/requests.test.ts).
      noAsyncTraces: true,
    });
    try {
      const jsm = await jetstreamManager(nc);
      if (options.ensureStreams ?? true) await ensureStreams(jsm, options);
      return new JetStreamTransport(nc, jetstream(nc, { timeout: options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS }), jsm, options);
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        this.options.logger.warn({ server: status.server }, 'NATS disconnected');
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.options.logger.info({ server: status.server }, 'NATS reconnected');
      }
    }
  }

  async publish(_stream: StreamKind, subject: string, data: Uint8Array, headers: Headers, msgId: string): Promise<PublishResult> {
    if (!this.connected) throw new BrokerUnavailableError(subject);
    try {
      const ack = await this.js.publish(subject, data, { msgID: msgId, headers: toNatsHeaders(headers) });
      return { duplicate: ack.duplicate, sequence: ack.seq };
    } catch (error) {
      if (isCause(error, natsErrors.TimeoutError)) throw new PublishTimeoutError(subject, this.publishTimeoutMs, { cause: error });
      throw error;
    }
  }

  async request(subject: string, data: Uint8Array, headers: Headers, timeoutMs: number): Promise<Reply> {
    try {
      const reply = await this.nc.request(subject, data, { timeout: timeoutMs, headers: toNatsHeaders(headers) });
      return { data: reply.data, headers: fromNatsHeaders(reply.headers) };
    } catch (error) {
      if (isCause(error, natsErrors.NoRespondersError)) throw new NoRespondersError(subject);
      if (isCause(error, natsErrors.TimeoutError)) throw new RequestTimeoutError(subject, timeoutMs);
      throw error;
    }
  }

  async serve(name: string, subjects: readonly string[], queue: string, respond: Responder): Promise<Binding> {
    const inFlight = new Set<Promise<void>>();
    const answer = (msg: Msg): void => {
      const work = respond(msg.subject, msg.data, fromNatsHeaders(msg.headers))
        .then((reply) => { msg.respond(reply.data, { headers: toNatsHeaders(reply.headers) }); })
        .catch((error: unknown) => { this.options.logger.error({ err: error, subject: msg.subject }, 'could not answer a request'); });
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    };
    const subscriptions: Subscription[] = subjects.map((subject) => this.nc.subscribe(subject, { queue, callback: (error, msg) => {
      if (error === null) answer(msg);
    } }));
    // Once the server has the subscriptions, a request from any connection reaches them.
    await this.nc.flush();
    return {
      name,
      stop: async () => {
        // Stop taking requests (others in the queue group get them), then finish those we hold.
        await Promise.all(subscriptions.filter((sub) => !sub.isClosed()).map((sub) => sub.drain()));
        await Promise.all(inFlight);
      },
    };
  }

  /**
   * A JetStream API request that gets no answer in time (a cluster electing a stream's or a
   * consumer's leader, a server busy creating the durables of many replicas at once: a bot service
   * of the chaos run exited so at its start, beside a three-node cluster on a loaded machine) is
   * waited out like NATS itself at a deployable's start; any other failure (a refused config) is not.
   */
  consume(binding: ConsumeBinding, process: Processor): Promise<Binding> {
    const { logger, startup, servers } = this.options;
    const declare = <T>(attempt: () => Promise<T>): Promise<T> => waitForDependency({
      dependency: 'NATS JetStream', address: serverList(servers), attempt, startup, logger,
      transient: (error) => isCause(error, natsErrors.TimeoutError),
    });
    return startConsumer({ js: this.js, jsm: this.jsm, logger, declare }, binding, process);
  }

  private get publishTimeoutMs(): number {
    return this.options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
  }

  ready(): boolean {
    return this.connected && !this.nc.isClosed() && this.closing === undefined;
  }

  /** Drains the connection: pending publishes and replies are flushed before it closes. */
  close(): Promise<void> {
    this.closing ??= this.nc.isClosed() ? Promise.resolve() : this.nc.drain();
    return this.closing;
  }
}
