/** One update's whole trace in Jaeger: webhook request → stream → handler → the Telegram call it caused. */

interface JaegerSpan {
  readonly traceID: string;
  readonly operationName: string;
  readonly processID: string;
}

interface JaegerTrace {
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
  const response = await fetch(`${queryUrl}/api/traces?service=${encodeURIComponent(service)}&limit=200&lookback=1h`).catch(() => undefined);
  if (response === undefined || !response.ok) return undefined;
  const body = (await response.json()) as { data?: JaegerTrace[] };
  for (const trace of body.data ?? []) {
    const services = [...new Set(trace.spans.map((span) => trace.processes[span.processID]?.serviceName ?? '?'))];
    const reachesTelegram = trace.spans.some((span) => span.operationName === 'telegram.sendMessage');
    if (reachesTelegram && services.length >= 2) return { id: trace.traceID, url: `${queryUrl}/api/traces/${trace.traceID}`, spans: trace.spans.length, services };
  }
  return undefined;
}
