/**
 * The plain nginx the one-machine fleet uses as its ingress (the `nginx` provider's data plane):
 * whatever no migration owns goes to the monolith; the operator writes one include pair per
 * migration into `confDir` and reloads. nginx answers its own health path, so it can start
 * before the fleet behind it.
 */
import { component, freePort, httpOk, SupervisedProcess, type Stack } from '@nova/testbed';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Ingress {
  /** http://127.0.0.1:<port>: NOVA_PUBLIC_URL of the fleet. */
  readonly url: string;
  readonly process: SupervisedProcess;
  /** The operator's NOVA_NGINX_* for this nginx. */
  readonly operatorEnv: Readonly<Record<string, string>>;
}

export async function startIngress(stack: Stack, monolithAddress: string): Promise<Ingress> {
  const { binary } = component('nginx');
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
    `  client_body_temp_path ${stack.path('ingress', 'tmp')};`,
    `  proxy_temp_path ${stack.path('ingress', 'tmp')};`,
    `  include ${confDir}/*.upstream.conf;`,
    '  server {',
    `    listen 127.0.0.1:${String(port)};`,
    '    location = /ingress-health { return 200 "ok"; }',
    `    include ${confDir}/*.location.conf;`,
    `    location / { proxy_pass http://${monolithAddress}; }`,
    '  }',
    '}',
    '',
  ].join('\n'));
  const url = `http://127.0.0.1:${String(port)}`;
  const process = await SupervisedProcess.start(stack, {
    name: 'ingress-nginx',
    command: binary,
    args: ['-p', prefix, '-c', configFile],
    ready: () => httpOk(`${url}/ingress-health`),
    stopSignal: 'SIGQUIT',
  });
  return {
    url,
    process,
    operatorEnv: { NOVA_NGINX_BINARY: binary, NOVA_NGINX_CONFIG: configFile, NOVA_NGINX_CONF_DIR: confDir, NOVA_NGINX_PREFIX: prefix, NOVA_NGINX_PID_FILE: pidFile },
  };
}
