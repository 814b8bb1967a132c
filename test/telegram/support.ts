/** Shared by the Telegram client tests: an in-memory tracer and a logger that keeps its lines. */
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import type { TelegramLogger } from '@nova/telegram';

export interface MemoryTracing {
  readonly provider: TracerProvider;
  /** Every span ended so far (after the processor's asynchronous export). */
  readonly finishedSpans: () => Promise<ReadableSpan[]>;
}

export function memoryTracing(): MemoryTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return { provider, finishedSpans: async () => { await provider.forceFlush(); return exporter.getFinishedSpans(); } };
}

export function capturingLogger(): TelegramLogger & { lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (fields: Record<string, unknown>, message: string): void => {
    lines.push(JSON.stringify({ level, ...fields, msg: message }));
  };
  return { lines, warn: write('warn'), debug: write('debug') };
}

export async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
