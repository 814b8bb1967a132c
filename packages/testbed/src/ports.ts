import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Lowest port handed out: clear of the well-known and registered ports servers here may use. */
const LOWEST = 20_000;
/** Ports this process handed out: a second caller must not get one the first has not bound yet. */
const handedOut = new Set<number>();
/**
 * Ports handed out by any process on this machine (the jest workers, the demo, a second run
 * beside this one): a file per port, created exclusively. A port is chosen well before its
 * component binds it (a fleet's addresses are chosen first, the processes start one after
 * another), and a free-now check alone let another process choose it too and bind it first: a
 * fresh-clone run failed with EADDRINUSE that way. A reservation lapses after RESERVATION_TTL_MS,
 * by which time its component listens (so the bind check refuses the port) or is gone.
 */
export const RESERVATIONS_DIR = join(tmpdir(), 'nova-port-reservations');
const RESERVATION_TTL_MS = 30 * 60_000;
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
      if (handedOut.has(port) || !reservePort(port) || !(await bindable(port))) continue;
      handedOut.add(port);
      return port;
    }
  }
  return kernelPort();
}

/**
 * True when this process now holds `port`'s reservation: the file was created exclusively, or a
 * lapsed one was taken over (renamed away first, so two processes taking over the same lapsed
 * reservation cannot both win). A folder that cannot be written leaves the in-process set as the
 * only guard, as before.
 */
export function reservePort(port: number): boolean {
  const file = join(RESERVATIONS_DIR, String(port));
  const create = (): boolean => {
    try {
      writeFileSync(file, `${String(process.pid)}\n`, { flag: 'wx' });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  };
  try {
    mkdirSync(RESERVATIONS_DIR, { recursive: true });
    if (create()) return true;
    if (Date.now() - statSync(file).mtimeMs < RESERVATION_TTL_MS) return false;
    const lapsed = `${file}.lapsed-${String(process.pid)}-${String(Date.now())}`;
    renameSync(file, lapsed);
    rmSync(lapsed, { force: true });
    return create();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOENT: another process took the lapsed reservation over first; the port is theirs.
    if (code === 'ENOENT') return false;
    return true;
  }
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
