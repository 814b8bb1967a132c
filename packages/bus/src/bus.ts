/**
 * NovaBus: the Bus interface over any Transport. Everything that must behave the same on both
 * sides of a migration is here, once: protobuf encoding, msgIDs, trace context and spans,
 * per-message metrics, retry/dead-letter decisions, typed request errors, circuit breakers and
 * the routing seam.
 */
import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import {
  ErrorCode,
  EVENT_SCHEMAS,
  eventMsgId,
  REQUEST_METHODS,
  ServiceErrorSchema,
  serviceSubject,
  telegramMsgId,
  telegramUpdateFilter,
  telegramUpdateSubject,
  TelegramUpdateSchema,
  type ContextName,
  type EventSchema,
  type EventSubject,
  type RequestMethod,
  type ResponseMessage,
  type ServiceSubject,
} from '@nova/contracts';
import { scrubSecrets, type Logger, type Metrics, type Side } from '@nova/platform';
import { CircuitBreakers, CircuitOpenError, currentWaitLedger, timeOwnWork, type CircuitBreakerOptions } from '@nova/resilience';
import { BusMetrics } from './bus-metrics.js';
import { readDeadline } from './deadline.js';
import { BusClosedError, BusConfigError, DecodeError, InternalError, InvalidArgumentError, isCalleeFault, NoRespondersError, RequestTimeoutError, ServiceCallError, serviceCallError, UnprocessableMessageError } from './errors.js';
import { DEADLINE_HEADER, IDEMPOTENCY_KEY_HEADER, MSG_ID_HEADER, NOVA_ERROR_HEADER, OUTSIDE_WAIT_HEADER, ROUTE_HEADER, ROUTING_KEY_HEADER, SIDE_HEADER, type Headers } from './headers.js';
import { checkDurableName, resolveRetry, retryDelay, type ResolvedRetry } from './retry.js';
import { ownSideRouter, type Router } from './routing.js';
import { extractTraceContext, injectTraceContext, inSpan, messagingAttributes, SpanKind, destinationTemplate } from './tracing.js';
import type { InboundMessage, Processor, Reply, Settlement, Transport } from './transport.js';
import type { Binding, Bus, Delivery, EventConsumer, PublishOptions, PublishResult, RequestContext, RequestHandler, RequestHandlers, RequestOptions, UpdateConsumer, WorkDone } from './types.js';

