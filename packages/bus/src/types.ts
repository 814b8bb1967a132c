/**
 * The transport-free interface domain code is written against (Decided 1). A context declares
 * request handlers and consumers over the protobuf contracts; a JetStream bus (services) or an
 * in-process bus (the monolith) runs them with the same semantics: typed errors, timeouts,
 * at-least-once delivery with the idempotency key and delivery count visible to handlers.
 */
import type { MessageInitShape } from '@bufbuild/protobuf';
import type {
  ContextName,
  EventSchema,
  EventMessage,
  EventSubject,
  RequestMessage,
  RequestMethod,
  ResponseMessage,
  ServiceSubject,
  TelegramUpdate,
  TelegramUpdateSchema,
} from '@nova/contracts';

/** What a handler knows about the delivery it is handling. */
export interface Delivery {
  /** The subject as published (for updates: telegram.update.<bot>.<chat>). */
  readonly subject: string;
  /**
   * The idempotency key: the publisher's msgID (e.g. `<bot>:<update_id>`), the same on every
   * redelivery and on a replay from the dead-letter stream. Record it with the effect (Decided 4).
   */
  readonly idempotencyKey: string;
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  readonly redelivered: boolean;
  /** The chat (or other key) the message is about, when the publisher gave one. */
  readonly routingKey: string | undefined;
  /** Stream sequence (JetStream) or the in-process sequence. */
  readonly sequence: number;
  /** The ordering partition (ordered consumers on JetStream), else undefined. */
  readonly partition: number | undefined;
}

export type EventHandler<S extends EventSubject> = (event: EventMessage<S>, delivery: Delivery & { readonly subject: S }) => Promise<void>;
export type UpdateHandler = (update: TelegramUpdate, delivery: Delivery) => Promise<void>;

/** Retry policy of a consumer: `maxDeliver` attempts, waiting `backoffMs[n-1]` after the n-th failure. */
export interface RetryPolicy {
  /** Attempts before the message goes to the dead-letter stream. Default 5. */
  readonly maxDeliver?: number;
  /** Delays between attempts (the last repeats). Default 1 s, 2 s, 4 s, 8 s, 16 s. */
  readonly backoffMs?: readonly number[];
  /**
   * How long a delivery may go without the handler finishing or the bus telling the server it
   * is still working before it is redelivered (a crashed or frozen process). The bus extends it
   * while a handler runs, so it bounds only how long a dead process holds a message (and, for
   * ordered consumers, its partition). Default 10 s.
   */
  readonly ackWaitMs?: number;
}

export interface ConsumerCommon extends RetryPolicy {
  /** Durable name, unique per consumer, e.g. "bot-service.user-registered". */
  readonly name: string;
  /** The context that owns the handler: the `context` label of nova_bus_* metrics. */
  readonly context: ContextName;
}

export interface EventConsumer<S extends EventSubject> extends ConsumerCommon {
  readonly subjects: readonly S[];
  readonly handle: EventHandler<S>;
  /** Events handled at once (no order between events is promised). Default 8. */
  readonly concurrency?: number;
}

export interface UpdateConsumer extends ConsumerCommon {
  /** Only these bots' updates; all bots when absent. */
  readonly botIds?: readonly (bigint | number)[];
  readonly handle: UpdateHandler;
}

export interface RequestOptions {
  /** Default 5 s (the bus's `requestTimeoutMs`). */
  readonly timeoutMs?: number;
  /** The chat the request is about: carried for tracing and routing (issue 7). */
  readonly routingKey?: string | bigint | number;
}

export interface RequestContext {
  readonly subject: ServiceSubject;
  readonly routingKey: string | undefined;
  /** When the caller stops waiting (ms since the epoch), when it said. */
  readonly deadline: number | undefined;
}

export type RequestHandler<S extends ServiceSubject> = (
  request: RequestMessage<S>,
  context: RequestContext,
) => Promise<MessageInitShape<RequestMethod<S>['output']>>;

/** The handlers one context answers, keyed by subject (`svc.user.get`, ...). */
export type RequestHandlers<C extends ContextName> = {
  readonly [S in ServiceSubject as S extends `svc.${C}.${string}` ? S : never]?: RequestHandler<S>;
};

export interface PublishOptions {
  /** The key of the fact (event) for its msgID: `eventMsgId(subject, key)`. */
  readonly key: string | bigint | number;
  /** The chat the event is about, when there is one. */
  readonly routingKey?: string | bigint | number;
}

export interface PublishResult {
  /** True when the stream already had this msgID (inside its duplicate window): nothing was stored. */
  readonly duplicate: boolean;
  readonly sequence: number;
}

/** A running consumer or request server. */
export interface Binding {
  readonly name: string;
  /** Stops taking messages and waits for the ones in flight. */
  stop(): Promise<void>;
}

/** Items handled alike by one piece of work: `items` messages, each `ok` or not, each taking `seconds`. */
export interface WorkDone {
  readonly ok: boolean;
  /** The work's own time, less its waits on Telegram's limits. */
  readonly seconds: number;
  readonly items: number;
  /** Its waits on Telegram's limits (timeOwnWork in @nova/resilience). */
  readonly waitedSeconds?: number;
}

export interface Bus {
  readonly side: 'legacy' | 'target';
  /** Publishes a domain event with msgID `<subject>:<key>` (de-duplicated by the stream). */
  publishEvent<S extends EventSubject>(subject: S, event: MessageInitShape<EventSchema<S>>, options: PublishOptions): Promise<PublishResult>;
  /** Publishes a Telegram update on telegram.update.<bot>.<chat> with msgID <bot>:<update_id>. */
  publishUpdate(update: MessageInitShape<typeof TelegramUpdateSchema>): Promise<PublishResult>;
  /** Calls `svc.<context>.<method>`; typed errors, RequestTimeoutError, NoRespondersError, CircuitOpenError. */
  request<S extends ServiceSubject>(subject: S, request: MessageInitShape<RequestMethod<S>['input']>, options?: RequestOptions): Promise<ResponseMessage<S>>;
  /** Answers the requests of one context. */
  serve<C extends ContextName>(context: C, handlers: RequestHandlers<C>): Promise<Binding>;
  consumeEvents<S extends EventSubject>(consumer: EventConsumer<S>): Promise<Binding>;
  /** Telegram updates, in order per chat, chats in parallel (Decided 3). */
  consumeUpdates(consumer: UpdateConsumer): Promise<Binding>;
  /**
   * This process does `context`'s work without a binding on the bus (the notification context's
   * scheduler). serve/consume say so themselves; the routing's applied records carry it, where the
   * operator looks for a live target that handles the context.
   */
  declareHandling(context: ContextName): void;
  /**
   * Work this process did for `context` outside a bus message (the notification scheduler's
   * hand-offs), counted in the same nova_bus_messages_total and duration series as handled
   * messages, so the operator's analysis compares the two sides' work as it does a served context.
   */
  recordWork(context: ContextName, work: WorkDone): void;
  /** Connected and every binding running. */
  ready(): boolean;
  /** Stops consumers (in-flight handlers finish), then servers, then the connection. */
  close(): Promise<void>;
}
