import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, utimesSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { ephemeralRangeStart, freePort, RESERVATIONS_DIR, reservePort } from './ports.js';

/** reservePort(port) in another process: what a second jest worker, or the demo, would get. */
function reservedByAnotherProcess(port: number): boolean {
  const module = new URL('../dist/ports.js', import.meta.url).href;
  const script = `import { reservePort } from ${JSON.stringify(module)}; process.stdout.write(String(reservePort(${String(port)})));`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }) === 'true';
}

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

  it('reserves each port it hands out for every process on the machine: another process is refused it until the reservation lapses', () => {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const file = join(RESERVATIONS_DIR, String(port));
    rmSync(file, { force: true });
    expect(reservePort(port)).toBe(true);
    expect(existsSync(file)).toBe(true);
    expect(reservePort(port)).toBe(false);
    expect(reservedByAnotherProcess(port)).toBe(false);
    // A reservation older than its lapse (30 min) is taken over, once.
    const longAgo = new Date(Date.now() - 31 * 60_000);
    utimesSync(file, longAgo, longAgo);
    expect(reservedByAnotherProcess(port)).toBe(true);
    expect(reservePort(port)).toBe(false);
    rmSync(file, { force: true });
  });

});
