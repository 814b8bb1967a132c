import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { findBinary } from '../binaries.js';
import type { JaegerInfo } from '../info.js';
import { pinnedToolVersion } from '../paths.js';
import { freePort } from '../ports.js';
import { SupervisedProcess } from '../process.js';
import type { Stack } from '../stack.js';
import { httpOk } from '../wait.js';


/** Jaeger v2 with in-memory storage: OTLP/HTTP in, query API out, every port random. */
export async function startJaeger(stack: Stack): Promise<JaegerInfo> {
  const version = pinnedToolVersion('jaeger', 'github.com/jaegertracing/jaeger');
  const binary = findBinary({ name: `jaeger-${version}`, install: 'bash scripts/setup.sh (builds tools/jaeger, ~4 min once)' });
  const [otlpPort, queryPort, queryGrpcPort, healthPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const configFile = join(stack.path('jaeger'), 'config.yaml');
  writeFileSync(configFile, stringify({
    service: {
      extensions: ['jaeger_storage', 'jaeger_query', 'healthcheckv2'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] } },
      // Jaeger's own metrics would bind the fixed port 8888.
      telemetry: { metrics: { level: 'none' }, logs: { level: 'warn' } },
    },
    extensions: {
      healthcheckv2: { use_v2: true, http: { endpoint: `127.0.0.1:${healthPort}` } },
      jaeger_query: {
        storage: { traces: 'memory' },
        http: { endpoint: `127.0.0.1:${queryPort}` },
        grpc: { endpoint: `127.0.0.1:${queryGrpcPort}` },
      },
      jaeger_storage: { backends: { memory: { memory: { max_traces: 100_000 } } } },
    },
    receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlpPort}` } } } },
    // A short batch timeout keeps a test's wait for its trace short.
    processors: { batch: { timeout: '200ms' } },
    exporters: { jaeger_storage_exporter: { trace_storage: 'memory' } },
  }));
  const queryUrl = `http://127.0.0.1:${queryPort}`;
  await SupervisedProcess.start(stack, {
    name: 'jaeger',
    command: binary,
    args: ['--config', `file:${configFile}`],
    ready: async () => (await httpOk(`http://127.0.0.1:${healthPort}/status`)) && (await httpOk(`${queryUrl}/api/services`)),
    readyTimeoutMs: 60_000,
    // Its graceful shutdown drains for seconds; the data is throwaway, so do not wait long.
    stopTimeoutMs: 2_000,
  });
  return { otlpHttpUrl: `http://127.0.0.1:${otlpPort}`, queryUrl, version };
}
