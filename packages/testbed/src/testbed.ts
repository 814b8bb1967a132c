import { startJaeger } from './components/jaeger.js';
import { startKube } from './components/kube.js';
import { startNats } from './components/nats.js';
import { startNatsCluster } from './components/nats-cluster.js';
import { nginxInfo } from './components/nginx.js';
import { startPostgres } from './components/postgres.js';
import { startPrometheus } from './components/prometheus.js';
import { ALL_COMPONENTS, type ComponentName, type TestbedInfo } from './info.js';
import { defaultCrdDirs } from './paths.js';
import { Stack } from './stack.js';

export interface TestbedOptions {
  readonly components?: readonly ComponentName[];
  /** Keep the stack folder (logs, data) after stop, for post-mortems. */
  readonly keep?: boolean;
  readonly crdDirs?: readonly string[];
  /**
   * nats-server processes: 1 (the default, the suite's time) or a cluster of that many
   * (NOVA_TESTBED_NATS_NODES=3 under jest), whose `urls` are every node's.
   */
  readonly natsNodes?: number;
}

export interface Testbed {
  readonly info: TestbedInfo;
  readonly stack: Stack;
  stop(): Promise<void>;
  /**
   * Until this is called, SIGINT/SIGTERM stop the stack and exit (130). A program with an orderly
   * stop of its own (the demo stops its fleet, then the stack) installs its handlers, then calls it.
   */
  releaseSignals(): void;
}

/**
 * Starts the chosen real components side by side on random loopback ports in one throwaway
 * folder. If any fails to start, the ones already running are stopped before the error is thrown.
 */
export async function startTestbed(options: TestbedOptions = {}): Promise<Testbed> {
  const wanted = new Set(options.components ?? ALL_COMPONENTS);
  const stack = Stack.create({ keep: options.keep ?? false });
  const stopOnSignal = (): void => { void stack.stop().finally(() => process.exit(130)); };
  process.on('SIGINT', stopOnSignal);
  process.on('SIGTERM', stopOnSignal);
  const releaseSignals = (): void => {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
  };
  const stop = async (): Promise<void> => {
    releaseSignals();
    await stack.stop();
  };
  const crdDirs = options.crdDirs ?? defaultCrdDirs();
  try {
    const [kube, nats, postgres, prometheus, nginx, jaeger] = await Promise.all([
      wanted.has('kube') ? startKube(stack, { crdDirs }) : undefined,
      wanted.has('nats') ? ((options.natsNodes ?? 1) > 1 ? startNatsCluster(stack, { nodes: options.natsNodes }).then((cluster) => cluster.info) : startNats(stack)) : undefined,
      wanted.has('postgres') ? startPostgres(stack) : undefined,
      wanted.has('prometheus') ? startPrometheus(stack) : undefined,
      wanted.has('nginx') ? nginxInfo() : undefined,
      wanted.has('jaeger') ? startJaeger(stack) : undefined,
    ]);
    const info: TestbedInfo = { stackDir: stack.dir, kube, nats, postgres, prometheus, nginx, jaeger };
    return { info, stack, stop, releaseSignals };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One line per component: what runs where, at which version. */
export function describeTestbed(info: TestbedInfo): string {
  const lines = [`test bed in ${info.stackDir}`];
  if (info.kube) lines.push(`  kube-apiserver ${info.kube.version} at ${info.kube.server} (etcd ${info.kube.etcdVersion})`);
  if (info.nats) lines.push(`  nats-server ${info.nats.version} at ${info.nats.urls.join(', ')} (JetStream${info.nats.urls.length > 1 ? `, a cluster of ${String(info.nats.urls.length)}` : ''})`);
  if (info.postgres) lines.push(`  PostgreSQL ${info.postgres.version} at ${info.postgres.host}:${info.postgres.port}`);
  if (info.prometheus) lines.push(`  Prometheus ${info.prometheus.version} at ${info.prometheus.url}`);
  if (info.nginx) lines.push(`  nginx ${info.nginx.version} (${info.nginx.binary})`);
  if (info.jaeger) lines.push(`  Jaeger ${info.jaeger.version}: OTLP ${info.jaeger.otlpHttpUrl}, query ${info.jaeger.queryUrl}`);
  return lines.join('\n');
}
