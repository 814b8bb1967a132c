/**
 * The Transport inside one process, for the monolith: handlers are called directly, but every
 * message still goes through the same encoding, headers, retry decisions and typed errors as
 * on NATS. What it keeps:
 *  - msgID de-duplication within the stream's window;
 *  - at-least-once while the process lives: a failed handler is retried with the backoff, then
 *    dead-lettered (kept in memory, listed and replayable through `deadLetters()`/`replay()`);
 *  - per-chat order (ordered consumers run one message per routing key at a time, a retry holds
 *    its chat) with chats in parallel;
 *  - request timeouts (RequestTimeoutError) and NoRespondersError when nothing serves a subject.
 * What it does not: durability across a crash (messages in memory die with the process; the
 * monolith consumes Telegram updates from JetStream when it must not lose them), and delivery
 * to consumers bound after the publish (bind consumers before publishing).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { MSG_ID_HEADER } from '@nova/contracts';
import { BusClosedError, NoRespondersError, RequestTimeoutError } from '../errors.js';
import { ROUTING_KEY_HEADER, type Headers } from '../headers.js';
import { STREAM_SETTINGS } from '../jetstream/streams.js';
import { subjectMatches } from '../subject-match.js';
import type { ConsumeBinding, InboundMessage, Processor, Reply, Responder, StreamKind, Transport } from '../transport.js';
import type { Binding, PublishResult } from '../types.js';

export interface InProcessDeadLetter {
  readonly sequence: number;
  readonly stream: StreamKind;
  readonly subject: string;
  readonly consumer: string;
  readonly deliveries: number;
  readonly error: string;
  readonly failedAt: Date;
}

interface Stored {
  readonly stream: StreamKind;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Headers;
  readonly sequence: number;
}

class ConsumerRunner {
  private readonly queues = new Map<string, Stored[]>();
  private readonly active = new Set<Promise<void>>();
  private readonly waiting: Stored[] = [];
  private stopped = false;

  constructor(
    readonly binding: ConsumeBinding,
    private readonly process: Processor,
    private readonly onDead: (message: Stored, consumer: string, deliveries: number, error: string) => void,
  ) {}

  accepts(message: Stored): boolean {
    return !this.stopped && message.stream === this.binding.stream && this.binding.filters.some((filter) => subjectMatches(filter, message.subject));
  }

  enqueue(message: Stored): void {
    if (this.binding.ordered) {
      const key = message.headers.get(ROUTING_KEY_HEADER) ?? message.subject;
      const queue = this.queues.get(key);
      if (queue !== undefined) {
        queue.push(message);
        return;
      }
      this.queues.set(key, [message]);
      this.track(this.drainKey(key));
      return;
    }
    this.waiting.push(message);
    this.pump();
  }

  private pump(): void {
    while (this.active.size < this.binding.concurrency && this.waiting.length > 0) {
      const next = this.waiting.shift();
      if (next !== undefined) this.track(this.deliver(next));
    }
  }

  private track(work: Promise<void>): void {
    this.active.add(work);
    void work.finally(() => {
      this.active.delete(work);
      if (!this.binding.ordered) this.pump();
    });
  }

  /** One chat's messages, one at a time; a retry holds the chat until it settles. */
  private async drainKey(key: string): Promise<void> {
    const queue = this.queues.get(key) ?? [];
    while (queue.length > 0 && !this.stopped) {
      const head = queue[0];
      if (head !== undefined) await this.deliver(head);
      queue.shift();
    }
    this.queues.delete(key);
  }

  /** Delivers until the processor acks or dead-letters it (or the bus stops). */
  private async deliver(message: Stored): Promise<void> {
    for (let deliveryCount = 1; !this.stopped; deliveryCount++) {
      const inbound: InboundMessage = { subject: message.subject, data: message.data, headers: new Map(message.headers), deliveryCount, sequence: message.sequence, partition: undefined };
      const settlement = await this.process(inbound);
      if (settlement.kind === 'ack') return;
      if (settlement.kind === 'dead') {
        this.onDead(message, this.binding.name, deliveryCount, settlement.error);
        return;
      }
      await delay(settlement.delayMs);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.waiting.length = 0;
    await Promise.all(this.active);
  }
}

