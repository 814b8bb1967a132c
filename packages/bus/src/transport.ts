/**
 * What a bus needs from the thing that moves bytes: JetStream (jetstream/) or the process
 * itself (in-process/). Encoding, tracing, metrics, typed errors, retry decisions and circuit
 * breakers live above this line, once, so both sides of a migration behave the same.
 */
import type { Headers } from './headers.js';
import type { Binding, PublishResult } from './types.js';

export type StreamKind = 'NOVA' | 'TELEGRAM';

export interface ConsumeBinding {
  /** Durable name: letters, digits, '-' and '_'. */
  readonly name: string;
  readonly stream: StreamKind;
  /** Subjects or filters on the contract subjects (telegram.update.<bot>.*, nova.user.registered). */
  readonly filters: readonly string[];
  /** Serial per routing key (chat); else up to `concurrency` at once in any order. */
  readonly ordered: boolean;
  readonly concurrency: number;
  readonly maxDeliver: number;
  readonly ackWaitMs: number;
}

export interface InboundMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Headers;
  readonly deliveryCount: number;
  readonly sequence: number;
  readonly partition: number | undefined;
}

/** What to do with a message once its handler returned or threw. */
export type Settlement =
  | { readonly kind: 'ack' }
  | { readonly kind: 'retry'; readonly delayMs: number }
  | { readonly kind: 'dead'; readonly error: string };

export type Processor = (message: InboundMessage) => Promise<Settlement>;

export interface Reply {
  readonly data: Uint8Array;
  readonly headers: Headers;
}

export type Responder = (subject: string, data: Uint8Array, headers: Headers) => Promise<Reply>;

export interface Transport {
  readonly kind: 'jetstream' | 'in-process';
  publish(stream: StreamKind, subject: string, data: Uint8Array, headers: Headers, msgId: string): Promise<PublishResult>;
  /** Rejects with RequestTimeoutError or NoRespondersError from errors.ts. */
  request(subject: string, data: Uint8Array, headers: Headers, timeoutMs: number): Promise<Reply>;
  /** Answers `subjects`, load-balanced over the processes in `queue`. */
  serve(name: string, subjects: readonly string[], queue: string, respond: Responder): Promise<Binding>;
  consume(binding: ConsumeBinding, process: Processor): Promise<Binding>;
  ready(): boolean;
  close(): Promise<void>;
}
