import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findBinary } from '../binaries.js';
import { ComponentStartError } from '../errors.js';
import type { NginxInfo } from '../info.js';
import { freePort } from '../ports.js';
import { SupervisedProcess } from '../process.js';
import type { Stack } from '../stack.js';
import { httpOk } from '../wait.js';

const run = promisify(execFile);

function nginxBinary(): string {
  return findBinary({ name: 'nginx', candidates: ['/usr/sbin/nginx'], install: 'sudo apt-get install -y nginx (or: bash scripts/setup.sh)' });
}

/**
 * nginx is not one shared server: each test (and the operator's nginx provider) runs its own
 * instance with its own configuration. The test bed only checks the binary and reports it.
 */
export async function nginxInfo(): Promise<NginxInfo> {
  const binary = nginxBinary();
  // `nginx -v` writes to stderr.
  const { stderr } = await run(binary, ['-v']);
  return { binary, version: /nginx\/(\S+)/.exec(stderr)?.[1] ?? stderr.trim() };
}

export interface NginxInstance {
  readonly url: string;
  readonly port: number;
  readonly prefix: string;
  readonly configFile: string;
  readonly process: SupervisedProcess;
}

/**
 * Starts an nginx whose `http {}` block holds `httpBody` with `{{PORT}}` replaced by the random
 * port it listens on. Everything (pid, temp files, logs) lives under the stack folder, so it
 * runs unprivileged and never touches /etc/nginx. `nginx -t` runs first, so a bad configuration
 * fails with nginx's own message.
 */
export async function startNginx(stack: Stack, name: string, httpBody: string, healthPath = '/'): Promise<NginxInstance> {
  const binary = nginxBinary();
  const prefix = stack.path('nginx', name);
  const port = await freePort();
  const configFile = join(prefix, 'nginx.conf');
  writeFileSync(configFile, [
    'worker_processes 1;',
    `pid ${join(prefix, 'nginx.pid')};`,
    'error_log stderr warn;',
    'events { worker_connections 256; }',
    'http {',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${join(prefix, `${kind}_temp`)};`),
    httpBody.replaceAll('{{PORT}}', String(port)),
    '}',
    '',
  ].join('\n'));
  const args = ['-p', prefix, '-c', configFile, '-e', 'stderr'];
  try {
    await run(binary, [...args, '-t', '-q']);
  } catch (error) {
    throw new ComponentStartError(`nginx-${name}`, 'nginx -t rejected the configuration', (error as { stderr?: string }).stderr ?? String(error));
  }
  const url = `http://127.0.0.1:${port}`;
  const process = await SupervisedProcess.start(stack, {
    name: `nginx-${name}`,
    command: binary,
    args: [...args, '-g', 'daemon off;'],
    ready: () => httpOk(`${url}${healthPath}`),
    readyTimeoutMs: 20_000,
    // SIGQUIT is nginx's graceful shutdown.
    stopSignal: 'SIGQUIT',
  });
  return { url, port, prefix, configFile, process };
}
