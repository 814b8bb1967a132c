/**
 * The plain nginx the one-machine fleet uses as its ingress (the `nginx` traffic provider's data
 * plane): whatever no migration owns goes to `defaultUpstream` (the monolith); the operator writes
 * one include pair per migration into `confDir` and reloads it. nginx answers its own health path,
 * so it can start before the fleet behind it. Used by the demo and by tests.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../ports.js';
import { SupervisedProcess } from '../process.js';
import type { Stack } from '../stack.js';
import { httpOk } from '../wait.js';

export const INGRESS_HEALTH_PATH = '/_ingress/healthz';

export interface IngressPaths {
  readonly binary: string;
  readonly configFile: string;
  readonly prefix: string;
  /** Where the operator's `nova-*.conf` include files go. */
  readonly confDir: string;
  readonly pidFile: string;
}

export interface Ingress {
  /** http://127.0.0.1:<port>: the fleet's public URL (NOVA_PUBLIC_URL). */
  readonly url: string;
  readonly port: number;
  readonly process: SupervisedProcess;
  readonly paths: IngressPaths;
  /** The operator's NOVA_NGINX_* for this nginx. */
  readonly operatorEnv: Readonly<Record<string, string>>;
}

/** Starts the ingress in `stack`; `defaultUpstream` is host:port. */
export async function startIngress(stack: Stack, binary: string, defaultUpstream: string): Promise<Ingress> {
  const prefix = stack.path('ingress');
  const confDir = stack.path('ingress', 'nova');
  const configFile = join(prefix, 'nginx.conf');
  const pidFile = join(prefix, 'nginx.pid');
  const port = await freePort();
  writeFileSync(configFile, [
    'daemon off;',
    'worker_processes 2;',
    `pid ${pidFile};`,
    `error_log ${join(prefix, 'error.log')} warn;`,
    'events { worker_connections 512; }',
    'http {',
    '  access_log off;',
    '  client_max_body_size 1m;',
    `  client_body_temp_path ${stack.path('ingress', 'tmp')};`,
    `  proxy_temp_path ${stack.path('ingress', 'tmp')};`,
    `  include ${confDir}/*.upstream.conf;`,
    '  server {',
    `    listen 127.0.0.1:${String(port)};`,
    `    location = ${INGRESS_HEALTH_PATH} { return 200 'ok'; }`,
    `    include ${confDir}/*.location.conf;`,
    `    location / { proxy_pass http://${defaultUpstream}; }`,
    '  }',
    '}',
    '',
  ].join('\n'));
  const url = `http://127.0.0.1:${String(port)}`;
  const process = await SupervisedProcess.start(stack, {
    name: 'ingress-nginx',
    command: binary,
    args: ['-p', prefix, '-c', configFile],
    ready: () => httpOk(`${url}${INGRESS_HEALTH_PATH}`),
    readyTimeoutMs: 20_000,
    // SIGQUIT is nginx's graceful shutdown.
    stopSignal: 'SIGQUIT',
  });
  const paths: IngressPaths = { binary, configFile, prefix, confDir, pidFile };
  return {
    url,
    port,
    process,
    paths,
    operatorEnv: { NOVA_NGINX_BINARY: binary, NOVA_NGINX_CONFIG: configFile, NOVA_NGINX_CONF_DIR: confDir, NOVA_NGINX_PREFIX: prefix, NOVA_NGINX_PID_FILE: pidFile },
  };
}
