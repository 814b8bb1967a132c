import { describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:net';
import { ephemeralRangeStart, freePort } from './ports.js';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { resolve(server); });
  });
}

describe('freePort', () => {
  it('hands out distinct ports below the ephemeral range that a server can then bind', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 40; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    // Outgoing connections never take these: their local ports come from the ephemeral range.
    for (const port of ports) expect(port).toBeLessThan(ephemeralRangeStart());
    const servers = await Promise.all(ports.map(listen));
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

});
