import { findBinary } from '../binaries.js';
import type { NatsInfo } from '../info.js';
import { freePort } from '../ports.js';
import { SupervisedProcess } from '../process.js';
import type { Stack } from '../stack.js';
import { httpOk } from '../wait.js';

export interface NatsOptions {
  /**
   * The client port, when the test chose it before (a process started against it while nothing
   * listened there yet: test/platform/start-without-nats.test.ts); default a free one.
   */
  readonly port?: number;
}

/** nats-server with JetStream, file storage in the stack folder. */
export async function startNats(stack: Stack, options: NatsOptions = {}): Promise<NatsInfo> {
  const binary = findBinary({ name: 'nats-server', install: 'bash scripts/setup.sh (go install github.com/nats-io/nats-server/v2@<pin>)' });
  const port = options.port ?? (await freePort());
  const monitorPort = await freePort();
  const monitorUrl = `http://127.0.0.1:${monitorPort}`;
  await SupervisedProcess.start(stack, {
    name: 'nats-server',
    command: binary,
    args: ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), '-js', '-sd', stack.path('nats'), '--server_name', 'nova-testbed'],
    // Ready only once JetStream itself is, not just the client port.
    ready: () => httpOk(`${monitorUrl}/healthz?js-enabled-only=true`),
    readyTimeoutMs: 30_000,
  });
  const varz = (await (await fetch(`${monitorUrl}/varz`)).json()) as { version?: string };
  const url = `nats://127.0.0.1:${port}`;
  return { url, urls: [url], monitorUrl, version: varz.version ?? 'unknown' };
}
