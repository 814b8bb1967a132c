/**
 * OpenTelemetry for one process: the Node SDK with the OTLP/HTTP trace exporter, started
 * before the app and flushed at shutdown. With OTEL_EXPORTER_OTLP_ENDPOINT unset nothing is
 * exported, but the W3C propagator and the async context manager are still installed, so an
 * incoming `traceparent` is passed on to what this process publishes (the trace is not cut
 * by a process that does not export).
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';

export interface TelemetryOptions {
  readonly serviceName: string;
  /** OTLP/HTTP base URL (e.g. http://127.0.0.1:4318); undefined turns export off. */
  readonly endpoint: string | undefined;
}

export interface Telemetry {
  readonly exporting: boolean;
  /** Exports what is buffered and stops; safe to call twice. */
  shutdown(): Promise<void>;
}

export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (options.endpoint === undefined) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
    return {
      exporting: false,
      shutdown: () => {
        context.disable();
        propagation.disable();
        return Promise.resolve();
      },
    };
  }
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` });
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    // A short delay keeps spans of a short-lived process (and a test's wait) small; the batch
    // processor still groups spans under load.
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 500 })],
    instrumentations: [],
  });
  sdk.start();
  let stopped: Promise<void> | undefined;
  return {
    exporting: true,
    shutdown: () => {
      stopped ??= sdk.shutdown().finally(() => {
        trace.disable();
        context.disable();
        propagation.disable();
      });
      return stopped;
    },
  };
}
