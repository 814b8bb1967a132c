/**
 * Traces in Jaeger the demo's report links to: one update's whole trace (webhook request → stream →
 * handler → the Telegram call it caused), and for each stage of the whole plan one that went
 * through the stage's new side while the stage moved.
 */

interface JaegerSpan {
  readonly traceID: string;
  readonly operationName: string;
  readonly processID: string;
}

/** A Jaeger that does not answer costs the report its links, never the run its end. */
const JAEGER_TIMEOUT_MS = 10_000;

export interface JaegerTrace {
  readonly traceID: string;
  readonly spans: readonly JaegerSpan[];
  readonly processes: Readonly<Record<string, { readonly serviceName: string }>>;
}

export interface FoundTrace {
  readonly id: string;
  readonly url: string;
  readonly spans: number;
  readonly services: readonly string[];
}

/** A trace that starts at `service` and reaches a Telegram sendMessage, across at least two processes. */
export async function findUpdateTrace(queryUrl: string, service: string): Promise<FoundTrace | undefined> {
  const response = await fetch(`${queryUrl}/api/traces?service=${encodeURIComponent(service)}&limit=200&lookback=1h`, { signal: AbortSignal.timeout(JAEGER_TIMEOUT_MS) }).catch(() => undefined);
  if (response === undefined || !response.ok) return undefined;
  const body = (await response.json().catch(() => ({}))) as { data?: JaegerTrace[] };
  for (const trace of body.data ?? []) {
    const services = [...new Set(trace.spans.map((span) => trace.processes[span.processID]?.serviceName ?? '?'))];
    const reachesTelegram = trace.spans.some((span) => span.operationName === 'telegram.sendMessage');
    if (reachesTelegram && services.length >= 2) return { id: trace.traceID, url: `${queryUrl}/api/traces/${trace.traceID}`, spans: trace.spans.length, services };
  }
  return undefined;
}

/** The window a stage moved in (epoch ms), widened by a second each side for the clocks of the processes. */
export interface TraceWindow {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * A trace that `service` (a deployable's OTEL_SERVICE_NAME) took part in within `window`: of those
 * Jaeger returns, the one across the most services (a request from a user through the new side and
 * on), so the link shows the stage's own traffic. Undefined when Jaeger answers none (a stage that
 * never started, or a Jaeger that is not up): the report says so, the run goes on.
 */
export async function findStageTrace(queryUrl: string, service: string, window: TraceWindow): Promise<FoundTrace | undefined> {
  const query = new URLSearchParams({
    service, limit: '50',
    start: String(Math.floor(window.startMs - 1000) * 1000), end: String(Math.ceil(window.endMs + 1000) * 1000),
  });
  const response = await fetch(`${queryUrl}/api/traces?${query.toString()}`, { signal: AbortSignal.timeout(JAEGER_TIMEOUT_MS) }).catch(() => undefined);
  if (response === undefined || !response.ok) return undefined;
  const body = (await response.json().catch(() => ({}))) as { data?: JaegerTrace[] };
  return widest(body.data ?? [], queryUrl);
}

/** The trace across the most services (then the most spans); exported for its unit test. */
export function widest(traces: readonly JaegerTrace[], queryUrl: string): FoundTrace | undefined {
  let best: FoundTrace | undefined;
  for (const trace of traces) {
    const services = [...new Set(trace.spans.map((span) => trace.processes[span.processID]?.serviceName ?? '?'))];
    const better = best === undefined || services.length > best.services.length || (services.length === best.services.length && trace.spans.length > best.spans);
    if (better) best = { id: trace.traceID, url: `${queryUrl}/api/traces/${trace.traceID}`, spans: trace.spans.length, services };
  }
  return best;
}
