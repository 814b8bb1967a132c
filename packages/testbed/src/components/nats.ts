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
  /**
   * The address it binds (clients and monitoring), default loopback. The one-node cluster's pods
   * reach the machine only at the host end of the node's link, so test/cluster binds that.
   */
  readonly address?: string;
}

/** nats-server with JetStream, file storage in the stack folder. */
export async function startNats(stack: Stack, options: NatsOptions = {}): Promise<NatsInfo> {
  const binary = findBinary({ name: 'nats-server', install: 'bash scripts/setup.sh (go install github.com/nats-io/nats-server/v2@<pin>)' });
  const port = options.port ?? (await freePort());
  const monitorPort = await freePort();
  const address = options.address ?? '127.0.0.1';
  const monitorUrl = `http://${address}:${monitorPort}`;
  await SupervisedProcess.start(stack, {
    name: 'nats-server',
    command: binary,
    args: ['-a', address, '-p', String(port), '-m', String(monitorPort), '-js', '-sd', stack.path('nats'), '--server_name', 'nova-testbed'],
    // Ready only once JetStream itself is, not just the client port.
    ready: () => httpOk(`${monitorUrl}/healthz?js-enabled-only=true`),
    readyTimeoutMs: 30_000,
  });
  const varz = (await (await fetch(`${monitorUrl}/varz`)).json()) as { version?: string };
  const url = `nats://${address}:${port}`;
  return { url, urls: [url], monitorUrl, version: varz.version ?? 'unknown' };
}
