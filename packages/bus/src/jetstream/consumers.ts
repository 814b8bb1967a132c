/**
 * Durable pull consumers, declared in code and ensured idempotently, and the loops that feed
 * their messages to the bus's processor.
 *
 * Ordered (Telegram updates): one durable per partition of TELEGRAM (`<name>-p<k>`), each with
 * max_ack_pending 1. A partition has one message out at a time across every replica of the
 * service, and a message waiting for its retry still counts as pending, so nothing later of
 * the same chat is delivered before it (the server holds it back, not this process).
 * Unordered (events): one durable, up to `concurrency` messages at once.
 *
 * The server's max_deliver is the bus's plus one: the bus dead-letters on the last failed
 * attempt itself, and the extra delivery lets it dead-letter a message whose handler never
 * finished (the process crashed or froze) instead of the server dropping it silently.
 */
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, type Consumer, type ConsumerConfig, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { Logger } from '@nova/platform';
import { BusConfigError } from '../errors.js';
import type { ConsumeBinding, InboundMessage, Processor, Settlement } from '../transport.js';
import type { Binding } from '../types.js';
import { publishDeadLetter } from './dead-letters.js';
import { fromNatsHeaders } from './nats-headers.js';
import { partitionsOf } from './streams.js';

interface Durable {
  readonly durable: string;
  readonly filters: readonly string[];
  readonly maxAckPending: number;
  readonly partition: number | undefined;
}

/** `telegram.<update|legacy>.<bot|*>.*` → the same filter on partition `k`'s stored subjects. */
function partitionFilter(filter: string, partition: number): string {
  const tokens = filter.split('.');
  if (tokens.length === 3 && tokens[2] === '>') return `${tokens[0] ?? ''}.${tokens[1] ?? ''}.*.*.${String(partition)}`;
  if (tokens.length === 4) return `${filter}.${String(partition)}`;
  throw new BusConfigError(`cannot partition the filter ${filter}: expected telegram.<update|legacy>.<bot|*>.*`);
}

/**
 * How long each pull request of a consumer lives. The client wants a heartbeat every half of it
 * and pulls again only after two are missed: a pull whose consumer leader died with its node (a
 * cluster: NOVA_NATS_REPLICAS > 1), or that the server ended with a 409 on a leadership change,
 * stalls its partition until then. The client's default, 30 s, stalled partitions for 30-44 s
 * after a node's SIGKILL in test/bus/nats-cluster.test.ts; 10 s costs an idle consumer one pull
 * request every 10 s.
 */
export const PULL_EXPIRES_MS = 10_000;

async function durablesFor(jsm: JetStreamManager, binding: ConsumeBinding): Promise<Durable[]> {
  if (!binding.ordered) return [{ durable: binding.name, filters: binding.filters, maxAckPending: binding.concurrency, partition: undefined }];
  const info = await jsm.streams.info(binding.stream);
  const partitions = partitionsOf(info.config);
  if (partitions === undefined) throw new BusConfigError(`stream ${binding.stream} has no partition transform: ordered consumers need it (ensureStreams)`);
  return Array.from({ length: partitions }, (_, k) => ({
    durable: `${binding.name}-p${String(k)}`,
    filters: binding.filters.map((filter) => partitionFilter(filter, k)),
    maxAckPending: 1,
    partition: k,
  }));
}

async function ensureConsumer(jsm: JetStreamManager, stream: string, durable: Durable, binding: ConsumeBinding): Promise<void> {
  const config: Partial<ConsumerConfig> = {
    durable_name: durable.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(binding.ackWaitMs),
    max_deliver: binding.maxDeliver + 1,
    max_ack_pending: durable.maxAckPending,
    filter_subjects: [...durable.filters],
  };
  const current = await jsm.consumers.info(stream, durable.durable).catch((error: unknown) => {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound) return undefined;
    throw error;
  });
  if (current === undefined) {
    await jsm.consumers.add(stream, config).catch(async (error: unknown) => {
      if (!/already (in use|exists)/i.test(String(error))) throw error;
      await jsm.consumers.update(stream, durable.durable, config);
    });
    return;
  }
  const drift = (Object.keys(config) as (keyof ConsumerConfig)[]).some((key) => JSON.stringify(current.config[key]) !== JSON.stringify(config[key]));
  if (drift) await jsm.consumers.update(stream, durable.durable, config);
}

