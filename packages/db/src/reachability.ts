/**
 * Whether PostgreSQL answers, and which failures mean "not there yet" (worth waiting for at a
 * process's start) rather than "wrong" (a password, a database name: waiting will not fix it).
 */
import pg from 'pg';

/** Node's codes for a server that is not (yet) reachable: down, restarting, its name not in DNS yet. */
const NETWORK_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * SQLSTATEs of a server that cannot take the session now: class 08 (connection exception),
 * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now ("the database system is
 * starting up" / "shutting down"), 53300 too_many_connections.
 */
function transientSqlState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/**
 * node-postgres reports a connection the server closed, one that never answered in time, or a
 * query on a connection that already failed, with these messages and no code.
 */
const LOST_CONNECTION = /^Connection terminated|^Query read timeout|^Client has encountered a connection error and is not queryable/u;

/**
 * True when `error` (or one it wraps, or one of an AggregateError's) says PostgreSQL is not
 * reachable or not accepting sessions yet. Authentication failures (28xxx), a missing database
 * (3D000) and SQL errors are not transient.
 */
export function isTransientConnectionError(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.size < 20) {
    const current = queue.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || (/^[0-9A-Z]{5}$/u.test(code) && transientSqlState(code)))) return true;
    if (typeof message === 'string' && LOST_CONNECTION.test(message)) return true;
    // By shape, not instanceof: an error from another realm (jest's VM) is no AggregateError here.
    const { errors } = current as { errors?: unknown };
    if (Array.isArray(errors)) queue.push(...(errors as unknown[]));
    queue.push((current as { cause?: unknown }).cause);
  }
  return false;
}

/** host:port of a postgresql:// URL, without user or password (5432 when the URL names no port). */
export function databaseAddress(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname === '' ? 'localhost' : url.hostname}:${url.port === '' ? '5432' : url.port}`;
  } catch {
    return '(unparsable database URL)';
  }
}

export interface PingOptions {
  /** How long the connection and the query may take together. Default 5 s. */
  readonly timeoutMs?: number;
}

/** Opens one session, runs `SELECT 1` and closes it; rejects with the driver's error. The URL is never part of an error. */
export async function pingDatabase(connectionString: string, options: PingOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const client = new pg.Client({ connectionString, application_name: 'nova-db-ping', connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  // node-postgres reports a session the server ends between queries as an 'error' event; unheard, an 'error' event throws.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}