export interface BusOptions<T extends Transport = Transport> {
  readonly transport: T;
  /** The process's registry; its `side` and `namespace` label every bus metric. */
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Default: everything to this process's own side (issue 7 brings the real one). */
  readonly router?: Router;
  /** Default request timeout. 5 s. */
  readonly requestTimeoutMs?: number;
  /** Per-callee breakers; only timeouts, no-responders and internal/unavailable errors count. */
  readonly circuit?: Omit<CircuitBreakerOptions, 'isFailure' | 'onStateChange'>;
  /** Events handled at once by a consumer that does not say. 8. */
  readonly defaultConcurrency?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;

function contextOf(subject: string): ContextName {
  return subject.split('.')[1] as ContextName;
}

function routingKeyText(key: string | bigint | number | undefined): string | undefined {
  return key === undefined ? undefined : key.toString();
}

function errorText(error: unknown): string {
  return scrubSecrets(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}

/** A reply's report of the handler's waits on outside limits (none: no header). */
function waitHeaders(waitedSeconds: number): Headers {
  return waitedSeconds > 0 ? new Map([[OUTSIDE_WAIT_HEADER, (waitedSeconds * 1000).toFixed(1)]]) : new Map<string, string>();
}

export class NovaBus<T extends Transport = Transport> implements Bus {
  readonly side: Side;
  private readonly router: Router;
  private readonly metrics: BusMetrics;
  private readonly breakers: CircuitBreakers;
  private readonly consumers: Binding[] = [];
  private readonly servers: Binding[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly options: BusOptions<T>) {
    this.side = options.metrics.side;
    this.router = options.router ?? ownSideRouter(this.side);
    this.metrics = new BusMetrics(options.metrics);
    this.breakers = new CircuitBreakers({
      ...options.circuit,
      isFailure: isCalleeFault,
      onStateChange: (state, circuit) => {
        this.metrics.circuit(circuit, state);
        options.logger.warn({ circuit, state }, `circuit ${circuit} is ${state}`);
      },
    });
  }

  get transport(): T {
    return this.options.transport;
  }

  async publishEvent<S extends EventSubject>(subject: S, event: MessageInitShape<EventSchema<S>>, options: PublishOptions): Promise<PublishResult> {
    const schema = EVENT_SCHEMAS[subject] as DescMessage;
    const data = toBinary(schema, create(schema, event as MessageInitShape<DescMessage>));
    return this.publish('NOVA', contextOf(subject), subject, data, eventMsgId(subject, options.key), routingKeyText(options.routingKey));
  }

  async publishUpdate(init: MessageInitShape<typeof TelegramUpdateSchema>): Promise<PublishResult> {
    const update = create(TelegramUpdateSchema, init);
    const subject = telegramUpdateSubject(update.botId, update.chatId);
    const data = toBinary(TelegramUpdateSchema, update);
    return this.publish('TELEGRAM', 'telegram', subject, data, telegramMsgId(update.botId, update.updateId), update.chatId.toString());
  }

  private async publish(stream: 'NOVA' | 'TELEGRAM', scope: string, subject: string, data: Uint8Array, msgId: string, routingKey: string | undefined): Promise<PublishResult> {
    this.assertOpen('publish');
    const side = this.router.route(scope, routingKey);
    const address = this.router.address(subject, side);
    const headers: Headers = new Map([[SIDE_HEADER, side]]);
    if (routingKey !== undefined) headers.set(ROUTING_KEY_HEADER, routingKey);
    // An event's consumers live in several contexts: each context's side is decided now, once.
    const eventRoute = stream === 'NOVA' ? this.router.eventRoute(routingKey) : undefined;
    if (eventRoute !== undefined) headers.set(ROUTE_HEADER, eventRoute);
    const attributes = messagingAttributes('send', address, { 'messaging.message.id': msgId, 'messaging.message.body.size': data.byteLength, 'nova.side': side });
    return inSpan(`send ${destinationTemplate(address)}`, SpanKind.PRODUCER, attributes, extractTraceContext(new Map()), async () => {
      injectTraceContext(headers);
      return this.options.transport.publish(stream, address, data, headers, msgId);
    });
  }

  async request<S extends ServiceSubject>(subject: S, request: MessageInitShape<RequestMethod<S>['input']>, options: RequestOptions = {}): Promise<ResponseMessage<S>> {
    this.assertOpen('request');
    const method = REQUEST_METHODS[subject];
    const input = method.input as DescMessage;
    const data = toBinary(input, create(input, request as MessageInitShape<DescMessage>));
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const routingKey = routingKeyText(options.routingKey);
    const context = contextOf(subject);
    const side = this.router.route(context, routingKey);
    const address = this.router.address(subject, side);
    // One breaker per side's callee (svc.user, svc.legacy.user): a failing target must not cut
    // off the chats the monolith still serves well (a canary's whole point).
    const callee = address.slice(0, address.lastIndexOf('.'));
    const breaker = this.breakers.for(callee);
    this.metrics.circuit(callee, breaker.state);
    this.metrics.requesting(context, side);
    const attributes = { ...messagingAttributes('send', address), 'rpc.system': 'nats', 'rpc.method': subject, 'nova.side': side };
    return inSpan(`send ${address}`, SpanKind.CLIENT, attributes, extractTraceContext(new Map()), () => this.countUnanswered(context, side,
      breaker.run(async () => {
        const headers: Headers = new Map([[DEADLINE_HEADER, String(Date.now() + timeoutMs)], [SIDE_HEADER, side]]);
        if (routingKey !== undefined) headers.set(ROUTING_KEY_HEADER, routingKey);
        injectTraceContext(headers);
        const reply = await this.options.transport.request(address, data, headers, timeoutMs);
        // The callee's waits on Telegram's limits are the caller's too (outside-waits.ts).
        currentWaitLedger()?.add(Number(reply.headers.get(OUTSIDE_WAIT_HEADER) ?? 0));
        const code = reply.headers.get(NOVA_ERROR_HEADER);
        if (code !== undefined) {
          const error = decode(ServiceErrorSchema, reply.data, address);
          throw serviceCallError(error.code, error.message, error.details, error.service);
        }
        return decode(method.output as DescMessage, reply.data, address) as ResponseMessage<S>;
      }),
    ));
  }

  /** Counts a request that got no answer against the side it was addressed to (the analysis of a bus migration reads it). */
  private async countUnanswered<R>(context: ContextName, side: Side, attempt: Promise<R>): Promise<R> {
    try {
      return await attempt;
    } catch (error) {
      const reason = error instanceof RequestTimeoutError ? 'timeout' : error instanceof NoRespondersError ? 'no_responders' : error instanceof CircuitOpenError ? 'circuit_open' : undefined;
      if (reason !== undefined) this.metrics.unansweredRequest(context, side, reason);
      throw error;
    }
  }

  async serve<C extends ContextName>(context: C, handlers: RequestHandlers<C>): Promise<Binding> {
    this.assertOpen('serve');
    const table = new Map<string, RequestHandler<ServiceSubject>>();
    for (const [subject, handler] of Object.entries(handlers) as [ServiceSubject, RequestHandler<ServiceSubject> | undefined][]) {
      if (handler === undefined) continue;
      if (contextOf(subject) !== context) throw new BusConfigError(`context ${context} cannot serve ${subject}`);
      serviceSubject(context, subject.split('.')[2] as never);
      table.set(this.router.bindingSubject(subject, this.side), handler);
    }
    if (table.size === 0) throw new BusConfigError(`context ${context}: no request handlers given`);
    const binding = await this.options.transport.serve(`svc-${context}`, [...table.keys()], `svc.${context}`, (subject, data, headers) =>
      this.respond(context, subject, table, data, headers),
    );
    this.router.handling?.(context);
    return this.track(this.servers, binding);
  }

  /** Keeps `binding` for close(); its stop runs once, whoever calls it first. */
  private track(list: Binding[], binding: Binding): Binding {
    let stopped: Promise<void> | undefined;
    const tracked: Binding = {
      name: binding.name,
      stop: () => {
        stopped ??= binding.stop().finally(() => {
          const index = list.indexOf(tracked);
          if (index !== -1) list.splice(index, 1);
        });
        return stopped;
      },
    };
    list.push(tracked);
    return tracked;
  }

  private async respond(context: ContextName, address: string, table: ReadonlyMap<string, RequestHandler<ServiceSubject>>, data: Uint8Array, headers: Headers): Promise<Reply> {
    const handler = table.get(address);
    const subject = this.router.subjectOf(address) as ServiceSubject;
    const attributes = { ...messagingAttributes('process', address), 'rpc.system': 'nats', 'rpc.method': subject, 'nova.side': this.side };
    let outcomeOk = true;
    let timed: { ownSeconds: number; waitedSeconds: number } = { ownSeconds: 0, waitedSeconds: 0 };
    try {
      return await inSpan(`process ${address}`, SpanKind.SERVER, attributes, extractTraceContext(headers), async (span) => {
        try {
          if (handler === undefined) throw new InvalidArgumentError(`no method ${address}`);
          const method = REQUEST_METHODS[subject];
          const request = decode(method.input as DescMessage, data, address);
          const requestContext: RequestContext = { subject, routingKey: headers.get(ROUTING_KEY_HEADER), deadline: readDeadline(headers.get(DEADLINE_HEADER), Date.now()) };
          const handled = await timeOwnWork(() => handler(request as never, requestContext), { failed: (ownSeconds, waitedSeconds) => { timed = { ownSeconds, waitedSeconds }; } });
          timed = handled;
          const output = method.output as DescMessage;
          return { data: toBinary(output, create(output, handled.value as MessageInitShape<DescMessage>)), headers: waitHeaders(handled.waitedSeconds) };
        } catch (error) {
          const failure = error instanceof ServiceCallError ? error
            : error instanceof DecodeError ? new InvalidArgumentError(error.message)
              : new InternalError(`internal error in ${address}: ${errorText(error)}`);
          if (isCalleeFault(failure)) {
            outcomeOk = false;
            this.options.logger.error({ err: error, subject: address }, 'request handler failed');
            span.setAttribute('error.type', failure.name);
          }
          span.setAttribute('nova.error_code', ErrorCode[failure.code]);
          const body = create(ServiceErrorSchema, { code: failure.code, message: scrubSecrets(failure.message), details: { ...failure.details }, service: failure.service || context });
          return { data: toBinary(ServiceErrorSchema, body), headers: new Map([...waitHeaders(timed.waitedSeconds), [NOVA_ERROR_HEADER, `ERROR_CODE_${ErrorCode[failure.code]}`]]) };
        }
      });
    } finally {
      this.metrics.handled(context, outcomeOk, timed.ownSeconds, 1, timed.waitedSeconds);
    }
  }

  async consumeEvents<S extends EventSubject>(consumer: EventConsumer<S>): Promise<Binding> {
    this.assertOpen('consume');
    checkDurableName(consumer.name);
    if (consumer.subjects.length === 0) throw new BusConfigError(`consumer ${consumer.name}: no subjects`);
    for (const subject of consumer.subjects) {
      if (!(subject in EVENT_SCHEMAS)) throw new BusConfigError(`consumer ${consumer.name}: ${subject} is not an event subject`);
    }
    const retry = resolveRetry(consumer, consumer.name);
    const concurrency = consumer.concurrency ?? this.options.defaultConcurrency ?? 8;
    const process = this.processor(consumer.name, consumer.context, retry, { routedByHeader: true }, (message) => {
      const subject = message.subject as S;
      const schema = EVENT_SCHEMAS[subject] as DescMessage | undefined;
      if (schema === undefined) throw new DecodeError(message.subject, 'an event', new Error('not a subject this consumer handles'));
      return { decoded: decode(schema, message.data, message.subject), subject };
    }, async ({ decoded }, delivery) => { await consumer.handle(decoded as never, delivery as never); });
    const binding = await this.bind({ name: consumer.name, stream: 'NOVA', filters: consumer.subjects.map((s) => this.router.bindingSubject(s, this.side)), ordered: false, concurrency, maxDeliver: retry.maxDeliver, ackWaitMs: retry.ackWaitMs }, process);
    this.router.handling?.(consumer.context);
    return binding;
  }

  declareHandling(context: ContextName): void {
    this.router.handling?.(context);
  }

  recordWork(context: ContextName, work: WorkDone): void {
    if (work.items > 0) this.metrics.handled(context, work.ok, work.seconds, work.items, work.waitedSeconds ?? 0);
  }

  async consumeUpdates(consumer: UpdateConsumer): Promise<Binding> {
    this.assertOpen('consume');
    checkDurableName(consumer.name);
    const retry = resolveRetry(consumer, consumer.name);
    const filters = consumer.botIds === undefined ? [telegramUpdateFilter()] : consumer.botIds.map((id) => telegramUpdateFilter(id));
    if (filters.length === 0) throw new BusConfigError(`consumer ${consumer.name}: botIds is empty`);
    const process = this.processor(consumer.name, consumer.context, retry, { routedByHeader: false },
      (message) => ({ decoded: decode(TelegramUpdateSchema, message.data, message.subject), subject: message.subject }),
      async ({ decoded }, delivery) => { await consumer.handle(decoded, delivery); });
    const binding = await this.bind({ name: consumer.name, stream: 'TELEGRAM', filters: filters.map((f) => this.router.bindingSubject(f, this.side)), ordered: true, concurrency: 1, maxDeliver: retry.maxDeliver, ackWaitMs: retry.ackWaitMs }, process);
    this.router.handling?.(consumer.context);
    return binding;
  }

  private async bind(binding: Parameters<Transport['consume']>[0], process: Processor): Promise<Binding> {
    return this.track(this.consumers, await this.options.transport.consume(binding, process));
  }

  /**
   * Runs one delivery through decode → span → handler and decides its fate: ack; retry after
   * the backoff; or dead-letter once `maxDeliver` attempts failed, or at once when the body
   * can never decode or the handler says no redelivery can help (UnprocessableMessageError).
   */
  private processor<T>(name: string, context: ContextName, retry: ResolvedRetry, routing: { readonly routedByHeader: boolean }, decodeMessage: (message: InboundMessage) => T, handle: (decoded: T, delivery: Delivery) => Promise<void>): Processor {
    const { logger } = this.options;
    return async (arrived): Promise<Settlement> => {
      // Handlers see the contract subject, whichever side's subject the message was addressed to.
      const message: InboundMessage = { ...arrived, subject: this.router.subjectOf(arrived.subject) };
      if (routing.routedByHeader && !this.router.accepts(context, message.headers.get(ROUTE_HEADER), message.headers.get(ROUTING_KEY_HEADER), this.side)) {
        // The other side's consumer of this context handles it.
        return { kind: 'ack' };
      }
      const msgId = message.headers.get(MSG_ID_HEADER) ?? '';
      const delivery: Delivery = {
        subject: message.subject,
        idempotencyKey: message.headers.get(IDEMPOTENCY_KEY_HEADER) ?? msgId,
        deliveryCount: message.deliveryCount,
        redelivered: message.deliveryCount > 1,
        routingKey: message.headers.get(ROUTING_KEY_HEADER),
        sequence: message.sequence,
        partition: message.partition,
      };
      const where = { consumer: name, subject: arrived.subject, sequence: message.sequence, deliveryCount: message.deliveryCount, idempotencyKey: delivery.idempotencyKey };
      if (message.deliveryCount > retry.maxDeliver) {
        // Only reached when earlier attempts never finished (a crash, an expired ack wait).
        this.metrics.deadLettered(context);
        const error = `delivered ${String(message.deliveryCount - 1)} times without the handler finishing`;
        logger.error(where, `dead-lettering: ${error}`);
        return { kind: 'dead', error };
      }
      const attributes = messagingAttributes('process', arrived.subject, {
        'messaging.message.id': delivery.idempotencyKey,
        'messaging.consumer.group.name': name,
        'messaging.message.body.size': message.data.byteLength,
        'messaging.nats.delivery_count': message.deliveryCount,
        'nova.side': this.side,
      });
      let failedAfter = { ownSeconds: 0, waitedSeconds: 0 };
      try {
        const { ownSeconds, waitedSeconds } = await timeOwnWork(() => inSpan(`process ${destinationTemplate(arrived.subject)}`, SpanKind.CONSUMER, attributes, extractTraceContext(message.headers), async () => {
          await handle(decodeMessage(message), delivery);
        }), { failed: (own, waited) => { failedAfter = { ownSeconds: own, waitedSeconds: waited }; } });
        this.metrics.handled(context, true, ownSeconds, 1, waitedSeconds);
        return { kind: 'ack' };
      } catch (error) {
        this.metrics.handled(context, false, failedAfter.ownSeconds, 1, failedAfter.waitedSeconds);
        const reason = errorText(error);
        if (error instanceof DecodeError || error instanceof UnprocessableMessageError || message.deliveryCount >= retry.maxDeliver) {
          this.metrics.deadLettered(context);
          logger.error({ ...where, err: error }, 'handler failed for the last time; dead-lettering');
          return { kind: 'dead', error: reason };
        }
        const delayMs = retryDelay(retry.backoffMs, message.deliveryCount);
        logger.warn({ ...where, err: error, retryInMs: delayMs }, 'handler failed; will retry');
        return { kind: 'retry', delayMs };
      }
    };
  }

  ready(): boolean {
    return this.closing === undefined && this.options.transport.ready();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.consumers].map((binding) => binding.stop()));
      await Promise.all([...this.servers].map((binding) => binding.stop()));
      await this.options.transport.close();
    })();
    return this.closing;
  }

  private assertOpen(operation: string): void {
    if (this.closing !== undefined) throw new BusClosedError(operation);
  }
}

function decode<D extends DescMessage>(schema: D, data: Uint8Array, subject: string): ReturnType<typeof fromBinary<D>> {
  try {
    return fromBinary(schema, data);
  } catch (error) {
    throw new DecodeError(subject, schema.typeName, error);
  }
}