/** Strips the partition token TELEGRAM's transform appended: handlers see the contract subject. */
function contractSubject(binding: ConsumeBinding, subject: string): { subject: string; partition: number | undefined } {
  if (binding.stream !== 'TELEGRAM') return { subject, partition: undefined };
  const tokens = subject.split('.');
  if (tokens.length !== 5) return { subject, partition: undefined };
  return { subject: tokens.slice(0, 4).join('.'), partition: Number(tokens[4]) };
}

export interface ConsumerRuntime {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly logger: Logger;
  /**
   * Runs the binding's JetStream API calls (declaring its durables, reading them back), which are
   * idempotent and may be tried again as a whole (the transport waits out an API that does not
   * answer in time, as at a deployable's start). Default: once.
   */
  readonly declare?: <T>(attempt: () => Promise<T>) => Promise<T>;
}

/** Declares the binding's durables and reads each back: every JetStream API request a binding makes, before anything consumes. */
async function declareDurables(runtime: ConsumerRuntime, binding: ConsumeBinding): Promise<{ durable: Durable; consumer: Consumer }[]> {
  const durables = await durablesFor(runtime.jsm, binding);
  for (const durable of durables) await ensureConsumer(runtime.jsm, binding.stream, durable, binding);
  return Promise.all(durables.map(async (durable) => ({ durable, consumer: await runtime.js.consumers.get(binding.stream, durable.durable) })));
}

export async function startConsumer(runtime: ConsumerRuntime, binding: ConsumeBinding, process: Processor): Promise<Binding> {
  const { logger } = runtime;
  const declare = runtime.declare ?? (<T>(attempt: () => Promise<T>): Promise<T> => attempt());
  const declared = await declare(() => declareDurables(runtime, binding));
  let stopping = false;
  const running = await Promise.all(declared.map(async ({ durable, consumer }) => {
    const messages = await consumer.consume({ max_messages: durable.maxAckPending, expires: PULL_EXPIRES_MS });
    const inFlight = new Set<Promise<void>>();
    const handleOne = async (message: JsMsg): Promise<void> => {
      const { subject, partition } = contractSubject(binding, message.subject);
      const inbound: InboundMessage = {
        subject,
        data: message.data,
        headers: fromNatsHeaders(message.headers),
        deliveryCount: message.info.deliveryCount,
        sequence: message.seq,
        partition: partition ?? durable.partition,
      };
      // Tell the server the handler is alive, so only a dead or frozen process loses the message.
      const heartbeat = setInterval(() => { message.working(); }, Math.max(500, Math.floor(binding.ackWaitMs / 3)));
      let settlement: Settlement;
      try {
        settlement = await process(inbound);
      } finally {
        clearInterval(heartbeat);
      }
      await settle(runtime, binding, message, subject, settlement);
    };
    const loop = (async () => {
      for await (const message of messages) {
        const work = handleOne(message).catch((error: unknown) => {
          logger.error({ err: error, consumer: durable.durable, sequence: message.seq }, 'could not settle a message; it will be redelivered');
        });
        if (durable.maxAckPending === 1) {
          await work;
        } else {
          inFlight.add(work);
          void work.finally(() => inFlight.delete(work));
          while (inFlight.size >= durable.maxAckPending) await Promise.race(inFlight);
        }
        if (stopping) break;
      }
      await Promise.all(inFlight);
    })();
    return { messages, loop };
  }));
  return {
    name: binding.name,
    stop: async () => {
      stopping = true;
      for (const { messages } of running) messages.stop();
      await Promise.all(running.map(({ loop }) => loop));
    },
  };
}

async function settle(runtime: ConsumerRuntime, binding: ConsumeBinding, message: JsMsg, subject: string, settlement: Settlement): Promise<void> {
  switch (settlement.kind) {
    case 'ack':
      await message.ackAck();
      return;
    case 'retry':
      message.nak(settlement.delayMs);
      return;
    case 'dead':
      try {
        await publishDeadLetter(runtime.js, { stream: binding.stream, subject, consumer: binding.name, message, error: settlement.error });
      } catch (error) {
        // The message must not be lost: leave it to be redelivered and moved again.
        message.nak(1_000);
        throw error;
      }
      message.term(settlement.error.slice(0, 200));
      return;
  }
}