export class InProcessTransport implements Transport {
  readonly kind = 'in-process' as const;
  private sequence = 0;
  private readonly seen = new Map<string, { sequence: number; expires: number }>();
  private readonly consumers = new Set<ConsumerRunner>();
  private readonly responders = new Map<string, Responder>();
  private readonly dead: (InProcessDeadLetter & { readonly message: Stored })[] = [];
  private closed = false;

  constructor(private readonly now: () => number = Date.now) {}

  publish(stream: StreamKind, subject: string, data: Uint8Array, headers: Headers, msgId: string): Promise<PublishResult> {
    if (this.closed) return Promise.reject(new BusClosedError('publish'));
    const now = this.now();
    const key = `${stream}:${msgId}`;
    const previous = this.seen.get(key);
    if (previous !== undefined && previous.expires > now) return Promise.resolve({ duplicate: true, sequence: previous.sequence });
    const sequence = ++this.sequence;
    this.seen.set(key, { sequence, expires: now + STREAM_SETTINGS[stream].duplicateWindowMs });
    this.forget(now);
    const stored: Stored = { stream, subject, data, headers: new Map([...headers, [MSG_ID_HEADER, msgId]]), sequence };
    for (const consumer of this.consumers) if (consumer.accepts(stored)) consumer.enqueue(stored);
    return Promise.resolve({ duplicate: false, sequence });
  }

  /** Drops msgIDs past their window (amortised: at most every 1,000 publishes). */
  private forget(now: number): void {
    if (this.sequence % 1_000 !== 0) return;
    for (const [key, entry] of this.seen) if (entry.expires <= now) this.seen.delete(key);
  }

  async request(subject: string, data: Uint8Array, headers: Headers, timeoutMs: number): Promise<Reply> {
    if (this.closed) throw new BusClosedError('request');
    const responder = this.responders.get(subject);
    if (responder === undefined) throw new NoRespondersError(subject);
    const controller = new AbortController();
    const timeout = delay(timeoutMs, undefined, { signal: controller.signal }).then(() => { throw new RequestTimeoutError(subject, timeoutMs); });
    try {
      // A copy of the bytes, as a network would give: the handler cannot alias the caller's buffer.
      return await Promise.race([responder(subject, data.slice(), new Map(headers)), timeout]);
    } finally {
      controller.abort();
      timeout.catch(() => undefined);
    }
  }

  serve(name: string, subjects: readonly string[], _queue: string, respond: Responder): Promise<Binding> {
    for (const subject of subjects) {
      if (this.responders.has(subject)) return Promise.reject(new Error(`${subject} is already served in this process`));
    }
    for (const subject of subjects) this.responders.set(subject, respond);
    return Promise.resolve({
      name,
      stop: () => {
        for (const subject of subjects) this.responders.delete(subject);
        return Promise.resolve();
      },
    });
  }

  consume(binding: ConsumeBinding, process: Processor): Promise<Binding> {
    const runner = new ConsumerRunner(binding, process, (message, consumer, deliveries, error) => {
      this.dead.push({ sequence: message.sequence, stream: message.stream, subject: message.subject, consumer, deliveries, error, failedAt: new Date(this.now()), message });
    });
    this.consumers.add(runner);
    return Promise.resolve({
      name: binding.name,
      stop: async () => {
        this.consumers.delete(runner);
        await runner.stop();
      },
    });
  }

  /** Messages that exhausted their attempts (the in-process dead-letter stream). */
  deadLetters(): readonly InProcessDeadLetter[] {
    return this.dead.map(({ message: _message, ...entry }) => entry);
  }

  /** Hands the dead letters with these sequences to their consumers again, from attempt 1. */
  replay(sequences: readonly number[]): number {
    let replayed = 0;
    for (const sequence of sequences) {
      const index = this.dead.findIndex((entry) => entry.sequence === sequence);
      const entry = this.dead[index];
      if (entry === undefined) continue;
      this.dead.splice(index, 1);
      for (const consumer of this.consumers) {
        if (consumer.binding.name === entry.consumer && consumer.accepts(entry.message)) consumer.enqueue(entry.message);
      }
      replayed++;
    }
    return replayed;
  }

  ready(): boolean {
    return !this.closed;
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
