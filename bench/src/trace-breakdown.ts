/**
 * BENCH_TRACES=1: where each message's time went, hop by hop, from the traces every process of a
 * side exported to the test bed's Jaeger (OTLP), joined with the benchmark's own send and reply
 * times. The question (a slow update's trace shows the hops) asked of every message, so the
 * slowest 5 % can be set against the rest.
 *
 * A message's points, all on this machine's one clock:
 *   sent        the benchmark queued the update at the emulator
 *   received    the webhook's HTTP span began (gateway / monolith)
 *   handled     the update's handler began: the bot service's `process telegram.update…` span
 *               (fleet: after the JetStream publish and delivery); the monolith's has no bus hop,
 *               so its handling begins with the request
 *   sending     the reply's `telegram.sendMessage` span began (its Telegram client: pacing, HTTP)
 *   replied     the reply reached the emulator
 * and inside the fleet's handling, the `svc.user.upsert` request (the bot service's client span)
 * with the user service's own `process` span under it.
 *
 * Exporting spans costs CPU in every process, so a run with BENCH_TRACES measures a slower fleet
 * and monolith than one without: its latencies are for this breakdown, not for the ratios.
 */
import { percentile } from './support.js';

interface JaegerSpan {
  readonly operationName: string;
  /** Microseconds since the epoch. */
  readonly startTime: number;
  /** Microseconds. */
  readonly duration: number;
  readonly tags: readonly { readonly key: string; readonly value: unknown }[];
}

interface JaegerTrace {
  readonly spans: readonly JaegerSpan[];
}

/** One measured message: its chat's key (`bot:chat`), which of that chat's messages it was, and its two ends (epoch ms). */
export interface MessageTimes {
  readonly key: string;
  readonly index: number;
  readonly sent: number;
  readonly replied: number;
}

/** The environment that makes a process export its spans to `otlpHttpUrl` under `serviceName`. */
export function tracingEnv(otlpHttpUrl: string | undefined, serviceName: string): Record<string, string> {
  return otlpHttpUrl === undefined ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: otlpHttpUrl, OTEL_SERVICE_NAME: serviceName };
}

const tag = (span: JaegerSpan, key: string): string | undefined => {
  const found = span.tags.find((candidate) => candidate.key === key)?.value;
  return typeof found === 'string' || typeof found === 'number' ? String(found) : undefined;
};
const startMs = (span: JaegerSpan): number => span.startTime / 1000;
const endMs = (span: JaegerSpan): number => (span.startTime + span.duration) / 1000;

/** The named points of one trace, when it holds a webhook request and a reply. */
interface TracePoints {
  readonly key: string;
  readonly received: number;
  readonly publish?: { readonly start: number; readonly end: number };
  readonly handled: number;
  readonly upsert?: { readonly start: number; readonly end: number; readonly served?: number };
  readonly sending: number;
}

function pointsOf(trace: JaegerTrace): TracePoints | undefined {
  const first = (match: (span: JaegerSpan) => boolean): JaegerSpan | undefined =>
    trace.spans.filter(match).sort((a, b) => a.startTime - b.startTime)[0];
  const request = first((span) => span.operationName === 'POST /webhook/');
  const reply = first((span) => span.operationName === 'telegram.sendMessage');
  if (request === undefined || reply === undefined) return undefined;
  const bot = tag(reply, 'telegram.bot.id');
  const chat = tag(reply, 'telegram.chat.id');
  if (bot === undefined || chat === undefined) return undefined;
  const publish = first((span) => span.operationName.startsWith('send telegram.update.'));
  const handler = first((span) => span.operationName.startsWith('process telegram.update.'));
  const upsertCall = first((span) => span.operationName === 'send svc.user.upsert');
  const upsertServed = first((span) => span.operationName === 'process svc.user.upsert');
  return {
    key: `${bot}:${chat}`,
    received: startMs(request),
    publish: publish === undefined ? undefined : { start: startMs(publish), end: endMs(publish) },
    handled: handler === undefined ? startMs(request) : startMs(handler),
    upsert: upsertCall === undefined ? undefined : { start: startMs(upsertCall), end: endMs(upsertCall), served: upsertServed === undefined ? undefined : upsertServed.duration / 1000 },
    sending: startMs(reply),
  };
}

