/**
 * A real nginx in front of two real upstreams (node:http servers answering their own name), as the
 * `nginx` provider drives it: the main configuration includes the operator's files from confDir.
 * And a way to measure the split nginx really applies.
 */
import { expect } from '@jest/globals';
import { component, freePort, startIngress, type Stack, type SupervisedProcess } from '@nova/testbed';
import { createServer, request, type Server } from 'node:http';
import type { NginxInstanceOptions } from '../../../operator/src/providers/index.js';

/** An upstream answering its own name, so each response says which side served it. */
export async function upstream(name: string): Promise<{ server: Server; port: number }> {
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
export async function measuredShare(url: string, n: number): Promise<number> {
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
export const N = 1000;
export const TOLERANCE = 5 * Math.sqrt(0.25 / N);

export interface NginxFront {
  readonly nginx: SupervisedProcess;
  readonly instance: NginxInstanceOptions;
  /** http://127.0.0.1:<port> */
  readonly base: string;
}

/** Starts the test bed's ingress nginx in `stack`, sending whatever no migration owns to `legacyPort`. */
export async function startNginxFront(stack: Stack, legacyPort: number): Promise<NginxFront> {
  const ingress = await startIngress(stack, component('nginx').binary, `127.0.0.1:${String(legacyPort)}`);
  return { nginx: ingress.process, instance: ingress.paths, base: ingress.url };
}
