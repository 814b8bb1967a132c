/**
 * W3C trace context in message headers and spans named and attributed after the OpenTelemetry
 * messaging semantic conventions (`send`/`process` operations, messaging.* attributes), so one
 * trace runs from the publisher through every consumer and service it reaches.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import type { Headers } from './headers.js';

const tracer = trace.getTracer('@nova/bus');

const setter = { set: (carrier: Headers, key: string, value: string): void => { carrier.set(key, value); } };
const getter = {
  get: (carrier: Headers, key: string): string | undefined => carrier.get(key) ?? carrier.get(key.toLowerCase()),
  keys: (carrier: Headers): string[] => [...carrier.keys()],
};

/** Writes the active (or given) context's traceparent/tracestate into `headers`. */
export function injectTraceContext(headers: Headers, from: Context = context.active()): void {
  propagation.inject(from, headers, setter);
}

export function extractTraceContext(headers: Headers): Context {
  return propagation.extract(context.active(), headers, getter);
}

/** A low-cardinality name for a subject: numeric tokens (bot, chat ids) become `{id}`. */
export function destinationTemplate(subject: string): string {
  return subject.split('.').map((token) => (/^-?\d+$/.test(token) ? '{id}' : token)).join('.');
}

export type Operation = 'send' | 'process';

export function messagingAttributes(operation: Operation, subject: string, extra: Attributes = {}): Attributes {
  return {
    'messaging.system': 'nats',
    'messaging.operation.type': operation,
    'messaging.operation.name': operation === 'send' ? 'publish' : 'process',
    'messaging.destination.name': subject,
    'messaging.destination.template': destinationTemplate(subject),
    ...extra,
  };
}

/** Runs `work` inside a span that ends with it, recording a thrown error. */
export async function inSpan<T>(name: string, kind: SpanKind, attributes: Attributes, parent: Context, work: (span: Span) => Promise<T>): Promise<T> {
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    span.setAttribute('error.type', error instanceof Error ? error.name : 'Error');
    throw error;
  } finally {
    span.end();
  }
}

export { SpanKind };