/** Every trace `service` took part in since `sinceMs`, as Jaeger's query API gives them. */
async function tracesOf(queryUrl: string, service: string, sinceMs: number): Promise<JaegerTrace[]> {
  const url = `${queryUrl}/api/traces?service=${encodeURIComponent(service)}&start=${String(Math.floor(sinceMs * 1000))}&end=${String(Math.ceil(Date.now() * 1000))}&limit=100000`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Jaeger answered ${String(response.status)} to the query for ${service}'s traces`);
  return ((await response.json()) as { data: JaegerTrace[] | null }).data ?? [];
}

interface Segments {
  readonly latency: number;
  readonly toWebhook: number;
  readonly toHandler: number;
  readonly publish?: number;
  readonly delivery?: number;
  readonly handling: number;
  readonly upsert?: number;
  readonly upsertServed?: number;
  readonly send: number;
}

/**
 * Pairs each message with its trace (a chat's traces in the order their requests arrived: the
 * chat's messages are handled in order) and prints each segment's p50 and p95 over all messages,
 * and its median over the slowest 5 %. Waits (bounded) for the exporters' last batches.
 */
export async function printTraceBreakdown(queryUrl: string, service: string, sinceMs: number, messages: readonly MessageTimes[]): Promise<void> {
  let traces: TracePoints[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    traces = (await tracesOf(queryUrl, service, sinceMs)).flatMap((trace) => pointsOf(trace) ?? []);
    if (traces.length >= messages.length) break;
    await new Promise((done) => setTimeout(done, 500));
  }
  const byKey = new Map<string, TracePoints[]>();
  for (const points of traces) {
    const list = byKey.get(points.key) ?? [];
    list.push(points);
    byKey.set(points.key, list);
  }
  for (const list of byKey.values()) list.sort((a, b) => a.received - b.received);
  const segments: Segments[] = messages.flatMap((message) => {
    const points = byKey.get(message.key)?.[message.index];
    if (points === undefined) return [];
    return [{
      latency: message.replied - message.sent,
      toWebhook: points.received - message.sent,
      toHandler: points.handled - points.received,
      publish: points.publish === undefined ? undefined : points.publish.end - points.publish.start,
      delivery: points.publish === undefined ? undefined : points.handled - points.publish.start,
      handling: points.sending - points.handled,
      upsert: points.upsert === undefined ? undefined : points.upsert.end - points.upsert.start,
      upsertServed: points.upsert?.served,
      send: message.replied - points.sending,
    }];
  });
  console.log(`  traces (${service}): ${String(segments.length)} of ${String(messages.length)} messages paired with their trace (${String(traces.length)} traces with a webhook request and a reply)`);
  if (segments.length === 0) return;
  const threshold = percentile(segments.map((s) => s.latency), 95);
  const slow = segments.filter((s) => s.latency >= threshold);
  const row = (name: string, pick: (s: Segments) => number | undefined): void => {
    const all = segments.flatMap((s) => pick(s) ?? []);
    if (all.length === 0) return;
    const tail = slow.flatMap((s) => pick(s) ?? []);
    const f = (ms: number): string => ms.toFixed(1).padStart(7);
    console.log(`    ${name.padEnd(46)} all: p50 ${f(percentile(all, 50))}, p95 ${f(percentile(all, 95))} ms | slowest 5 % (${String(slow.length)}): median ${f(percentile(tail, 50))} ms`);
  };
  row('update → reply (the benchmark)', (s) => s.latency);
  row('emulator → webhook request begins', (s) => s.toWebhook);
  row('webhook request → handler begins', (s) => s.toHandler);
  row('  of it: JetStream publish (gateway, to its ack)', (s) => s.publish);
  row('  of it: publish begins → handler begins', (s) => s.delivery);
  row('handler begins → sendMessage begins', (s) => s.handling);
  row('  of it: svc.user.upsert request (bot service)', (s) => s.upsert);
  row('  of that: the user service\'s own handling', (s) => s.upsertServed);
  row('sendMessage begins → reply at the emulator', (s) => s.send);
}
