/**
 * The test bed's nginx proxies for real: with a weighted upstream of two backends it splits
 * requests exactly as configured (smooth weighted round-robin, one worker).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Stack, startNginx, type NginxInstance } from '@nova/testbed';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

let stack: Stack;
let nginx: NginxInstance;
const backends: Server[] = [];
const hits = { monolith: 0, service: 0 };

async function backend(name: keyof typeof hits): Promise<number> {
  const server = createServer((_request, response) => {
    hits[name] += 1;
    response.writeHead(200, { 'content-type': 'text/plain', 'x-backend': name }).end(name);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  backends.push(server);
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  const [monolith, service] = [await backend('monolith'), await backend('service')];
  stack = Stack.create();
  nginx = await startNginx(stack, 'split', `
  upstream users {
    server 127.0.0.1:${monolith} weight=3;
    server 127.0.0.1:${service} weight=1;
  }
  server {
    listen 127.0.0.1:{{PORT}};
    location = /healthz { return 200 'ok'; }
    location / { proxy_pass http://users; }
  }`, '/healthz');
});

afterAll(async () => {
  await stack.stop();
  await Promise.all(backends.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('nginx', () => {
  it('splits traffic between two upstreams by the configured weights', async () => {
    const answeredBy: string[] = [];
    for (let i = 0; i < 100; i += 1) {
      const response = await fetch(`${nginx.url}/users/${i}`);
      expect(response.status).toBe(200);
      answeredBy.push(await response.text());
    }
    expect(hits).toEqual({ monolith: 75, service: 25 });
    expect(answeredBy.filter((name) => name === 'service')).toHaveLength(25);
  });
});
