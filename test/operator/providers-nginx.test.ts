/**
 * The plain nginx provider against a real nginx serving two real upstreams (node:http servers
 * that count what they receive): the measured split matches the weight, a configuration nginx
 * refuses leaves the old split serving, and two migrations on two paths of one nginx move
 * independently.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { component, freePort, httpOk, Stack, SupervisedProcess } from '@nova/testbed';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import {
  builtinProviders,
  DataPlaneRejectedError,
  RouteNotFoundError,
  type NginxInstanceOptions,
  type ProviderMigration,
  type TrafficProvider,
} from '../../operator/src/providers/index.js';
import { migrationFiles } from '../../operator/src/providers/nginx-files.js';

/** An upstream answering its own name, so each response says which side served it. */
async function upstream(name: string): Promise<{ server: Server; port: number }> {
  const port = await freePort();
  const server = createServer((req, res) => {
    req.resume();
    res.end(name);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port };
}

/** One GET on a fresh connection: no keep-alive socket can outlive a reload and hit an old worker. */
function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve(`${String(res.statusCode)} ${body}`);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Share of `n` requests to `url` that the target served (10 at a time). */
async function measuredShare(url: string, n: number): Promise<number> {
  let target = 0;
  let legacy = 0;
  for (let sent = 0; sent < n; sent += 10) {
    for (const answer of await Promise.all(Array.from({ length: Math.min(10, n - sent) }, () => get(url)))) {
      if (answer === '200 target') target += 1;
      else if (answer === '200 legacy') legacy += 1;
      else throw new Error(`unexpected answer from nginx: ${answer}`);
    }
  }
  expect(target + legacy).toBe(n);
  return target / n;
}

/*
 * How close a measured split must be. Each request picks the target with probability p
 * independently (split_clients hashes $request_id, a fresh random id per request), so the target's
 * count over N requests is Binomial(N, p): the share has standard deviation sqrt(p(1-p)/N), at most
 * 0.0158 for N = 1000 (p = 0.5; 0.0145 for p = 0.3 or 0.7). Accepting within 5 standard deviations
 * (+-0.075) makes a false failure about 1 in 1.7 million runs, while a split off by as little as
 * 10 points (e.g. 20 % served for 30 %) still fails at once.
 */
const N = 1000;
const TOLERANCE = 5 * Math.sqrt(0.25 / N);

describe('nginx provider on a real nginx', () => {
  let stack: Stack;
  let nginx: SupervisedProcess;
  let instance: NginxInstanceOptions;
  let provider: TrafficProvider;
  let base: string;
  let legacy: { server: Server; port: number };
  let target: { server: Server; port: number };
  let webhook: ProviderMigration;
  let payments: ProviderMigration;

  beforeAll(async () => {
    const { binary } = component('nginx');
    [legacy, target] = await Promise.all([upstream('legacy'), upstream('target')]);
    stack = Stack.create();
    const prefix = stack.path('nginx');
    const confDir = stack.path('nginx', 'nova');
    const port = await freePort();
    const configFile = join(prefix, 'nginx.conf');
    await writeFile(
      configFile,
      [
        'daemon off;',
        'worker_processes 2;',
        `pid ${join(prefix, 'nginx.pid')};`,
        `error_log ${join(prefix, 'error.log')} warn;`,
        'events { worker_connections 256; }',
        'http {',
        '  access_log off;',
        `  client_body_temp_path ${stack.path('nginx', 'tmp')};`,
        `  proxy_temp_path ${stack.path('nginx', 'tmp')};`,
        `  include ${confDir}/*.upstream.conf;`,
        '  server {',
        `    listen 127.0.0.1:${String(port)};`,
        `    include ${confDir}/*.location.conf;`,
        `    location / { proxy_pass http://127.0.0.1:${String(legacy.port)}; }`,
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    nginx = await SupervisedProcess.start(stack, {
      name: 'nginx',
      command: binary,
      args: ['-p', prefix, '-c', configFile],
      ready: () => httpOk(`http://127.0.0.1:${String(port)}/`),
      stopSignal: 'SIGQUIT',
    });
    instance = { binary, configFile, prefix, confDir, pidFile: join(prefix, 'nginx.pid') };
    provider = builtinProviders({ fieldManager: 'nova-operator', nginx: instance }).get('nginx');
    base = `http://127.0.0.1:${String(port)}`;
    const sides = { legacy: { service: '127.0.0.1', port: legacy.port }, target: { service: '127.0.0.1', port: target.port } };
    webhook = { namespace: 'nova', name: 'stage-1-webhook', uid: 'u1', route: { pathPrefix: '/webhook/' }, ...sides, config: {} };
    payments = { namespace: 'nova', name: 'stage-5-payments', uid: 'u2', route: { pathPrefix: '/payments/' }, ...sides, config: {} };
  });

  afterAll(async () => {
    await stack.stop();
    legacy.server.close();
    target.server.close();
  });

  it('needs ensureRoute first, which routes the path at 100 % legacy', async () => {
    await expect(provider.setWeight(webhook, 30)).rejects.toThrow(RouteNotFoundError);
    expect(await provider.readWeight(webhook)).toBeUndefined();
    await provider.ensureRoute(webhook);
    expect(await provider.readWeight(webhook)).toEqual({ weight: 0, exact: true });
    expect(await measuredShare(`${base}/webhook/x`, 50)).toBe(0);
  });

  it('splits 30 % then 70 % of real requests to the target', async () => {
    await provider.setWeight(webhook, 30);
    expect(Math.abs((await measuredShare(`${base}/webhook/update`, N)) - 0.3)).toBeLessThanOrEqual(TOLERANCE);
    await provider.setWeight(webhook, 70);
    expect(Math.abs((await measuredShare(`${base}/webhook/update`, N)) - 0.7)).toBeLessThanOrEqual(TOLERANCE);
    expect(await provider.readWeight(webhook)).toEqual({ weight: 70, exact: true });
    // Paths that no migration owns stay with the rest of the configuration.
    expect(await measuredShare(`${base}/other`, 20)).toBe(0);
  });

  it('keeps the old split serving when nginx refuses the new configuration', async () => {
    const files = migrationFiles(instance.confDir, webhook);
    const before = await readFile(files.upstream, 'utf8');
    // A target host that does not resolve: valid to us, refused by `nginx -t` ("host not found in upstream").
    const broken = { ...webhook, target: { service: 'nova-no-such-service.invalid', port: 8100 } };
    const failure = provider.setWeight(broken, 10);
    await expect(failure).rejects.toThrow(DataPlaneRejectedError);
    await expect(failure).rejects.toThrow(/host not found/);
    expect(await readFile(files.upstream, 'utf8')).toBe(before);
    expect(await provider.readWeight(webhook)).toEqual({ weight: 70, exact: true });
    expect(Math.abs((await measuredShare(`${base}/webhook/update`, N)) - 0.7)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('moves two paths of one nginx concurrently without undoing each other', async () => {
    await provider.ensureRoute(payments);
    for (let round = 0; round < 6; round++) {
      const [a, b] = [(round * 17 + 3) % 101, (round * 29 + 60) % 101];
      await Promise.all([provider.setWeight(webhook, a), provider.setWeight(payments, b)]);
      expect([await provider.readWeight(webhook), await provider.readWeight(payments)]).toEqual([
        { weight: a, exact: true },
        { weight: b, exact: true },
      ]);
    }
    await Promise.all([provider.setWeight(webhook, 100), provider.setWeight(payments, 0)]);
    expect(await measuredShare(`${base}/webhook/x`, 50)).toBe(1);
    expect(await measuredShare(`${base}/payments/x`, 50)).toBe(0);
  });

  it('finalizes: restoreLegacy sends everything to legacy and forgets the target; leaveAsIs changes nothing', async () => {
    await provider.setWeight(payments, 100);
    await provider.finalize(payments, 'leaveAsIs');
    expect(await measuredShare(`${base}/payments/x`, 30)).toBe(1);
    await provider.finalize(webhook, 'restoreLegacy');
    expect(await measuredShare(`${base}/webhook/x`, 50)).toBe(0);
    expect(await readFile(migrationFiles(instance.confDir, webhook).upstream, 'utf8')).not.toContain(String(target.port));
    expect(await provider.readWeight(webhook)).toEqual({ weight: 0, exact: true });
    expect(nginx.running).toBe(true);
  });
});
