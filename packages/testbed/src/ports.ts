import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Lowest port handed out: clear of the well-known and registered ports servers here may use. */
const LOWEST = 20_000;
/** Ports this process handed out: a second caller must not get one the first has not bound yet. */
const handedOut = new Set<number>();
/** Read once: the range does not change while tests run. */
let ephemeralLow: number | undefined;

/**
 * A TCP port on 127.0.0.1 that is free now, for a component to listen on. It is taken from
 * below the kernel's ephemeral range: every outgoing connection (HTTP clients, NATS, PostgreSQL)
 * takes its local port from that range, so a port freed there can be taken by any connect()
 * before the component binds it ("address already in use" on a busy test run). Falls back to
 * the kernel's choice when the range leaves no room below it.
 */
export async function freePort(): Promise<number> {
  ephemeralLow ??= ephemeralRangeStart();
  if (ephemeralLow > LOWEST + 1_000) {
    for (let attempt = 0; attempt < 100; attempt++) {
      const port = LOWEST + Math.floor(Math.random() * (ephemeralLow - LOWEST));
      if (handedOut.has(port) || !(await bindable(port))) continue;
      handedOut.add(port);
      return port;
    }
  }
  return kernelPort();
}

/** The first port of /proc/sys/net/ipv4/ip_local_port_range (Linux's default 32768). */
export function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/u).map(Number);
    return low !== undefined && Number.isInteger(low) ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => { resolve(false); });
    server.listen(port, '127.0.0.1', () => { server.close(() => { resolve(true); }); });
  });
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port the kernel assigned'));
        return;
      }
      server.close(() => { resolve(address.port); });
    });
  });
}
